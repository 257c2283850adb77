"""Forms of the conference pages. They check the input; the services check the rules."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.network.models import CircleMember

from .models import Channel, Part, PrepStatus, Response

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


def _datetime_field(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, help_text=help_text,
                               widget=DateTimeLocalInput(),
                               input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])


NOTE_MAX = 1000


class PreparationItemForm(forms.Form):
    """One item of the checklist (the API changes one at a time)."""

    status = forms.ChoiceField(label=_("Status"), choices=PrepStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX)


class PreparationForm(forms.Form):
    """The whole checklist in one form: for each item a status and a note."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"{item.code}-status"] = forms.ChoiceField(
                label=item.get_code_display(), choices=PrepStatus.choices, initial=item.status,
                widget=forms.RadioSelect,
            )
            self.fields[f"{item.code}-note"] = forms.CharField(
                label=_("Note"), required=False, max_length=NOTE_MAX, initial=item.note,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def rows(self):
        return [(item, self[f"{item.code}-status"], self[f"{item.code}-note"]) for item in self.items]

    def changes(self) -> dict:
        from .services import ItemChange

        return {item.code: ItemChange(self.cleaned_data[f"{item.code}-status"],
                                      self.cleaned_data[f"{item.code}-note"]) for item in self.items}


class ConferenceForm(forms.Form):
    starts_at = _datetime_field(_("Date and start time"))
    ends_at = _datetime_field(_("End time"), required=False,
                              help_text=_("Leave empty if you do not know yet."))
    venue = forms.CharField(label=_("Venue"), max_length=200,
                            help_text=_("For example: community centre De Linde, or at grandmother's home."))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    remote_link = forms.URLField(
        label=_("Link for taking part from a distance"), required=False, max_length=200, assume_scheme="https",
        validators=[URLValidator(schemes=["https"])],
        help_text=_("A video call link that starts with https://."),
    )
    notes = forms.CharField(label=_("Practical notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("Only for the people who prepare the conference; not sent to anyone."))

    @classmethod
    def initial_for(cls, conference) -> dict:
        if conference is None:
            return {}
        return {
            "starts_at": timezone.localtime(conference.starts_at),
            "ends_at": timezone.localtime(conference.ends_at) if conference.ends_at else None,
            "venue": conference.venue, "address": conference.address,
            "remote_link": conference.remote_link, "notes": conference.notes,
        }


class RecordForm(forms.Form):
    """Times of the three parts (on the day of the conference), who was present, chair and writer.

    Professionals get no box for part 2; a crafted request that marks one
    anyway reaches the service, which refuses it.
    """

    chair = forms.ModelChoiceField(label=_("Chair of the private family time"), queryset=CircleMember.objects.none(),
                                   required=False, empty_label=_("not recorded"))
    writer = forms.ModelChoiceField(label=_("Writes the plan down"), queryset=CircleMember.objects.none(),
                                    required=False, empty_label=_("not recorded"))

    def __init__(self, *args, conference, members, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.members = members
        self.professionals = professionals
        self.fields["chair"].queryset = CircleMember.objects.filter(case=conference.case)
        self.fields["writer"].queryset = CircleMember.objects.filter(case=conference.case)
        self.initial.setdefault("chair", conference.chair_id)
        self.initial.setdefault("writer", conference.writer_id)
        for part, start, end in conference.part_times():
            self.fields[f"part{part}_start"] = forms.TimeField(
                label=_("Part %(part)s started at") % {"part": part}, required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                initial=timezone.localtime(start).time() if start else None)
            self.fields[f"part{part}_end"] = forms.TimeField(
                label=_("Part %(part)s ended at") % {"part": part}, required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                initial=timezone.localtime(end).time() if end else None)
        present = {(p.part, p.member_id, p.professional_id): p for p in conference.presences.all()}
        for kind, people in (("m", members), ("pro", professionals)):
            for person in people:
                remote = False
                for part in Part.values:
                    key = (part, person.pk, None) if kind == "m" else (part, None, person.pk)
                    presence = present.get(key)
                    remote = remote or bool(presence and presence.remote)
                    self.fields[f"{kind}{person.pk}_p{part}"] = forms.BooleanField(
                        required=False, initial=presence is not None,
                        label=_("%(name)s present in part %(part)s") % {"name": person.name, "part": part})
                self.fields[f"{kind}{person.pk}_remote"] = forms.BooleanField(
                    required=False, initial=remote,
                    label=_("%(name)s took part from a distance") % {"name": person.name})

    def times(self):
        return [(part, self[f"part{part}_start"], self[f"part{part}_end"]) for part in Part.values]

    def rows(self):
        """(person, kind label, [bound field or None per part], remote field) for the table."""
        out = []
        for kind, people, label in (("m", self.members, _("circle")),
                                    ("pro", self.professionals, _("professional"))):
            for person in people:
                cells = [None if (kind == "pro" and part == Part.PRIVATE) else self[f"{kind}{person.pk}_p{part}"]
                         for part in Part.values]
                out.append((person, label, cells, self[f"{kind}{person.pk}_remote"]))
        return out

    def parts(self) -> dict:
        day = timezone.localdate(self.conference.starts_at)
        tz = timezone.get_current_timezone()
        out = {}
        for part in Part.values:
            start, end = self.cleaned_data[f"part{part}_start"], self.cleaned_data[f"part{part}_end"]
            out[part] = (datetime.combine(day, start, tzinfo=tz) if start else None,
                         datetime.combine(day, end, tzinfo=tz) if end else None)
        return out

    def presences(self) -> list:
        from .services import PresenceData

        out = []
        for kind, people in (("m", self.members), ("pro", self.professionals)):
            for person in people:
                remote = self.cleaned_data[f"{kind}{person.pk}_remote"]
                for part in Part.values:
                    if self.cleaned_data[f"{kind}{person.pk}_p{part}"]:
                        out.append(PresenceData(part=part, remote=remote,
                                                member_id=person.pk if kind == "m" else None,
                                                professional_id=person.pk if kind == "pro" else None))
        return out


class InviteForm(forms.Form):
    members = forms.ModelMultipleChoiceField(
        label=_("Who do you invite?"), queryset=CircleMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Send by"), choices=Channel.choices, initial=[Channel.EMAIL, Channel.SMS],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members_queryset
        self.fields["members"].label_from_instance = self._label

    @staticmethod
    def _label(member) -> str:
        ways = [str(label) for value, label in Channel.choices
                if (value == Channel.EMAIL and member.email) or (value == Channel.SMS and member.phone)]
        relation = f" ({member.relation})" if member.relation else ""
        return f"{member.name}{relation}: {', '.join(ways)}"


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[(v, label) for v, label in Response.choices if v])
