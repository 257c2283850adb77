"""Forms of the information form and the plan, used by the pages and by the API.

Family text fields carry `dir="auto"`: the plan is written in the family's own
words and script (Arabic, Turkish, Tigrinya, ...).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.cases.models import CaseProfessional
from kring.core.languages import LANGUAGES
from kring.network.models import CircleMember

from .models import SafetyCondition
from .services import (
    AgreementData,
    AnswerData,
    ConditionData,
    InformationData,
    PlanData,
    current_conditions,
)

TEXT_MAX = 10_000
ROW_TEXT_MAX = 2_000
YES_NO = [("yes", _("Not negotiable")), ("no", _("Negotiable"))]
MET = [("yes", _("Met")), ("no", _("Not met"))]


def _area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "dir": "auto"})


def _text(**kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("max_length", TEXT_MAX)
    kwargs.setdefault("widget", _area())
    return forms.CharField(strip=True, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def formset_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Form data for a formset from a list of plain rows (for the API)."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def values(form: forms.BaseForm) -> dict[str, Any]:
    """The values of a bound form as typed, to show them again in an unbound form."""
    return {name: form[name].value() for name in form.fields}


def unbound_copy(formset: forms.BaseFormSet, *, add_row: bool = False) -> forms.BaseFormSet:
    """The rows of a bound formset as typed, without error messages; with one empty row more
    when `add_row` (the "add a row" button works without JavaScript)."""
    keep = [values(f) for index, f in enumerate(formset.forms)
            if add_row or index < formset.initial_form_count() or f.has_changed()]
    return type(formset)(initial=keep, prefix=formset.prefix, form_kwargs=formset.form_kwargs)


# --- the information form ----------------------------------------------------------------


class InformationFormForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    concerns = _text(
        required=True, label=_("Concerns, as concrete as possible"), widget=_area(6),
        help_text=_("Describe what happens, to whom, how often and since when. Facts, not labels."),
    )
    tested_against = _text(
        label=_("What the plan will be tested against"),
        help_text=_("For example: the safety conditions below, the advice of the Child Protection Board."),
    )
    help_available = _text(
        label=_("Help that is available"),
        help_text=_("Which professional help the family can ask for, and how soon."),
    )


class ConditionForm(forms.Form):
    text = forms.CharField(
        label=_("Safety condition"), required=False, max_length=ROW_TEXT_MAX, widget=_area(2),
        help_text=_("One testable statement, for example: “Noor is never alone with her father.” "
                    "Leave empty to remove it."),
    )
    non_negotiable = forms.ChoiceField(label=_("Can the family negotiate about it?"), choices=YES_NO,
                                       required=False, initial="yes", widget=forms.RadioSelect)


class BaseConditionFormSet(forms.BaseFormSet):
    def conditions(self) -> list[ConditionData]:
        return [
            ConditionData(text=f.cleaned_data["text"], non_negotiable=f.cleaned_data.get("non_negotiable") != "no")
            for f in self.forms if f.cleaned_data.get("text")
        ]


ConditionFormSet = forms.formset_factory(ConditionForm, formset=BaseConditionFormSet, extra=1,
                                         max_num=30, validate_max=True)
CONDITIONS_PREFIX = "conditions"


def information_data(form: InformationFormForm, conditions: BaseConditionFormSet) -> InformationData:
    data = form.cleaned_data
    return InformationData(concerns=data["concerns"], tested_against=data["tested_against"],
                           help_available=data["help_available"], conditions=conditions.conditions())


# --- the plan --------------------------------------------------------------------------


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: CircleMember) -> str:
        return f"{obj.name} ({obj.relation})" if obj.relation else obj.name


class MembersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CircleMember) -> str:
        email = obj.email or _("no e-mail address")
        return f"{obj.name} ({email})"


class ProfessionalsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: CaseProfessional) -> str:
        org = f", {obj.organisation}" if obj.organisation else ""
        return f"{obj.name}{org} ({obj.email or _('no e-mail address')})"


class ConditionsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SafetyCondition) -> str:
        return obj.text


class ConditionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: SafetyCondition) -> str:
        return obj.text


class PlanForm(forms.Form):
    based_on = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    language = forms.ChoiceField(label=_("Language the plan is written in"), required=False)
    concerns_answered = _text(label=_("Questions and worries the plan answers"), widget=_area(5))
    professional_help = _text(label=_("Help the family asks from professionals"))
    monitor = MemberChoice(label=_("Who keeps an eye on the plan"), queryset=CircleMember.objects.none(),
                           required=False, empty_label=_("Choose a person"))
    convenor = MemberChoice(label=_("Who calls the circle together when the plan must change"),
                            queryset=CircleMember.objects.none(), required=False,
                            empty_label=_("Choose a person"))
    evaluation_date = forms.DateField(label=_("Evaluation date"), required=False, widget=DateInput())
    keep_informed = _text(label=_("How we keep each other informed"))
    when_not_kept = _text(label=_("What we do when an agreement is not kept or things change"))
    copy_recipients = MembersChoice(label=_("People of the circle who may receive a copy"),
                                    queryset=CircleMember.objects.none(), required=False,
                                    widget=forms.CheckboxSelectMultiple)
    copy_professionals = ProfessionalsChoice(label=_("Professionals who may receive a copy"),
                                             queryset=CaseProfessional.objects.none(), required=False,
                                             widget=forms.CheckboxSelectMultiple)
    change_note = forms.CharField(label=_("What changed in this version"), required=False,
                                  max_length=ROW_TEXT_MAX, widget=_area(2))

    def __init__(self, *args: Any, case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        circle = CircleMember.objects.filter(case=case).order_by("role", "name", "pk")
        for name in ("monitor", "convenor", "copy_recipients"):
            self.fields[name].queryset = circle
        self.fields["copy_professionals"].queryset = CaseProfessional.objects.filter(case=case).order_by("name")
        self.fields["language"].choices = [("", _("Choose a language")),
                                           *((code, name) for code, name in LANGUAGES.items())]


class AgreementForm(forms.Form):
    who = MemberChoice(label=_("Who"), queryset=CircleMember.objects.none(), required=False,
                       empty_label=_("Choose a person"))
    what = forms.CharField(label=_("What"), required=False, max_length=ROW_TEXT_MAX, widget=_area(2))
    when = forms.CharField(label=_("When or how often"), required=False, max_length=200,
                           widget=forms.TextInput(attrs={"dir": "auto"}))
    starts_on = forms.DateField(label=_("From"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    conditions = ConditionsChoice(label=_("Meets these safety conditions"), required=False,
                                  queryset=SafetyCondition.objects.none(),
                                  widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, case, conditions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["who"].queryset = CircleMember.objects.filter(case=case).order_by("role", "name", "pk")
        self.fields["conditions"].queryset = conditions

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.cleaned_data.get("DELETE"):
            return data
        used = any(data.get(n) for n in ("who", "what", "when", "starts_on", "ends_on"))
        if used:
            if not data.get("who"):
                self.add_error("who", _("Choose who does this."))
            if not data.get("what"):
                self.add_error("what", _("Write down what they do."))
            if not data.get("when"):
                self.add_error("when", _("Write down when or how often."))
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class BaseAgreementFormSet(forms.BaseFormSet):
    def agreements(self) -> list[AgreementData]:
        out = []
        for f in self.forms:
            data = f.cleaned_data
            if not data or data.get("DELETE") or not data.get("who"):
                continue
            out.append(AgreementData(who=data["who"], what=data["what"], when=data["when"],
                                     starts_on=data.get("starts_on"), ends_on=data.get("ends_on"),
                                     conditions=tuple(data.get("conditions") or ())))
        return out


AgreementFormSet = forms.formset_factory(AgreementForm, formset=BaseAgreementFormSet, extra=1,
                                         max_num=60, validate_max=True, can_delete=True)
AGREEMENTS_PREFIX = "agreements"


class AnswerForm(forms.Form):
    condition = ConditionChoice(label=_("Safety condition it answers"), required=False,
                                queryset=SafetyCondition.objects.none(), empty_label=_("No safety condition"))
    text = forms.CharField(label=_("Our answer"), required=False, max_length=TEXT_MAX, widget=_area(3))

    def __init__(self, *args: Any, conditions, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condition"].queryset = conditions


class BaseAnswerFormSet(forms.BaseFormSet):
    def answers(self) -> list[AnswerData]:
        return [
            AnswerData(text=f.cleaned_data["text"], condition=f.cleaned_data.get("condition"))
            for f in self.forms
            if f.cleaned_data and f.cleaned_data.get("text") and not f.cleaned_data.get("DELETE")
        ]


AnswerFormSet = forms.formset_factory(AnswerForm, formset=BaseAnswerFormSet, extra=1, max_num=60,
                                      validate_max=True)
ANSWERS_PREFIX = "answers"


def conditions_queryset(case):
    return SafetyCondition.objects.filter(pk__in=[c.pk for c in current_conditions(case)]).order_by("order", "pk")


def plan_forms(case, data=None, *, version=None):
    """The plan form and its two formsets, bound to `data` or filled from `version`."""
    conditions = conditions_queryset(case)
    initial = agreements_initial = answers_initial = None
    if data is None:
        initial = {"based_on": version.number if version else None}
        if version is not None:
            initial.update({
                name: getattr(version, name) for name in (
                    "language", "concerns_answered", "professional_help", "monitor", "convenor",
                    "evaluation_date", "keep_informed", "when_not_kept")
            })
            initial["copy_recipients"] = list(version.copy_recipients.all())
            initial["copy_professionals"] = list(version.copy_professionals.all())
            agreements_initial = [
                {"who": a.who, "what": a.what, "when": a.when, "starts_on": a.starts_on, "ends_on": a.ends_on,
                 "conditions": list(a.conditions.all())}
                for a in version.agreements.select_related("who").prefetch_related("conditions")
            ]
            answers_initial = [{"condition": a.condition, "text": a.text}
                               for a in version.answers.select_related("condition")]
        else:
            answers_initial = [{"condition": c} for c in conditions]
    form = PlanForm(data, case=case, initial=initial)
    agreements = AgreementFormSet(data, prefix=AGREEMENTS_PREFIX, initial=agreements_initial,
                                  form_kwargs={"case": case, "conditions": conditions})
    answers = AnswerFormSet(data, prefix=ANSWERS_PREFIX, initial=answers_initial,
                            form_kwargs={"conditions": conditions})
    return form, agreements, answers


def plan_data(form: PlanForm, agreements: BaseAgreementFormSet, answers: BaseAnswerFormSet) -> PlanData:
    data = form.cleaned_data
    return PlanData(
        language=data["language"], concerns_answered=data["concerns_answered"],
        professional_help=data["professional_help"], monitor=data["monitor"], convenor=data["convenor"],
        evaluation_date=data["evaluation_date"], keep_informed=data["keep_informed"],
        when_not_kept=data["when_not_kept"], copy_recipients=list(data["copy_recipients"]),
        copy_professionals=list(data["copy_professionals"]), change_note=data["change_note"],
        agreements=agreements.agreements(), answers=answers.answers(),
    )


# --- part 3 and the decision ----------------------------------------------------------------


class ConditionTestForm(forms.Form):
    met = forms.ChoiceField(label=_("Is this condition met by the plan?"), choices=MET, required=False,
                            widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=ROW_TEXT_MAX, widget=_area(2))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("met") and not data.get("reason"):
            self.add_error("reason", _("Give a reason."))
        return data


def condition_test_forms(conditions, tests: dict, data=None) -> list[tuple[Any, ConditionTestForm]]:
    out = []
    for condition in conditions:
        test = tests.get(condition.pk)
        initial = {"met": "yes" if test.met else "no", "reason": test.reason} if test else None
        out.append((condition, ConditionTestForm(data, prefix=f"c{condition.pk}", initial=initial)))
    return out


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept the plan")),
                                          ("reject", _("The plan is not accepted"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why not"), required=False, max_length=ROW_TEXT_MAX, widget=_area(2))


class ReviseForm(forms.Form):
    change_note = forms.CharField(label=_("What the circle wants to change"), required=False,
                                  max_length=ROW_TEXT_MAX, widget=_area(2))
