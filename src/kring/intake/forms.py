"""The request forms: one for the public, one for signed-in professionals.

They validate like a careful clerk; on any error nothing is saved.
"""

from __future__ import annotations

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import Gender, ProfessionalKind
from kring.cases.models import LegalFrame, RequesterKind, TriggerMoment, Urgency
from kring.core.languages import LANGUAGES
from kring.regions.models import Municipality

LANGUAGE_CHOICES = [("", _("No preference")), *LANGUAGES.items()]
GENDER_CHOICES = [("", _("No preference")), *Gender.choices]


def clean_phone(value: str) -> str:
    """Parse a phone number (Dutch by default) and return it in E.164, or raise."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "NL")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number we can use."), code="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number does not exist. Check the digits."), code="phone"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class MunicipalityField(forms.CharField):
    """A municipality typed by name (with suggestions in the page), checked to exist."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        municipality = Municipality.objects.select_related("region").filter(name__iexact=value.strip()).first()
        if municipality is None:
            raise ValidationError(
                _("We do not know the municipality '%(name)s'. Choose one from the list."),
                code="municipality",
                params={"name": value},
            )
        return municipality


class RequestForm(forms.Form):
    """What every request holds, whoever sends it."""

    municipality = MunicipalityField(
        label=_("Municipality where the family lives"), max_length=100,
        widget=forms.TextInput(attrs={"list": "municipalities", "autocomplete": "off"}),
    )
    situation = forms.CharField(
        label=_("What is going on? Describe it in a few sentences"), max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    legal_frame = forms.ChoiceField(label=_("Is there a legal measure?"), choices=LegalFrame.choices)
    trigger_moment = forms.ChoiceField(label=_("Why now?"), choices=TriggerMoment.choices)
    urgency = forms.ChoiceField(
        label=_("How urgent is it?"), choices=Urgency.choices, initial=Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    pref_gender = forms.ChoiceField(label=_("Coordinator: man or woman?"), choices=GENDER_CHOICES,
                                    required=False)
    pref_language = forms.ChoiceField(label=_("Coordinator speaks"), choices=LANGUAGE_CHOICES,
                                      required=False)
    language_required = forms.BooleanField(
        label=_("The family cannot talk well in Dutch: this language is needed"), required=False
    )
    pref_culture = forms.CharField(label=_("Cultural background of the coordinator"), max_length=100,
                                   required=False)
    pref_religion = forms.CharField(label=_("Religion of the coordinator"), max_length=100,
                                    required=False)
    pref_other = forms.CharField(label=_("Other wishes"), max_length=300, required=False)
    phone_consent = forms.BooleanField(
        label=_("The family agrees that their phone numbers are passed on to the regional "
                "manager and the coordinator"),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("language_required") and not data.get("pref_language"):
            self.add_error("pref_language", _("Choose the language the family needs."))
        return data


class PublicRequestForm(RequestForm):
    requester_kind = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[c for c in RequesterKind.choices if c[0] != RequesterKind.PROFESSIONAL]
        + [(RequesterKind.PROFESSIONAL, RequesterKind.PROFESSIONAL.label)],
    )
    requester_name = forms.CharField(label=_("Your name"), max_length=200)
    requester_email = forms.EmailField(
        label=_("Your e-mail address"), help_text=_("We send a confirmation with a reference number.")
    )
    requester_phone = forms.CharField(label=_("Your phone number"), max_length=32, required=False)
    # Honeypot: hidden from people (and screen readers); bots fill it in.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    field_order = ["requester_kind", "requester_name", "requester_email", "requester_phone"]

    def clean_requester_phone(self):
        return clean_phone(self.cleaned_data.get("requester_phone", ""))

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("This form could not be sent."), code="bot")
        return ""

    def clean(self):
        data = super().clean()
        if data.get("requester_phone") and not data.get("phone_consent"):
            self.add_error(
                "phone_consent",
                _("Tick this box if we may pass on phone numbers, or leave the phone numbers empty."),
            )
        return data


class ProfessionalRequestForm(RequestForm):
    requester_professional_kind = forms.ChoiceField(
        label=_("Your role with the family"), choices=ProfessionalKind.choices
    )


class PersonForm(forms.Form):
    """A parent or a child. Empty rows are skipped."""

    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    role = "parent"

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise ValidationError(_("A date of birth cannot be in the future."), code="future")
        if value and value.year < 1900:
            raise ValidationError(_("Check the year of birth."), code="too_old")
        return value

    def clean_phone(self):
        return clean_phone(self.cleaned_data.get("phone", ""))

    def clean(self):
        data = super().clean()
        filled = any(data.get(f) for f in ("birth_date", "phone", "email"))
        if filled and not data.get("name"):
            self.add_error("name", _("Fill in the name."))
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("name"))


class ChildForm(PersonForm):
    role = "child"

    def clean(self):
        data = super().clean()
        if data.get("name") and not data.get("birth_date") and "birth_date" not in self.errors:
            self.add_error("birth_date", _("Fill in the date of birth of the child."))
        return data


class ProfessionalInvolvedForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Role"), choices=[("", "-"), *ProfessionalKind.choices],
                             required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def clean(self):
        data = super().clean()
        if any(data.get(f) for f in ("organisation", "kind", "email")) and not data.get("name"):
            self.add_error("name", _("Fill in the name."))
        return data


class BaseRowFormSet(forms.BaseFormSet):
    def filled_rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("name")]


class BaseParentFormSet(BaseRowFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.filled_rows():
            raise ValidationError(_("Fill in at least one parent or carer."), code="no_parent")


class BaseChildFormSet(BaseRowFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.filled_rows():
            raise ValidationError(_("Fill in at least one child or young person."), code="no_child")


ParentFormSet = forms.formset_factory(PersonForm, formset=BaseParentFormSet, extra=2, max_num=4,
                                      validate_max=True)
ChildFormSet = forms.formset_factory(ChildForm, formset=BaseChildFormSet, extra=4, max_num=10,
                                     validate_max=True)
ProfessionalFormSet = forms.formset_factory(ProfessionalInvolvedForm, formset=BaseRowFormSet,
                                            extra=2, max_num=6, validate_max=True)


def phone_numbers_need_consent(form: RequestForm, *formsets: BaseRowFormSet) -> bool:
    """True (and an error added to each number) when phone numbers were given without consent."""
    if form.cleaned_data.get("phone_consent"):
        return False
    missing = False
    for formset in formsets:
        for row_form in formset.forms:
            if row_form.cleaned_data.get("phone"):
                row_form.add_error(
                    "phone", _("We may only keep this number when the family agrees. Tick the box "
                               "about phone numbers, or leave it empty.")
                )
                missing = True
    return missing
