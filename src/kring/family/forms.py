from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kring.network.models import Side
from kring.regions.models import Municipality

from .signin import parse_address


class AddressForm(forms.Form):
    address = forms.CharField(
        label=_("Your e-mail address or mobile number"), max_length=200,
        help_text=_("Use the address or number that your coordinator or professional has."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )

    def clean_address(self):
        address = parse_address(self.cleaned_data["address"])
        if address is None:
            raise forms.ValidationError(_("Fill in an e-mail address (name@example.nl) or a mobile number (06 12345678)."))
        return address


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code of 6 digits"), max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ConsentForm(forms.Form):
    kind = forms.CharField()
    member = forms.IntegerField(required=False)
    professional = forms.IntegerField(required=False)
    granted = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])


# --- the plan the family makes itself ---------------------------------------------------------


class StartForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200,
                           widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}))
    email = forms.EmailField(label=_("Your e-mail address"),
                             help_text=_("With this address you can sign in later and go on with your plan."),
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    municipality = forms.CharField(label=_("Municipality where you live"), max_length=100,
                                   widget=forms.TextInput(attrs={"list": "municipalities", "autocomplete": "off"}))

    def clean_municipality(self):
        name = self.cleaned_data["municipality"].strip()
        municipality = Municipality.objects.select_related("region").filter(name__iexact=name).first()
        if municipality is None:
            raise forms.ValidationError(_("Choose a municipality from the list."))
        return municipality


def _text(label, help_text="", required=True, rows=4):
    return forms.CharField(label=label, help_text=help_text, required=required,
                           widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}))


class ProblemForm(forms.Form):
    problem = _text(_("What must the plan solve?"),
                    _("Write it in your own words and in your own language. For example: who takes the "
                      "children to school when I am in hospital?"))


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"dir": "auto"}))
    relation = forms.CharField(label=_("Who is this for you?"), max_length=200, required=False,
                               help_text=_("For example: my sister, neighbour, football coach."),
                               widget=forms.TextInput(attrs={"dir": "auto"}))
    side = forms.ChoiceField(label=_("Side of the family"), choices=Side.choices, initial=Side.NONE)
    email = forms.EmailField(label=_("E-mail address"), required=False,
                             help_text=_("Needed if you want Kring to send the invitation."))


class MeetingForm(forms.Form):
    invite_how = _text(_("Will you ask them yourself, or who helps you invite them?"), required=False, rows=2)
    place = forms.CharField(label=_("Where can you meet?"), max_length=200, required=False,
                            widget=forms.TextInput(attrs={"dir": "auto"}))
    meet_on = forms.DateField(label=_("On which day do you meet?"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


class AgreementForm(forms.Form):
    who = forms.TypedChoiceField(label=_("Who does it?"), coerce=int)
    what = _text(_("What will this person do?"), rows=2)
    when = forms.CharField(label=_("When or how often?"), max_length=200,
                           widget=forms.TextInput(attrs={"dir": "auto"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [(m.pk, m.name) for m in members]


class MeetingNotesForm(forms.Form):
    writer = forms.CharField(label=_("Who writes the plan down?"), max_length=200, required=False,
                             widget=forms.TextInput(attrs={"dir": "auto"}))
    safety = _text(_("Is there a safety condition from a youth protection worker? Write it here."),
                   _("Your plan must meet this condition. Leave it empty if there is none."), required=False,
                   rows=2)


class SharingForm(forms.Form):
    copy = forms.TypedMultipleChoiceField(label=_("Who may get a copy of the plan?"), coerce=int,
                                          required=False, widget=forms.CheckboxSelectMultiple)
    monitor = forms.TypedChoiceField(label=_("Who keeps an eye on whether the agreements are kept?"),
                                     coerce=int, required=False, empty_value=None)
    when_not_kept = _text(_("What happens when things go wrong or the situation changes?"), rows=3)
    keep_informed = _text(_("How do you keep each other informed?"), rows=2)
    evaluation_date = forms.DateField(label=_("When do you look back at the plan together?"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    share_with_professional = forms.BooleanField(
        label=_("Send the plan to our professional"), required=False)
    professional_name = forms.CharField(label=_("Name of the professional"), max_length=200, required=False)
    professional_email = forms.EmailField(label=_("E-mail address of the professional"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy"].choices = [(m.pk, m.name) for m in members]
        self.fields["monitor"].choices = [("", _("Choose a person")), *[(m.pk, m.name) for m in members]]

    def clean(self):
        data = super().clean()
        if data.get("share_with_professional") and not data.get("professional_email"):
            self.add_error("professional_email", _("Fill in the e-mail address of the professional."))
        return data
