"""Widening the circle (de kring vergroten): questions a coordinator asks again and again.

Four questions to come back to in every conversation, and for common
"yes, but..." answers a few follow-up questions that keep the conversation
going. Our own words (DOMAIN §5); the Dutch is in the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Question:
    key: str
    text: Promise
    why: Promise


@dataclass(frozen=True)
class YesBut:
    key: str
    answer: Promise
    follow_ups: tuple[Promise, ...]


FOUR_QUESTIONS: tuple[Question, ...] = (
    Question(
        "who_knows",
        _("Who already knows what is going on at home?"),
        _("Then ask who does not know yet, but should hear it from the family."),
    ),
    Question(
        "who_cares",
        _("Who wants things to go well for you and your children?"),
        _("Think wider than family: work, school, sport, the street, church or mosque."),
    ),
    Question(
        "who_comes",
        _("Who could come with you to this conversation?"),
        _("Two people hear more than one, and can talk it over afterwards."),
    ),
    Question(
        "know_the_plan",
        _("Have you heard of a family group plan? Do you have one, or do you want to know more?"),
        _("Making a plan with their own people is the family's right. Offer it every time."),
    ),
)

YES_BUTS: tuple[YesBut, ...] = (
    YesBut("nobody", _("There is nobody I can ask."), (
        _("Who did you talk to this week, even for a moment?"),
        _("Shall we look through the contacts in your phone together?"),
        _("Were there more people around you a few years ago? Who were they?"),
    )),
    YesBut("cannot_help", _("The people I know have enough on their plate already."), (
        _("Could they come for one afternoon just to think along?"),
        _("Did they say so themselves, or is that what you expect?"),
        _("If one of them needed you, what would you do?"),
    )),
    YesBut("dare_not", _("I don't dare to ask."), (
        _("What makes asking so hard for you?"),
        _("With whom can you just be yourself? Could that person ask for you?"),
        _("What advice would you give your best friend in the same spot?"),
    )),
    YesBut("you_are_expert", _("Isn't this your job? That is what you are here for."), (
        _("I know my work. Who knows you and your children best?"),
        _("Who can you call in the evening or at the weekend, when I am not there?"),
        _("What would you like to decide yourself, with your own people?"),
    )),
    YesBut("ashamed", _("It is embarrassing. This should stay inside our family."), (
        _("You choose who hears what. Who would you tell first?"),
        _("If a good friend had this problem, would you think less of them?"),
        _("Who already knows a little of what is happening?"),
    )),
    YesBut("burden", _("I don't want to be a burden to anyone."), (
        _("Shall we let them say for themselves whether it is too much?"),
        _("Think of the last time someone asked you for a favour. How did that feel?"),
        _("Suppose you ask and someone says no. What then?"),
    )),
    YesBut("no_problem", _("There is no problem."), (
        _("What would you like to be different a year from now?"),
        _("What do you think other people worry about?"),
        _("Where will you be in six months if everything stays the same?"),
    )),
    YesBut("secrets", _("There are things nobody may know."), (
        _("Does anyone already know a part of it?"),
        _("What do you fear would happen if one person knew?"),
        _("Could you share it with only a few people that you choose?"),
    )),
    YesBut("let_down", _("My family has let me down."), (
        _("Is it different now from back then?"),
        _("Is there one person in the family you would give another chance?"),
        _("Who outside the family could take their place?"),
    )),
    YesBut("tried_before", _("I asked for help before and it did not work."), (
        _("What did you ask for then? Could thinking along be enough this time?"),
        _("If the tasks were shared by more people, would each part be easier?"),
        _("Who have you not asked yet?"),
    )),
    YesBut("gossip", _("People will gossip about us."), (
        _("What would you want to agree about keeping things private?"),
        _("Rumours grow when people know only half. Who would you rather tell the whole story?"),
        _("Whom do you trust to keep quiet?"),
    )),
    YesBut("old_fight", _("We had a fight years ago. We have no contact."), (
        _("Has anyone tried to make it up since then?"),
        _("Would they come for the sake of the child, even if the grown-ups do not get along?"),
        _("How would you like it to be between you a year from now?"),
    )),
    YesBut("culture", _("In our culture, you do not bring outsiders into this."), (
        _("When something goes wrong in your family, who usually steps in?"),
        _("Which customs should be part of the meeting: food, music, a prayer?"),
        _("Who in your community do people go to for advice?"),
    )),
    YesBut("no_say", _("What I say makes no difference. Youth care decides."), (
        _("Within the safety conditions, what would you and your people like to decide?"),
        _("In your own words: what is needed?"),
        _("Who would help you make your own plan?"),
    )),
    YesBut("wont_do_anything", _("They will say yes and then not show up."), (
        _("Would it already help if someone listened and thought along?"),
        _("Did they ever get the chance to show what they can do?"),
        _("Who would be the first one you could call?"),
    )),
    YesBut("do_it_myself", _("I want to sort this out on my own."), (
        _("What would be easier if one other person helped?"),
        _("Whom do you help yourself, now and then?"),
        _("What do you want to keep in your own hands, and what could someone else do?"),
    )),
)
