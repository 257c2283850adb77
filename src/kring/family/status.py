"""Where the case stands and what happens next, in plain words for the family (B1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from kring.cases.models import Case, State
from kring.cases.prepared import PreparedValues
from kring.conferences.models import Conference
from kring.followup.models import Evaluation, Outcome
from kring.plans.models import PlanVersion


def _texts() -> dict[str, tuple[str, str]]:
    return {
        State.REQUEST: (_("We have received the request for a family group plan."),
                        _("A coordinator will call you within two days.")),
        State.INFORMING: (_("The coordinator has told you about the family group plan."),
                          _("You decide if you want to make a plan with the people around you.")),
        State.PREPARING: (_("You and the coordinator are preparing the meeting."),
                          _("Together you choose who to invite, and when and where you meet.")),
        State.SCHEDULED: (_("The date of the meeting is set."),
                          _("Everyone you invited gets a message with the date and the place.")),
        State.HELD: (_("The meeting has taken place. Your circle made a plan."),
                     _("The professional checks if the plan keeps the children safe enough.")),
        State.PLAN_ACCEPTED: (_("Your plan is accepted."),
                              _("Now you all do what you agreed. One person keeps an eye on the plan.")),
        State.PLAN_NOT_ACCEPTED: (_("The plan is not accepted yet."),
                                  _("Your circle changes the plan. The coordinator helps you with this.")),
        State.FOLLOW_UP: (_("You are carrying out your plan."),
                          _("Together you look back at the plan on the evaluation date.")),
        State.CLOSED: (_("Your case is closed."),
                       _("If things change, you can ask for a new plan at any time.")),
        State.WITHDRAWN: (_("There is no plan for now: the request was withdrawn."),
                          _("You can always ask for a family group plan again.")),
        State.DECLINED: (_("You chose not to make a plan now."),
                         _("You can always ask for a family group plan again.")),
        State.CANCELLED: (_("The meeting was cancelled."),
                          _("You can always ask for a family group plan again.")),
    }


def where_we_are(case: Case, *, self_made: bool = False) -> tuple[str, str]:
    if self_made and case.state == State.PREPARING:
        return (_("You are making your own plan."), _("Go on with the next step of your plan."))
    return _texts().get(case.state, ("", ""))


@dataclass(frozen=True)
class KeyDate:
    label: str
    when: date | datetime
    past: bool


# The reads of `key_dates`, compiled once (see `kring.cases.prepared`): the ORM's queries, by case id.
_MEETING = PreparedValues(lambda case_id: Conference.objects.filter(case_id=case_id).order_by("-created_at", "-pk")
                          .values_list("starts_at")[:1])
_EVALUATION_DATE = PreparedValues(lambda case_id: PlanVersion.objects.filter(plan__case_id=case_id)
                                  .order_by("-number").values_list("evaluation_date")[:1])
_EVALUATIONS_HELD = PreparedValues(lambda case_id: Evaluation.objects.filter(case_id=case_id).values_list("held_on"))
_OUTCOMES = PreparedValues(lambda case_id: Outcome.objects.filter(case_id=case_id).values_list("months", "due_on"))


def key_dates(case: Case) -> list[KeyDate]:
    """The dates that matter to the family: the meeting, the evaluation, the outcome moments.

    Only the dates are read (no whole conferences, plans or outcomes): the meeting of the
    latest conference (`conference_current`), the evaluation date of the current plan version
    (`current_version`), the evaluations held and the outcome moments.
    """
    now = timezone.now()
    today = timezone.localdate()
    out: list[KeyDate] = []
    meeting = _MEETING(case.pk)
    starts_at = meeting[0][0] if meeting else None
    if starts_at is not None:
        out.append(KeyDate(_("Meeting of your circle"), timezone.localtime(starts_at), starts_at < now))
    evaluation = _EVALUATION_DATE(case.pk)
    evaluation_date = evaluation[0][0] if evaluation else None
    if evaluation_date:
        out.append(KeyDate(_("Evaluation of the plan"), evaluation_date, evaluation_date < today))
    for (held_on,) in _EVALUATIONS_HELD(case.pk):
        out.append(KeyDate(_("Evaluation held"), held_on, True))
    for months, due_on in _OUTCOMES(case.pk):
        out.append(KeyDate(_("We ask how the plan is going (%(months)s months)") % {"months": months},
                           due_on, due_on < today))
    return sorted(out, key=lambda d: d.when if isinstance(d.when, date) and not isinstance(d.when, datetime)
                  else d.when.date())
