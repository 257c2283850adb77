"""Forms of the follow-up pages. The rules live in `services.py`; these check the shape."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.conferences.forms import DateTimeLocalInput
from kring.plans.forms import DateInput

from .models import ChildLives, HelpChange, PlanRunning, Rating


class ScheduleForm(forms.Form):
    reminder = forms.IntegerField(widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[("move", _("Move")), ("cancel", _("Cancel"))])
    due_at = forms.DateTimeField(label=_("New moment"), required=False, widget=DateTimeLocalInput())

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("due_at"):
            self.add_error("due_at", _("Choose the new moment."))
        return data


class ReminderIdForm(forms.Form):
    reminder = forms.IntegerField(widget=forms.HiddenInput)


class ReconveneForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("When does the circle meet?"), widget=DateTimeLocalInput())
    venue = forms.CharField(label=_("Where?"), max_length=200)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


class OutcomeForm(forms.Form):
    plan_running = forms.ChoiceField(label=_("Is the plan still running?"), choices=PlanRunning.choices,
                                     widget=forms.RadioSelect)
    child_lives = forms.ChoiceField(label=_("Where does the child live?"), choices=ChildLives.choices,
                                    widget=forms.RadioSelect)
    professional_help = forms.ChoiceField(label=_("Professional help compared to before the conference"),
                                          choices=HelpChange.choices, widget=forms.RadioSelect)
    family_satisfaction = forms.IntegerField(label=_("Satisfaction of the family (1-10)"), min_value=1,
                                             max_value=10)
    professional_satisfaction = forms.IntegerField(label=_("Satisfaction of the professional (1-10)"),
                                                   min_value=1, max_value=10)


def rating_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Rating.choices, widget=forms.RadioSelect)


class RatingsForm(forms.Form):
    """One rating and comment per agreement: `rating_<id>` and `comment_<id>`."""

    def __init__(self, *args, agreements, comment_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        comment_label = comment_label or _("Comment (optional)")
        self.agreements = list(agreements)
        for agreement in self.agreements:
            self.fields[f"rating_{agreement.pk}"] = rating_field(agreement.what)
            self.fields[f"comment_{agreement.pk}"] = forms.CharField(
                label=comment_label, max_length=2000, required=False,
                widget=forms.Textarea(attrs={"rows": 2}))

    def rows(self):
        return [(a, self[f"rating_{a.pk}"], self[f"comment_{a.pk}"]) for a in self.agreements]


class EvaluationForm(RatingsForm):
    # The browser's date input takes only ISO dates (2027-01-11), not the Dutch 11-01-2027.
    held_on = forms.DateField(label=_("Date of the evaluation"), widget=DateInput())
    attendees = forms.MultipleChoiceField(label=_("Who came?"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    changes = forms.CharField(label=_("What changes in the plan?"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    next_evaluation_date = forms.DateField(label=_("Next evaluation date (optional)"), required=False,
                                           widget=DateInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, comment_label=_("Note (optional)"), **kwargs)
        self.fields["attendees"].choices = [(str(m.pk), m.name) for m in members]
        self.members = {m.pk: m for m in members}
        for agreement in self.agreements:
            self.fields[f"stop_{agreement.pk}"] = forms.BooleanField(
                label=_("Stop this agreement"), required=False)

    def rows(self):
        return [(a, self[f"rating_{a.pk}"], self[f"comment_{a.pk}"], self[f"stop_{a.pk}"])
                for a in self.agreements]
