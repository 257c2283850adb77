from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kring.core.kept import kept

from .lifecycle import TRANSITIONS
from .models import State


class StepForm(forms.Form):
    step = forms.ChoiceField(choices=[(t.name, t.label) for t in TRANSITIONS.values()])
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    coordinator = forms.IntegerField(widget=forms.HiddenInput)


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by reference"), max_length=20, required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *State.choices])


FIELD_TEMPLATE = "includes/field.html"

def filter_field_html(form: CaseFilterForm | None, name: str) -> SafeString:
    """One field of the case filter as `includes/field.html` writes it.

    Without errors the HTML depends only on the language and the field's value. The state's
    valid values are a fixed set and an empty search box is one value, so those are rendered
    once per language and kept: they hold nothing of the user or the request. A search that
    was typed in, or a field with errors, is rendered each time. `form` None stands for the
    empty form, made only when its HTML is not kept yet.
    """
    if form is None:
        value = None
    else:
        field = form[name]
        value = field.value()
        if field.errors or (name == "q" and value):
            return render_to_string(FIELD_TEMPLATE, {"field": field})
    return mark_safe(kept(f"case-filter-{name}-{value or ''}", lambda: render_to_string(  # noqa: S308 (template engine)
        FIELD_TEMPLATE, {"field": (form or CaseFilterForm())[name]})))


def step_reason_html() -> SafeString:
    """The reason field of an empty step form as `includes/field.html` writes it.

    The case page shows it on every GET, always empty: the same HTML for everyone (no value,
    no errors, nothing of the user, the case or the request), so it is rendered once per language.
    """
    return mark_safe(kept("case-step-reason", lambda: render_to_string(  # noqa: S308 (template engine)
        FIELD_TEMPLATE, {"field": StepForm()["reason"]})))
