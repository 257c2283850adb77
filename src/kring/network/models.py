"""The circle (kring): everyone around the main persons, and how they may meet safely."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    MAIN = "main", _("Main person")
    CHILD = "child", _("Child")
    NETWORK = "network", _("Network member")


class Side(models.TextChoices):
    MOTHER = "mother", _("Mother's side")
    FATHER = "father", _("Father's side")
    BOTH = "both", _("Both sides")
    NONE = "none", _("Outside the family")


class Kind(models.TextChoices):
    FAMILY = "family", pgettext_lazy("kind of circle member", "Family")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour")
    SCHOOL = "school", _("School")
    FAITH = "faith", _("Faith community")
    SPORT = "sport", _("Sport or club")
    WORK = "work", _("Work")
    PROFESSIONAL = "professional", _("Professional")


class Closeness(models.IntegerChoices):
    CLOSE = 1, pgettext_lazy("closeness", "Very close")
    NEAR = 2, pgettext_lazy("closeness", "Close")
    FAR = 3, pgettext_lazy("closeness", "Further away")


class MemberStatus(models.TextChoices):
    """The path of a person through the preparation, in order."""

    IDENTIFIED = "identified", _("Identified")
    APPROACHED = "approached", _("Approached")
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")
    AGREEMENT = "agreement", _("Took on an agreement")


#: The statuses in which a person counts as invited (and has not said no).
INVITED_STATUSES = frozenset({"invited", "confirmed", "attended", "agreement"})

#: Which status may follow which. Declined people can still be approached again.
STATUS_NEXT = {
    MemberStatus.IDENTIFIED: {MemberStatus.APPROACHED, MemberStatus.INVITED},
    MemberStatus.APPROACHED: {MemberStatus.INVITED, MemberStatus.DECLINED},
    MemberStatus.INVITED: {MemberStatus.CONFIRMED, MemberStatus.DECLINED},
    MemberStatus.CONFIRMED: {MemberStatus.ATTENDED, MemberStatus.DECLINED},
    MemberStatus.DECLINED: {MemberStatus.APPROACHED, MemberStatus.INVITED, MemberStatus.CONFIRMED},
    MemberStatus.ATTENDED: {MemberStatus.AGREEMENT},
    MemberStatus.AGREEMENT: set(),
}


class Attendance(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    REMOTE = "remote", _("From a distance")


#: The statuses that may follow each status, in the order of the path (read on every row of a page).
NEXT_IN_ORDER: dict[str, list[str]] = {
    status: [s for s in MemberStatus.values if s in allowed] for status, allowed in STATUS_NEXT.items()
}

#: Labels of the choices by value (lazy texts), as `get_FOO_display` gives them but without
#: rebuilding the choices on every call.
ROLE_LABELS = dict(MemberRole.choices)
SIDE_LABELS = dict(Side.choices)
KIND_LABELS = dict(Kind.choices)
CLOSENESS_LABELS = dict(Closeness.choices)
STATUS_LABELS = dict(MemberStatus.choices)
ATTENDANCE_LABELS = dict(Attendance.choices)


_LABELS_BY_LANGUAGE: dict[tuple[int, str | None], dict] = {}


def labels_now(labels: dict) -> dict:
    """One of the `*_LABELS` maps with its texts in the active language (kept per language)."""
    key = (id(labels), get_language())
    found = _LABELS_BY_LANGUAGE.get(key)
    if found is None:
        found = _LABELS_BY_LANGUAGE[key] = {value: str(text) for value, text in labels.items()}
    return found


def label(labels: dict, value) -> str:
    """The label of a choice in the active language; an unknown value is shown as it is."""
    return str(labels_now(labels).get(value, value))


class CircleMember(models.Model):
    """One person in the circle of a case: a main person, a child or a network member.

    Main persons and children are linked to the `CasePerson` of the request, so
    the whole circle (and every safety arrangement) refers to one kind of person.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="circle")
    case_person = models.OneToOneField(
        "cases.CasePerson", on_delete=models.CASCADE, null=True, blank=True, related_name="circle_member"
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.NETWORK)
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=200, blank=True,
                                help_text=_("For example: aunt (mother's sister), neighbour, football coach."))
    side = models.CharField(_("side of the family"), max_length=10, choices=Side.choices, default=Side.NONE)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.FAMILY)
    closeness = models.PositiveSmallIntegerField(_("closeness"), choices=Closeness.choices,
                                                 default=Closeness.NEAR)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices,
                              default=MemberStatus.IDENTIFIED)
    attendance = models.CharField(_("took part"), max_length=10, choices=Attendance.choices, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    #: Optimistic concurrency: a save with a stale version is refused.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["role", "closeness", "name", "id"]
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        indexes = [models.Index(fields=["case", "role"], name="circle_case_role")]

    def __str__(self) -> str:
        return self.name

    # The labels of the choices, as Django's `get_FOO_display` gives them, without rebuilding
    # the choices on every call: pages and the API show them for every person in a circle.
    def get_role_display(self) -> str:
        return label(ROLE_LABELS, self.role)

    def get_side_display(self) -> str:
        return label(SIDE_LABELS, self.side)

    def get_kind_display(self) -> str:
        return label(KIND_LABELS, self.kind)

    def get_status_display(self) -> str:
        return label(STATUS_LABELS, self.status)

    def get_attendance_display(self) -> str:
        return label(ATTENDANCE_LABELS, self.attendance)

    @property
    def is_family(self) -> bool:
        return self.kind == Kind.FAMILY or self.role in (MemberRole.MAIN, MemberRole.CHILD)

    @property
    def was_invited(self) -> bool:
        return self.status in (MemberStatus.INVITED, MemberStatus.CONFIRMED, MemberStatus.DECLINED,
                               MemberStatus.ATTENDED, MemberStatus.AGREEMENT)

    @property
    def came(self) -> bool:
        return self.status in (MemberStatus.ATTENDED, MemberStatus.AGREEMENT)

    @property
    def in_centre(self) -> bool:
        """Main persons and children stand in the centre of the circle."""
        return self.role in (MemberRole.MAIN, MemberRole.CHILD)

    @property
    def next_statuses(self) -> list[str]:
        """The statuses that may follow the current one, in the order of the path."""
        MemberStatus(self.status)  # an unknown status fails as before
        return list(NEXT_IN_ORDER.get(self.status, ()))

    def clean(self) -> None:
        from kring.core.languages import LANGUAGES

        errors = {}
        if self.language and self.language not in LANGUAGES:
            errors["language"] = _("Choose a language from the list.")
        if self.attendance and not self.came:
            errors["attendance"] = _("Only someone who came can have taken part in person or from a distance.")
        if self.came and not self.attendance:
            errors["attendance"] = _("Say whether this person came in person or took part from a distance.")
        if errors:
            raise ValidationError(errors)


#: Fields of a circle member that `member_update` may change.
EDITABLE_FIELDS = ("name", "relation", "side", "kind", "closeness", "phone", "email", "language",
                   "interpreter_needed", "notes")


class MemberChange(models.Model):
    """One saved change of a circle member: the version it made, and each field's old and new value.

    With these rows a second editor who saved on top of an older version is told
    exactly what the first one changed, instead of overwriting it.
    """

    member = models.ForeignKey(CircleMember, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(_("version"))
    fields = models.JSONField(_("changed fields"), default=dict)  # {field: [old, new]}
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["member", "version"]
        verbose_name = _("change of a circle member")
        verbose_name_plural = _("changes of circle members")
        constraints = [models.UniqueConstraint(fields=["member", "version"], name="member_change_once")]

    def __str__(self) -> str:
        return f"{self.member_id} v{self.version}"


class ArrangementKind(models.TextChoices):
    MUST_NOT_MEET = "must_not_meet", _("Must not meet")
    ONLY_WITH_PERSON = "only_with_person", _("May only meet with a named person present")
    REMOTE_ONLY = "remote_only", _("Takes part only from a distance")
    SOME_PARTS_ONLY = "some_parts_only", _("Takes part only in some parts")


ARRANGEMENT_KIND_LABELS = dict(ArrangementKind.choices)


#: Arrangements between two people: drawn as a line on the eco-map.
PAIR_KINDS = frozenset({ArrangementKind.MUST_NOT_MEET, ArrangementKind.ONLY_WITH_PERSON})
CONFERENCE_PARTS = (1, 2, 3)


class SafetyArrangement(models.Model):
    """Who may not meet whom, and under which conditions someone can take part safely."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="safety_arrangements")
    kind = models.CharField(_("kind"), max_length=20, choices=ArrangementKind.choices)
    person = models.ForeignKey(CircleMember, on_delete=models.CASCADE, related_name="arrangements",
                               verbose_name=_("person"))
    other = models.ForeignKey(CircleMember, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="arrangements_as_other", verbose_name=_("with"))
    present = models.ForeignKey(CircleMember, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="arrangements_as_present", verbose_name=_("only when present"))
    parts = models.JSONField(_("parts"), default=list, blank=True,
                             help_text=_("Conference parts (1, 2, 3) this person may take part in."))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("safety arrangement")
        verbose_name_plural = _("safety arrangements")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["must_not_meet", "only_with_person"]) | Q(other__isnull=False),
                name="arrangement_pair_has_other",
            ),
            models.CheckConstraint(
                condition=~Q(kind="only_with_person") | Q(present__isnull=False),
                name="arrangement_names_who_is_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_kind_display()}"

    def get_kind_display(self) -> str:
        """The kind in words (as Django's, without rebuilding the choices on every call)."""
        return label(ARRANGEMENT_KIND_LABELS, self.kind)

    @property
    def is_pair(self) -> bool:
        return self.kind in PAIR_KINDS

    def clean(self) -> None:
        """Each kind names exactly the people it needs, all from this case's circle."""
        errors: dict[str, str] = {}
        if self.kind not in ArrangementKind.values:
            raise ValidationError({"kind": _("Choose a kind of arrangement from the list.")})
        for name in ("person", "other", "present"):
            member = getattr(self, name) if getattr(self, f"{name}_id") else None
            if member is not None and member.case_id != self.case_id:
                errors[name] = _("Choose a person from the circle of this case.")
        if errors:
            raise ValidationError(errors)
        pair = self.kind in PAIR_KINDS
        if pair and not self.other_id:
            errors["other"] = _("Choose the second person.")
        elif pair and self.other_id == self.person_id:
            errors["other"] = _("Choose two different people.")
        if not pair and self.other_id:
            errors["other"] = _("This kind of arrangement is about one person only.")
        if self.kind == ArrangementKind.ONLY_WITH_PERSON:
            if not self.present_id:
                errors["present"] = _("Choose who must be there.")
            elif self.present_id in (self.person_id, self.other_id):
                errors["present"] = _("The person who must be there is someone else than the two who meet.")
        elif self.present_id:
            errors["present"] = _("Only fill this in when two people may meet only with someone present.")
        parts = self.parts or []
        if self.kind == ArrangementKind.SOME_PARTS_ONLY:
            if not isinstance(parts, list) or not parts or any(p not in CONFERENCE_PARTS for p in parts):
                errors["parts"] = _("Choose the parts this person takes part in.")
            elif len(set(parts)) == len(CONFERENCE_PARTS):
                errors["parts"] = _("Choose one or two parts; all three parts needs no arrangement.")
        elif parts:
            errors["parts"] = _("Only choose parts for 'takes part only in some parts'.")
        if errors:
            raise ValidationError(errors)
        if self._duplicate_exists():
            raise ValidationError(
                _("There already is such an arrangement for these people. Remove it first to change it."),
                code="duplicate",
            )

    def _duplicate_exists(self) -> bool:
        others = SafetyArrangement.objects.filter(case_id=self.case_id).exclude(pk=self.pk)
        if self.kind in PAIR_KINDS:
            pair = Q(person_id=self.person_id, other_id=self.other_id) | Q(
                person_id=self.other_id, other_id=self.person_id)
            return others.filter(pair, kind__in=PAIR_KINDS).exists()
        return others.filter(person_id=self.person_id, kind=self.kind).exists()

    def describe_for(self, member_id: int) -> str:
        """The arrangement in words, as seen from one person in it (for the table)."""
        parts = ", ".join(str(p) for p in sorted(self.parts or []))
        if self.kind == ArrangementKind.REMOTE_ONLY:
            return str(_("takes part only from a distance"))
        if self.kind == ArrangementKind.SOME_PARTS_ONLY:
            return str(_("takes part only in part %(parts)s") % {"parts": parts})
        if member_id == self.present_id:
            return str(_("must be there when %(person)s and %(other)s meet")
                       % {"person": self.person.name, "other": self.other.name})
        counterpart = self.other if member_id == self.person_id else self.person
        if self.kind == ArrangementKind.MUST_NOT_MEET:
            return str(_("must not meet %(name)s") % {"name": counterpart.name})
        return str(_("meets %(name)s only when %(present)s is there")
                   % {"name": counterpart.name, "present": self.present.name})

    @property
    def summary(self) -> str:
        """The arrangement in one line, from the first person's side."""
        return f"{self.person.name}: {self.describe_for(self.person_id)}"

    def short_label(self) -> str:
        """The label on the eco-map's line between the two people."""
        if self.kind == ArrangementKind.MUST_NOT_MEET:
            return str(_("must not meet"))
        return str(_("only with %(present)s") % {"present": self.present.name})
