"""Forms of the circle page. The API checks its input with the same forms."""

from __future__ import annotations

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from kring.core.languages import LANGUAGES
from kring.intake.forms import clean_phone

from .models import (
    CONFERENCE_PARTS,
    EDITABLE_FIELDS,
    NEXT_IN_ORDER,
    ArrangementKind,
    Attendance,
    CircleMember,
    MemberStatus,
)

LANGUAGE_CHOICES = [("", _("Dutch or not known")), *LANGUAGES.items()]
PART_CHOICES = [(p, _("Part %(n)s") % {"n": p}) for p in CONFERENCE_PARTS]


class MemberForm(forms.ModelForm):
    """A person of the circle: who they are and how to reach them."""

    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)

    class Meta:
        model = CircleMember
        fields = ["role", *EDITABLE_FIELDS]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            "relation": forms.TextInput(attrs={"dir": "auto"}),
            "notes": forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone", ""))


class MemberEditForm(MemberForm):
    """The same fields without the role, plus the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta(MemberForm.Meta):
        fields = list(EDITABLE_FIELDS)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MemberStatus.choices)
    attendance = forms.ChoiceField(label=_("Took part"), choices=[("", "-"), *Attendance.choices],
                                   required=False)


def _listed(members: list[CircleMember]) -> type[ModelChoiceIterator]:
    """A choice iterator over members already read, instead of one query per select."""

    class Listed(ModelChoiceIterator):
        def __iter__(self):
            if self.field.empty_label is not None:
                yield ("", self.field.empty_label)
            for member in members:
                yield self.choice(member)

        def __len__(self) -> int:
            return len(members) + (self.field.empty_label is not None)

    return Listed


class ArrangementForm(forms.Form):
    """A safety arrangement; the people are chosen from this case's circle."""

    kind = forms.ChoiceField(label=_("Arrangement"), choices=ArrangementKind.choices)
    person = forms.ModelChoiceField(label=_("Person"), queryset=CircleMember.objects.none())
    other = forms.ModelChoiceField(label=_("With"), queryset=CircleMember.objects.none(), required=False,
                                   help_text=_("For 'must not meet' and 'only with someone present'."))
    present = forms.ModelChoiceField(label=_("Only when this person is there"),
                                     queryset=CircleMember.objects.none(), required=False)
    parts = forms.TypedMultipleChoiceField(label=_("Parts of the conference"), choices=PART_CHOICES,
                                           coerce=int, required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("For 'takes part only in some parts'."))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))

    def __init__(self, *args, case, members: list[CircleMember] | None = None, **kwargs):
        """`members`: the case's circle by role, name and id when the caller read it already
        (`read_circle(case).listed`); an unbound form then lists them without a query."""
        # Its own ids: the member form on the same page has a field "kind" too.
        kwargs.setdefault("auto_id", "id_arrangement_%s")
        super().__init__(*args, **kwargs)
        members_qs = CircleMember.objects.filter(case=case).order_by("role", "name", "id")
        # A posted choice is checked against the database; an empty form lists the people
        # read already, or reads them once for the three lists.
        listed = None if self.is_bound else members if members is not None else list(members_qs)
        for name in ("person", "other", "present"):
            if listed is not None:
                self.fields[name].iterator = _listed(listed)  # before the queryset: it sets the widget's choices
            self.fields[name].empty_label = "-"
            self.fields[name].queryset = members_qs


#: The label of the button that moves a person to a status (with how they took part).
STATUS_ACTION_LABELS = {
    (MemberStatus.APPROACHED, ""): _("Approached"),
    (MemberStatus.INVITED, ""): _("Invited"),
    (MemberStatus.CONFIRMED, ""): _("Said yes"),
    (MemberStatus.DECLINED, ""): _("Said no"),
    (MemberStatus.ATTENDED, Attendance.IN_PERSON): _("Came in person"),
    (MemberStatus.ATTENDED, Attendance.REMOTE): _("Took part from a distance"),
    (MemberStatus.AGREEMENT, ""): _("Took on an agreement"),
}


#: The buttons for each status: (status, attendance, lazy label), in the order of the path.
_ACTIONS_AFTER = {
    status: [(s, attendance, label) for (s, attendance), label in STATUS_ACTION_LABELS.items() if s in following]
    for status, following in NEXT_IN_ORDER.items()
}


def status_actions(member: CircleMember) -> list[tuple[str, str, str]]:
    """(status, attendance, button label) for each step this person can take now."""
    return [(status, attendance, str(label))
            for status, attendance, label in _ACTIONS_AFTER.get(member.status, ())]
