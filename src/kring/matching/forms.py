from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SuggestForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Regions"), coerce=int, empty_value=None, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("All my regions")), *((r.pk, r.name) for r in regions)]


class ChangeForm(forms.Form):
    case = forms.IntegerField()
    coordinator = forms.IntegerField(required=False)
    drop = forms.BooleanField(required=False)
