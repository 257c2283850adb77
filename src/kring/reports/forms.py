"""Forms of the reports app: the dashboard filter (a GET form) and the offer form."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from kring.cases.models import TriggerMoment
from kring.regions.models import Municipality

from .figures import default_period
from .models import Answer, Exemption, NoReason

MAX_PERIOD = timedelta(days=366 * 5)
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2100, 12, 31)


class QuickSelect(forms.Select):
    """A select rendered in Python, with the same markup as Django's templates. The list of every
    municipality is 344 options: one template per option cost more than all the figures."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            options.append(format_html('<option value="{}"{}>{}</option>', option_value,
                                       mark_safe(" selected") if option_value in selected else "", label))
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs),
                           mark_safe("".join(options)))  # noqa: S308 - each option is built with format_html


class FilterForm(forms.Form):
    """Region (and municipality, for policy) and a period of request dates."""

    region = forms.ModelChoiceField(queryset=None, required=False, label=_("Region"),
                                    empty_label=_("All my regions"), widget=QuickSelect)
    municipality = forms.ModelChoiceField(queryset=None, required=False, label=_("Municipality"),
                                          empty_label=_("All municipalities"), widget=QuickSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Requests that came in between these dates, both included."))

    def __init__(self, data=None, *, regions, with_municipality: bool = False, all_label=None):
        super().__init__(data)
        self.regions = regions
        self.fields["region"].queryset = regions
        self.fields["region"].to_field_name = "code"
        if all_label:
            self.fields["region"].empty_label = all_label
        if with_municipality:
            self.fields["municipality"].queryset = Municipality.objects.filter(region__in=regions)
            self.fields["municipality"].to_field_name = "cbs_code"
        else:
            del self.fields["municipality"]

    def clean(self):
        data = super().clean()
        start, end = default_period()
        data["date_from"] = data.get("date_from") or start
        data["date_to"] = data.get("date_to") or end
        for name in ("date_from", "date_to"):
            if not MIN_DATE <= data[name] <= MAX_DATE:
                self.add_error(name, _("Choose a date between 2000 and 2100."))
                return data
        if data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Choose an end date after the start date."))
        elif data["date_to"] - data["date_from"] > MAX_PERIOD:
            self.add_error("date_from", _("Choose a period of at most 5 years."))
        municipality = data.get("municipality")
        region = data.get("region")
        if municipality is not None and region is not None and municipality.region_id != region.pk:
            self.add_error("municipality", _("This municipality is not in the chosen region."))
        return data

    def scope_values(self) -> dict:
        """Valid values, or the defaults when the form has errors."""
        if self.is_valid():
            data = self.cleaned_data
            regions = self.regions.filter(pk=data["region"].pk) if data.get("region") else self.regions
            return {"regions": regions, "municipality": data.get("municipality"),
                    "date_from": data["date_from"], "date_to": data["date_to"]}
        start, end = default_period()
        return {"regions": self.regions, "municipality": None, "date_from": start, "date_to": end}


class OfferForm(forms.Form):
    moment = forms.ChoiceField(label=_("At which moment did you offer the plan?"), choices=TriggerMoment.choices)
    offered_on = forms.DateField(label=_("Date of the offer"), initial=timezone.localdate,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    answer = forms.ChoiceField(label=_("What did the family answer?"), choices=Answer.choices,
                               widget=forms.RadioSelect)
    reason = forms.ChoiceField(label=_("Why not (now)?"), choices=[("", "—"), *NoReason.choices], required=False,
                               help_text=_("Fill this in when the family says no."))
    offer_again_on = forms.DateField(label=_("Offer it again on"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}),
                                     help_text=_("You get a reminder on your list of offers on this day."))
    exemption = forms.ChoiceField(label=_("Does the law require the offer?"), choices=Exemption.choices,
                                  required=False)

    def clean(self):
        data = super().clean()
        if data.get("answer") == Answer.NO and not data.get("reason"):
            self.add_error("reason", _("Choose why the family says no."))
        if data.get("answer") == Answer.NOT_NOW and not data.get("offer_again_on"):
            self.add_error("offer_again_on", _("Choose when you offer the plan again."))
        return data
