"""People who sign in to Kring and the coordinator pool."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    PROFESSIONAL = "professional", _("Professional")
    POLICY = "policy", _("Policy officer")
    ADMIN = "admin", _("Administrator")


#: Roles that must sign in with a second factor (all of them sign in with a password).
STAFF_ROLES = frozenset(Role.values)


class ProfessionalKind(models.TextChoices):
    JB = "jb", _("Youth protection worker (JB)")
    JHV = "jhv", _("Youth care worker (JHV)")
    JR = "jr", _("Youth probation worker (JR)")
    GEZINSVOOGD = "gezinsvoogd", _("Family guardian")
    CASEMANAGER = "casemanager", _("Case manager")
    OKT = "okt", _("OKT adviser")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "f", _("Woman")
    MALE = "m", _("Man")
    OTHER = "x", _("Other")


class User(AbstractUser):
    """Anyone with a password: staff of every role.

    Families and their circle never get a password; they use personal links.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    professional_kind = models.CharField(
        _("kind of professional"), max_length=20, choices=ProfessionalKind.choices, blank=True
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    regions = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("regions"),
        blank=True,
        related_name="staff",
        help_text=_("Regional managers see the requests of these regions."),
    )
    is_demo = models.BooleanField(_("demo account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def organisation_label(self) -> str:
        if self.organisation:
            return self.organisation
        if self.role in (Role.COORDINATOR, Role.REGIONAL_MANAGER):
            return "Eigen Kracht Centrale"
        return "-"

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.is_active and self.role in roles


class CoordinatorProfile(models.Model):
    """What the regional manager needs to match a coordinator to a family."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="coordinator_profile", verbose_name=_("user")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes, e.g. nl, ar, tr.")
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    cultural_background = models.CharField(_("cultural background"), max_length=100, blank=True)
    religion = models.CharField(_("religion"), max_length=100, blank=True)
    regions = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions served"), related_name="coordinators"
    )
    max_cases = models.PositiveSmallIntegerField(_("maximum cases at once"), default=3)
    active = models.BooleanField(_("available for new cases"), default=True)

    class Meta:
        verbose_name = _("coordinator profile")
        verbose_name_plural = _("coordinator profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def language_names(self) -> str:
        from kring.core.languages import language_names

        return language_names(self.languages)

    def is_absent_on(self, day: date) -> bool:
        return any(a.starts_on <= day <= a.ends_on for a in self.absences.all())


class Absence(models.Model):
    coordinator = models.ForeignKey(
        CoordinatorProfile, on_delete=models.CASCADE, related_name="absences"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} - {self.ends_on}"


class ConflictOfInterest(models.Model):
    """A coordinator must not take a family they know or an organisation they work for."""

    coordinator = models.ForeignKey(
        CoordinatorProfile, on_delete=models.CASCADE, related_name="conflicts"
    )
    person_name = models.CharField(_("person"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(person_name="", organisation=""),
                name="conflict_names_person_or_organisation",
            )
        ]

    def __str__(self) -> str:
        return self.person_name or self.organisation


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with the plain key, which is shown only once."""
        key = "kr_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key))
        return token, key


class UserSession(models.Model):
    """One signed-in session of a user, so they can see and end it (ASVS 7.5).

    Django's session table does not say whose session it is; this row does. It is
    written at sign-in and kept fresh by `SessionTrackingMiddleware`. Ending it
    deletes the session from the session store (`kring.accounts.sessions`).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions",
                             verbose_name=_("user"))
    session_key = models.CharField(max_length=40, unique=True)
    created = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen = models.DateTimeField(_("last active"), default=timezone.now)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created:%Y-%m-%d %H:%M}"
