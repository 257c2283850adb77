"""Set-up shared by the plan tests and the plan API tests: a circle, a form, a plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from kring.cases.models import Case, CaseProfessional, State
from kring.network.models import CircleMember, MemberRole, Side
from kring.plans.models import PlanVersion, SafetyCondition
from kring.plans.services import (
    AgreementData,
    AnswerData,
    ConditionData,
    InformationData,
    PlanData,
    current_version,
    information_form_save,
    plan_present,
    plan_save_draft,
)

ARABIC_AGREEMENT = "الخالة باربرا تأخذ ياسمينة إلى المدرسة كل يوم ثلاثاء"
ARABIC_WORDS = "الخالة باربرا"
TIGRINYA_NOTE = "ኣደይ ንቆልዑ ናብ ቤት ትምህርቲ ተብጽሖም"
TURKISH_NOTE = "Teyze her salı Yasmina'yı okula götürür; İpek dayı cumartesi uğrar."
NEVER_ALONE = "Yasmina is nooit alleen met haar vader."
MEALS = "Yasmina krijgt drie gezonde maaltijden per dag."


@dataclass
class Circle:
    mother: CircleMember
    aunt: CircleMember
    neighbour: CircleMember
    uncle: CircleMember
    professional: CaseProfessional
    others: list = field(default_factory=list)


def member(case: Case, name: str, **kwargs) -> CircleMember:
    return CircleMember.objects.create(case=case, name=name, **kwargs)


def build_circle(case: Case) -> Circle:
    """The mother (main person), an aunt and an uncle with e-mail, a neighbour without."""
    parent = case.persons.filter(is_main_person=True).first()
    mother = member(case, parent.name if parent else "Fatima el Amrani", role=MemberRole.MAIN,
                    case_person=parent, email="fatima@example.org", language="ar", relation="moeder")
    aunt = member(case, "Barbara el Amrani", relation="tante (zus van moeder)", side=Side.MOTHER,
                  email="Barbara@Example.org", language="nl")
    neighbour = member(case, "Kees de Buurman", relation="buurman", side=Side.NONE)
    uncle = member(case, "Omar el Amrani", relation="oom", side=Side.FATHER, email="omar@example.org")
    professional = case.professionals.filter(user__isnull=False).first()
    if professional is not None and not professional.email:
        professional.email = "jhv@example.org"
        professional.save(update_fields=["email"])
    return Circle(mother=mother, aunt=aunt, neighbour=neighbour, uncle=uncle, professional=professional)


def fill_information_form(case: Case, by, *, conditions=((NEVER_ALONE, True), (MEALS, False)),
                          expected_version: int = 0):
    return information_form_save(
        case=case, by=by, expected_version=expected_version,
        data=InformationData(
            concerns="Vader is twee keer boos geworden waar Yasmina bij was. Yasmina verzuimt school.",
            tested_against="De veiligheidsvoorwaarden hieronder.",
            help_available="Opvoedondersteuning binnen twee weken.",
            conditions=[ConditionData(text, nn) for text, nn in conditions],
        ),
    )


def set_state(case: Case, state: str, **fields) -> Case:
    Case.objects.filter(pk=case.pk).update(state=state, **fields)
    case.refresh_from_db()
    return case


def plan_data(circle: Circle, conditions: list[SafetyCondition], **overrides) -> PlanData:
    data = PlanData(
        language="ar",
        concerns_answered=f"{ARABIC_AGREEMENT}\n{TIGRINYA_NOTE}\n{TURKISH_NOTE}",
        professional_help="Hulp bij de opvoeding, en een maatje voor Yasmina.",
        monitor=circle.aunt, convenor=circle.uncle,
        evaluation_date=timezone.localdate() + timedelta(days=90),
        keep_informed="Elke zondag een groepsgesprek in de app.",
        when_not_kept="Oom Omar belt iedereen en we komen binnen een week bij elkaar.",
        copy_recipients=[circle.mother, circle.aunt, circle.neighbour],
        copy_professionals=[circle.professional] if circle.professional else [],
        agreements=[
            AgreementData(who=circle.aunt, what=ARABIC_AGREEMENT, when="elke dinsdag",
                          starts_on=timezone.localdate(), conditions=tuple(conditions[:1])),
            AgreementData(who=circle.mother, what="Moeder zorgt voor ontbijt voor Yasmina.", when="elke dag"),
        ],
        answers=[AnswerData(text="Vader ziet Yasmina alleen bij oma thuis, met oma erbij.",
                            condition=conditions[0] if conditions else None)],
        change_note="Opgeschreven tijdens de conferentie.",
    )
    for name, value in overrides.items():
        setattr(data, name, value)
    return data


def conditions_of(case: Case) -> list[SafetyCondition]:
    return list(case.information_form.current.conditions.all())


def draft_plan(case: Case, circle: Circle, by, **overrides) -> PlanVersion:
    current = current_version(case)
    return plan_save_draft(case=case, by=by, data=plan_data(circle, conditions_of(case), **overrides),
                           based_on=current.number if current else None)


@dataclass
class PlanWorld:
    world: object
    case: Case
    circle: Circle

    @property
    def coordinator(self):
        return self.world.coordinator

    @property
    def professional(self):
        return self.world.professional

    @property
    def linked(self):
        return self.world.linked_professional

    def conditions(self) -> list[SafetyCondition]:
        return conditions_of(self.case)


def held_case_with_form(world) -> PlanWorld:
    """The world's case assigned, with a circle and an information form, the conference held."""
    case = world.case
    Case.objects.filter(pk=case.pk).update(coordinator=world.coordinator)
    case.refresh_from_db()
    circle = build_circle(case)
    fill_information_form(case, world.professional)
    set_state(case, State.HELD, held_at=timezone.now())
    return PlanWorld(world=world, case=case, circle=circle)


def presented_plan(pw: PlanWorld, **overrides) -> PlanVersion:
    draft_plan(pw.case, pw.circle, pw.coordinator, **overrides)
    return plan_present(case=pw.case, by=pw.coordinator)
