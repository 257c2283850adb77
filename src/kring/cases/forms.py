from django import forms
from django.utils.translation import gettext_lazy as _

from .lifecycle import TRANSITIONS


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS.values()])
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    coordinator = forms.IntegerField(widget=forms.HiddenInput)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by reference"), max_length=20, required=False)
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import State

        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("All states")), *State.choices]
