"""The "why" of an access-log row, shown in the reader's language.

`log_access(..., purpose=...)` stores the purpose as English text, often with a value in it
("plan document: version 3 (nl)"). The row is append-only and must say the same thing in
every language, so the stored text stays as it is; pages show it through
`purpose_display()`, which finds the purpose's template in `PURPOSES` and gives its
translated label with the values put back in (some values are words themselves, such as a
language or a step, and are translated too). A purpose that matches no template is shown as
stored, marked as English.

Every purpose written by Kring's code must be in `PURPOSES`: `audit/tests/test_purposes.py`
reads the source and fails on any purpose without a template here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

#: Template of a stored purpose ({name} marks a value) → its label (%(name)s marks the value).
PURPOSES: dict[str, Promise] = {
    # Defaults of `log_access` when a caller gives no purpose (see `log.DEFAULT_PURPOSES`).
    "case coordination": _("case coordination"),
    "request handling": _("handling the request"),
    "care for the family": _("care for the family"),
    "aggregate reporting": _("figures without names"),
    "system administration": _("system administration"),
    "request by the public": _("request by someone without an account"),
    "read": _("read"),
    "search": _("search"),
    "create": _("create"),
    "change": _("change"),
    "export": _("export"),
    # Refusals: a purpose of its own, or "refused: " before another purpose.
    "refused: {purpose}": _("refused: %(purpose)s"),
    "refused: not related to the case": _("refused: not involved in this case"),
    "refused: no right to {right}": _("refused: not allowed: %(right)s"),
    "refused: this role never sees persons": _("refused: this role never sees people's details"),
    "refused: only professionals send requests": _("refused: only professionals send requests"),
    "refused: figures are for regional managers and policy":
        _("refused: the figures are for regional managers and policy staff"),
    "refused: region outside your scope": _("refused: region outside your work area"),
    "refused: municipality outside your scope": _("refused: municipality outside your work area"),
    # Cases, inbox, assignment.
    "inbox of open requests": _("inbox of open requests"),
    "case list": _("list of cases"),
    "request for a family group plan": _("request for a family group plan"),
    "step: {transition}": _("step: %(transition)s"),
    "step refused: {transition}": _("step refused: %(transition)s"),
    "coordinator suggestions": _("suggested coordinators"),
    "assign coordinator": _("coordinator assigned"),
    "assign coordinator refused": _("assigning a coordinator refused"),
    "assign refused": _("assigning a coordinator refused"),
    "assign refused: not a coordinator": _("assigning a coordinator refused: not a coordinator"),
    "access log of the case": _("access log of the case"),
    # Matching.
    "matching proposal": _("matching proposal"),
    "matching proposal: suggest": _("matching proposal: suggestion asked"),
    "matching proposal: taken out": _("matching proposal: request taken out"),
    "matching proposal: change refused": _("matching proposal: change refused"),
    "matching proposal: pair changed": _("matching proposal: pair changed"),
    "assign coordinator (matching proposal)": _("coordinator assigned (matching proposal)"),
    "assign coordinator refused (matching proposal)": _("assigning a coordinator refused (matching proposal)"),
    # The circle.
    "circle of the case": _("circle of the case"),
    "eco-map (SVG)": _("eco-map"),
    "circle: person added": _("circle: person added"),
    "circle: person not added": _("circle: person not added"),
    "circle: person changed": _("circle: person changed"),
    "circle: edit a person": _("circle: change a person"),
    "circle: change refused": _("circle: change refused"),
    "circle: stale edit refused": _("circle: change refused, someone else changed it first"),
    "circle: status {member_status}": _("circle: status %(member_status)s"),
    "circle: status refused": _("circle: status change refused"),
    "circle: status refused: {member_status}": _("circle: status change refused: %(member_status)s"),
    "circle: no such person in this circle": _("circle: this person is not in this circle"),
    "circle: no such safety arrangement": _("circle: this safety arrangement does not exist"),
    "circle: no such {object}": _("circle: this %(object)s does not exist"),
    "circle: safety arrangement added": _("circle: safety arrangement added"),
    "circle: safety arrangement not added": _("circle: safety arrangement not added"),
    "circle: safety arrangement removed": _("circle: safety arrangement removed"),
    "circle: safety arrangement not removed": _("circle: safety arrangement not removed"),
    # Conference.
    "conference preparation": _("preparing the conference"),
    "preparation checklist": _("preparation checklist"),
    "preparation checklist saved ({count} changed)": _("preparation checklist saved (%(count)s changed)"),
    "preparation checklist refused: invalid input": _("preparation checklist not saved: input not valid"),
    "conference": _("conference"),
    "conference form": _("conference form"),
    "conference planned": _("conference planned"),
    "conference changed": _("conference changed"),
    "conference save refused": _("conference not saved"),
    "conference not saved: invalid input or refused": _("conference not saved: input not valid or refused"),
    "refused: no conference planned": _("refused: no conference planned"),
    "conference record form": _("conference record form"),
    "conference recorded": _("conference recorded"),
    "conference record refused": _("conference record refused"),
    "conference held": _("conference held"),
    "conference held refused": _("conference held: refused"),
    "invitations sent ({count})": _("invitations sent (%(count)s)"),
    "invitations refused": _("invitations refused"),
    "refused: no such invitation": _("refused: this invitation does not exist"),
    "invitation resend refused": _("sending the invitation again refused"),
    "invitation sent again": _("invitation sent again"),
    "invitation answer refused: link {link}": _("answer to the invitation refused: %(link)s"),
    "invitation answered by the invited person: {response}":
        _("invitation answered by the invited person: %(response)s"),
    # Information form and plan.
    "information form": _("information form"),
    "information form: row added": _("information form: row added"),
    "information form saved: version {version}": _("information form saved: version %(version)s"),
    "information form not saved": _("information form not saved"),
    "information form: not saved, input errors": _("information form not saved: input not valid"),
    "refused: information form changed in the meantime":
        _("refused: the information form was changed in the meantime"),
    "only the linked professional fills in the information form":
        _("only the linked professional fills in the information form"),
    "refused: only the linked professional fills in the information form":
        _("refused: only the linked professional fills in the information form"),
    "family group plan": _("family group plan"),
    "plan of the case": _("family group plan"),
    "plan: edit": _("plan: write down"),
    "plan: row added": _("plan: row added"),
    "plan saved: version {version}": _("plan saved: version %(version)s"),
    "plan not saved": _("plan not saved"),
    "refused: plan not saved": _("refused: plan not saved"),
    "plan: not saved, input errors": _("plan not saved: input not valid"),
    "refused: plan cannot change now": _("refused: the plan cannot change now"),
    "only the coordinator writes the plan down": _("only the coordinator writes the plan down"),
    "only the coordinator records the presentation": _("only the coordinator records the presentation"),
    "plan presented: version {version}": _("plan presented: version %(version)s"),
    "plan not presented": _("plan not presented"),
    "only the linked professional tests the plan": _("only the linked professional tests the plan"),
    "plan test": _("testing the plan"),
    "plan test: not saved, input errors": _("test of the plan not saved: input not valid"),
    "plan tested: version {version}, {count} condition(s)":
        _("plan tested: version %(version)s, %(count)s condition(s)"),
    "plan tested: version {version}, condition {condition}":
        _("plan tested: version %(version)s, condition %(condition)s"),
    "test not saved": _("test not saved"),
    "refused: test not saved": _("refused: test not saved"),
    "only the professional or the coordinator decides on the plan":
        _("only the professional or the coordinator decides on the plan"),
    "decision on the plan": _("decision on the plan"),
    "refused: decision incomplete": _("refused: decision incomplete"),
    "plan accepted": _("plan accepted"),
    "plan not accepted": _("plan not accepted"),
    "only the coordinator starts a revision": _("only the coordinator starts a revision"),
    "plan revised: version {version}": _("plan revised: version %(version)s"),
    "plan not revised": _("plan not revised"),
    "plan document": _("plan document"),
    "plan document: there is no plan yet": _("plan document: there is no plan yet"),
    "plan document: no such plan version": _("plan document: this version of the plan does not exist"),
    "plan document: version {version} ({language})": _("plan document: version %(version)s (%(language)s)"),
    "only the coordinator sends the plan": _("only the coordinator sends the plan"),
    "plan sent to copy recipients: version {version}, {count} address(es)":
        _("plan sent to the people who may receive a copy: version %(version)s, %(count)s address(es)"),
    "plan not sent": _("plan not sent"),
    # Follow-up.
    "follow-up": _("follow-up"),
    "follow-up of the plan": _("follow-up of the plan"),
    "change the follow-up schedule": _("change the follow-up schedule"),
    "schedule": _("follow-up schedule"),
    "follow-up schedule changed": _("follow-up schedule changed"),
    "call the circle together": _("call the circle together"),
    "reconvene": _("call the circle together again"),
    "circle called together again": _("circle called together again"),
    "circle called together again by the convenor": _("circle called together again by the convenor"),
    "record the evaluation": _("record the evaluation"),
    "evaluation": _("evaluation"),
    "refused: evaluation": _("refused: evaluation"),
    "evaluation form": _("evaluation form"),
    "evaluation recorded": _("evaluation recorded"),
    "record an outcome": _("record an outcome"),
    "outcome": _("outcome"),
    "refused: outcome": _("refused: outcome"),
    "outcome form": _("outcome form"),
    "outcome after {months} months": _("outcome after %(months)s months"),
    "plan versions": _("versions of the plan"),
    "plan versions compared": _("versions of the plan compared"),
    "follow-up tasks of the coordinator": _("follow-up tasks of the coordinator"),
    "refused: not a task of this coordinator": _("refused: not a task of this coordinator"),
    "refused: task": _("refused: task"),
    "follow-up task done": _("follow-up task done"),
    "failing reminders": _("reminders that keep failing"),
    "refused: no such failing reminder": _("refused: this failing reminder does not exist"),
    "failed reminder sent again": _("failed reminder sent again"),
    "check-in refused: link {link}": _("check-in refused: %(link)s"),
    "check-in answered by the circle member": _("check-in answered by the circle member"),
    "invitation to meet again answered: {response}": _("invitation to meet again answered: %(response)s"),
    # The family portal.
    "signed in with a one-time code": _("signed in with a one-time code"),
    "family portal: where the case stands": _("family portal: where the case stands"),
    "family portal: the circle": _("family portal: the circle"),
    "family portal: plan version {version}": _("family portal: plan, version %(version)s"),
    "family portal: plan (none yet)": _("family portal: plan (none yet)"),
    "family portal: plan document, version {version} ({language})":
        _("family portal: plan document, version %(version)s (%(language)s)"),
    "family portal: consent {consent} given": _("family portal: consent given: %(consent)s"),
    "family portal: consent {consent} withdrawn": _("family portal: consent withdrawn: %(consent)s"),
    "family portal: consents": _("family portal: consents"),
    "family portal: who looked at my file": _("family portal: who looked at my file"),
    "family starts its own plan": _("the family starts its own plan"),
    "own plan: step {self_step}": _("own plan: step “%(self_step)s”"),
    "own plan: step {self_step} saved": _("own plan: step “%(self_step)s” saved"),
    "own plan: person added to the circle": _("own plan: person added to the circle"),
    "own plan: {count} invitation(s) sent": _("own plan: %(count)s invitation(s) sent"),
    "own plan: agreement added": _("own plan: agreement added"),
    "own plan: written down as version {version}": _("own plan: written down as version %(version)s"),
    "circle member: own agreements": _("circle member: own agreements"),
    "circle member: own agreements and the plan": _("circle member: own agreements and the plan"),
    "circle member: check-in started from their own page":
        _("circle member: check-in started from their own page"),
    "circle member: check-in refused, nothing to rate": _("circle member: check-in refused, nothing to rate"),
    # Reports.
    "aggregate figures": _("figures without names"),
    "capacity forecast": _("capacity forecast"),
    "export of aggregate figures ({scope})": _("export of figures without names (%(scope)s)"),
    "offer form": _("offer form"),
    "offer of a family group plan recorded": _("offer of a family group plan recorded"),
    "coordinator fee statement": _("coordinator fee statement"),
    # Privacy and accounts.
    "the family's privacy requests": _("the family's privacy requests"),
    "the family's export: choose": _("the family's download: choose"),
    "AVG access: export for main person {person}": _("right of access (AVG): download for main person %(person)s"),
    "family asks to destroy their file": _("the family asks to destroy their file"),
    "destruction {decision}: {exception}: {reason}": _("destruction: %(decision)s (%(exception)s): %(reason)s"),
    "case file destroyed ({why}); anonymous figures kept": _("case file destroyed (%(why)s); figures without names kept"),
    "family asks for a correction": _("the family asks for a correction"),
    "correction request {correction}": _("correction request: %(correction)s"),
    "second factor removed for re-setup; identity checked: {how}":
        _("second factor removed to set it up again; identity checked: %(how)s"),
    "account disabled; sessions ended": _("account disabled; sessions ended"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


# --- values that are words themselves ------------------------------------------------------


def _choice(path: str, name: str) -> Callable[[str], str | None]:
    """The label of a value of a `TextChoices` (imported late: models import this module)."""

    def label(value: str) -> str | None:
        from importlib import import_module

        choices = dict(getattr(import_module(path), name).choices)
        return str(choices[value]) if value in choices else None

    return label


def _language(code: str) -> str | None:
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return None


def _transition(name: str) -> str | None:
    from kring.cases.lifecycle import TRANSITIONS

    transition = TRANSITIONS.get(name)
    return str(transition.label) if transition else None


def _link(code: str) -> str | None:
    from kring.core.links import LinkError

    kinds = [LinkError, *LinkError.__subclasses__()]
    return next((str(kind.title) for kind in kinds if kind.code == code), None)


def _model(model_name: str) -> str | None:
    from django.apps import apps

    return next((str(m._meta.verbose_name) for m in apps.get_models() if m._meta.model_name == model_name),
                None)


#: What a person may do with a case (`cases.access.ACTIONS`).
RIGHTS = {
    "view": _("seeing the case"),
    "change": _("changing the case"),
    "transition": _("taking a step in the case"),
    "assign": _("assigning a coordinator"),
    "contact": _("contacting the family"),
    "view_log": _("seeing the access log"),
}
DESTRUCTION_WHY = {"retention": _("the retention period is over"), "request": _("the family asked for it")}

#: How a value is shown; None (or a name not listed here) shows the value as stored.
VALUES: dict[str, Callable[[str], str | None]] = {
    "language": _language,
    "transition": _transition,
    "member_status": _choice("kring.network.models", "MemberStatus"),
    "consent": _choice("kring.family.models", "ConsentKind"),
    "self_step": _choice("kring.family.models", "SelfPlanStep"),
    "response": _choice("kring.conferences.models", "Response"),
    "decision": _choice("kring.privacy.models", "Decision"),
    "exception": _choice("kring.privacy.models", "DestructionException"),
    "correction": _choice("kring.privacy.models", "CorrectionStatus"),
    "link": _link,
    "object": _model,
    "right": lambda value: str(RIGHTS[value]) if value in RIGHTS else None,
    "why": lambda value: str(DESTRUCTION_WHY[value]) if value in DESTRUCTION_WHY else None,
}


# --- finding the template of a stored purpose -----------------------------------------------


@dataclass(frozen=True)
class _Template:
    source: str
    label: Promise
    pattern: re.Pattern[str]


@cache
def _templates() -> tuple[dict[str, Promise], tuple[_Template, ...]]:
    """Plain purposes by text, and the others as patterns, the most specific (most fixed
    text) first, so "circle: status refused: {x}" wins over "circle: status {x}"."""
    exact: dict[str, Promise] = {}
    patterns: list[_Template] = []
    for source, label in PURPOSES.items():
        parts = _PLACEHOLDER.split(source)
        if len(parts) == 1:
            exact[source] = label
            continue
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
        patterns.append(_Template(source, label, re.compile(regex, re.DOTALL)))
    patterns.sort(key=lambda t: -len(_PLACEHOLDER.sub("", t.source)))
    return exact, tuple(patterns)


def translate_purpose(text: str) -> str | None:
    """The stored purpose in the active language, or None when no template matches it."""
    exact, patterns = _templates()
    if text in exact:
        return str(exact[text])
    for template in patterns:
        match = template.pattern.fullmatch(text)
        if match is None:
            continue
        values = {}
        for name, raw in match.groupdict().items():
            if name == "purpose":  # another purpose inside this one: it must be known too
                shown = translate_purpose(raw)
                if shown is None:
                    break
            else:
                shown = VALUES[name](raw) if name in VALUES else None
            values[name] = raw if shown is None else shown
        else:
            return str(template.label) % values
    return None


@dataclass(frozen=True)
class PurposeText:
    """A purpose to show: `lang` is "en" when it could not be translated (else empty)."""

    text: str
    lang: str = ""

    def __str__(self) -> str:
        return self.text


def purpose_display(text: str) -> PurposeText:
    """What a page shows for a stored purpose: translated, or as stored and marked English."""
    translated = translate_purpose(text or "")
    return PurposeText(translated) if translated is not None else PurposeText(text, lang="en")
