"""The circle (kring): everyone around the main persons, and how they may meet safely."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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
    FAMILY = "family", _("Family")
    FRIEND = "friend", _("Friend")
    NEIGHBOUR = "neighbour", _("Neighbour")
    SCHOOL = "school", _("School")
    FAITH = "faith", _("Faith community")
    SPORT = "sport", _("Sport or club")
    WORK = "work", _("Work")
    PROFESSIONAL = "professional", _("Professional")


class Closeness(models.IntegerChoices):
    CLOSE = 1, _("Very close")
    NEAR = 2, _("Close")
    FAR = 3, _("Further away")


class MemberStatus(models.TextChoices):
    """The path of a person through the preparation, in order."""

    IDENTIFIED = "identified", _("Identified")
    APPROACHED = "approached", _("Approached")
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    ATTENDED = "attended", _("Attended")
    AGREEMENT = "agreement", _("Took on an agreement")


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


class ArrangementKind(models.TextChoices):
    MUST_NOT_MEET = "must_not_meet", _("Must not meet")
    ONLY_WITH_PERSON = "only_with_person", _("May only meet with a named person present")
    REMOTE_ONLY = "remote_only", _("Takes part only from a distance")
    SOME_PARTS_ONLY = "some_parts_only", _("Takes part only in some parts")


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
