"""The case: one family's path from request to closed plan.

The lifecycle lives in `kring.cases.lifecycle`; this module holds the data.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace, Right
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext, ngettext, override
from django.utils.translation import gettext_lazy as _

from kring.accounts.models import ProfessionalKind, Role, User

# The norms of DOMAIN §3, measured from the moment the request came in.
NORM_START = timedelta(hours=24)  # a coordinator is assigned and can start
NORM_CONTACT = timedelta(days=2)  # the family has had the coordinator on the phone
NORM_URGENT_MEETING = timedelta(weeks=1)  # urgent: the circle has met
NORM_PLAN = timedelta(weeks=6)  # the plan lies ready


class State(models.TextChoices):
    REQUEST = "request", _("Request")
    INFORMING = "informing", _("Informing")
    PREPARING = "preparing", _("Preparing")
    SCHEDULED = "scheduled", _("Conference scheduled")
    HELD = "held", _("Conference held")
    PLAN_ACCEPTED = "plan_accepted", _("Plan accepted")
    PLAN_NOT_ACCEPTED = "plan_not_accepted", _("Plan not accepted")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    DECLINED = "declined", _("Declined by the family")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.DECLINED, State.CANCELLED})
#: States in which a coordinator is busy with the case (counts against capacity).
ACTIVE_STATES = frozenset(
    {State.REQUEST, State.INFORMING, State.PREPARING, State.SCHEDULED, State.HELD, State.PLAN_NOT_ACCEPTED}
)


STATE_LABELS = dict(State.choices)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent (circle together within a week)")


class LegalFrame(models.TextChoices):
    VOLUNTARY = "voluntary", _("Voluntary help")
    OTS = "ots", _("Family supervision order (OTS)")
    RAAD_REPORT = "raad_report", _("Report to the Child Protection Board is being considered")
    JR = "jr", _("Youth probation (jeugdreclassering)")
    CRISIS = "crisis", _("Crisis")
    UNKNOWN = "unknown", _("I don't know")


class TriggerMoment(models.TextChoices):
    INTAKE = "intake", _("First contact or intake")
    FIRST_CONVERSATION = "first_conversation", _("First conversation")
    WAITING_LIST = "waiting_list", _("Waiting for professional help")
    START_HELP = "start_help", _("Start of help")
    START_OTS = "start_ots", _("Start of a supervision order")
    RAAD_INVESTIGATION = "raad_investigation", _("Child Protection Board investigation considered")
    PLACEMENT_THREAT = "placement_threat", _("Out-of-home placement threatens")
    CRISIS = "crisis", _("Crisis")
    REFERRAL_16PLUS = "referral_16plus", _("Referral to care for 16+")
    MPG = "mpg", _("Start of a multi-problem track")
    NEARLY_18 = "nearly_18", _("Young person almost 18")
    OFF_COURSE = "off_course", _("Things go differently than planned")
    FRICTION = "friction", _("Friction between family and professional")
    END_OF_HELP = "end_of_help", _("End of help")
    OWN_INITIATIVE = "own_initiative", _("The family's own wish")


class RequesterKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    YOUNG_PERSON = "young_person", _("Young person")
    FAMILY = "family", _("Family member or friend")
    PROFESSIONAL = "professional", _("Professional")
    OTHER = "other", _("Someone else")


LEGAL_FRAME_LABELS = dict(LegalFrame.choices)
TRIGGER_MOMENT_LABELS = dict(TriggerMoment.choices)
REQUESTER_KIND_LABELS = dict(RequesterKind.choices)
PROFESSIONAL_KIND_LABELS = dict(ProfessionalKind.choices)


class Channel(models.TextChoices):
    PUBLIC = "public", _("Public form")
    PROFESSIONAL = "professional", _("Professional's form")
    API = "api", _("API")
    DEMO = "demo", _("Demo data")


#: What `new_reference` makes: K- and eight characters.
REFERENCE_PATTERN = re.compile(r"K-[A-Z0-9]{8}")


def new_reference() -> str:
    """A short reference that families can read out on the phone; not guessable."""
    alphabet = "ACDEFGHJKLMNPQRTUVWXY3479"
    return "K-" + "".join(secrets.choice(alphabet) for _ in range(8))


def manager_region_ids(user) -> frozenset[int]:
    """A regional manager's regions, read once per user object (that is, once per request).

    The access rules ask for them several times on one page. Changing the user's
    regions through `user.regions` forgets them (see `_forget_region_ids`).
    """
    cached = getattr(user, "_kring_region_ids", None)
    if cached is None:
        cached = frozenset(user.regions.values_list("pk", flat=True))
        user._kring_region_ids = cached
    return cached


@receiver(m2m_changed, sender=User.regions.through, dispatch_uid="kring_forget_region_ids")
def _forget_region_ids(sender, instance, **kwargs) -> None:
    if isinstance(instance, User):
        instance.__dict__.pop("_kring_region_ids", None)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> CaseQuerySet:
        """Cases a user may see as a person-level file. Mirrors `kring.cases.rules`."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.role == Role.REGIONAL_MANAGER:
            # The region ids as values (one small query), not a subquery: with one region the
            # database walks the (region, submitted_at) index in order and stops after a page.
            return self.filter(region__in=sorted(manager_region_ids(user)))
        if user.role == Role.COORDINATOR:
            return self.filter(coordinator=user)
        if user.role == Role.PROFESSIONAL:
            # The linked cases' ids as values (one small query) instead of a join: no duplicate
            # rows, so no DISTINCT, and the database combines two index scans (not a full scan).
            linked = list(CaseProfessional.objects.filter(user=user).values_list("case_id", flat=True))
            return self.filter(Q(referred_by=user) | Q(pk__in=linked))
        return self.none()

    def matching_reference(self, text: str) -> CaseQuerySet:
        """Search by reference: a whole reference by the unique index, a part of one by substring."""
        text = text.strip().upper()
        if REFERENCE_PATTERN.fullmatch(text):
            return self.filter(reference=text)
        return self.filter(reference__icontains=text)

    def in_inbox(self) -> CaseQuerySet:
        """Requests with a norm clock still running."""
        return self.filter(next_deadline_at__isnull=False)


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=12, unique=True, default=new_reference)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REQUEST)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="cases", verbose_name=_("region")
    )
    municipality = models.ForeignKey(
        "regions.Municipality", on_delete=models.PROTECT, related_name="cases",
        verbose_name=_("municipality"),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    legal_frame = models.CharField(_("legal frame"), max_length=20, choices=LegalFrame.choices)
    trigger_moment = models.CharField(_("moment"), max_length=30, choices=TriggerMoment.choices)
    situation = models.TextField(_("situation"))
    channel = models.CharField(_("received through"), max_length=20, choices=Channel.choices)

    # Who asked.
    requester_kind = models.CharField(_("requested by"), max_length=20, choices=RequesterKind.choices)
    requester_name = models.CharField(_("name"), max_length=200)
    requester_email = models.EmailField(_("e-mail"))
    requester_phone = models.CharField(_("phone"), max_length=32, blank=True)
    requester_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    requester_professional_kind = models.CharField(
        _("role of the professional"), max_length=20, choices=ProfessionalKind.choices, blank=True
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="referred_cases", verbose_name=_("referred by"),
    )

    # The family's wishes for a coordinator.
    pref_gender = models.CharField(_("gender of the coordinator"), max_length=1, blank=True)
    pref_language = models.CharField(_("language"), max_length=8, blank=True)
    language_required = models.BooleanField(_("the family needs this language"), default=False)
    pref_culture = models.CharField(_("cultural background"), max_length=100, blank=True)
    pref_religion = models.CharField(_("religion"), max_length=100, blank=True)
    pref_other = models.CharField(_("other wishes"), max_length=300, blank=True)

    phone_consent = models.BooleanField(_("consent to pass on phone numbers"), default=False)
    phone_consent_at = models.DateTimeField(null=True, blank=True)

    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="coordinated_cases", verbose_name=_("coordinator"),
    )

    # Milestones, set by the lifecycle; the norm clocks are computed from them.
    submitted_at = models.DateTimeField(_("received"), default=timezone.now)
    assigned_at = models.DateTimeField(_("coordinator assigned"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact with the family"), null=True, blank=True)
    held_at = models.DateTimeField(_("conference held"), null=True, blank=True)
    plan_accepted_at = models.DateTimeField(_("plan accepted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    #: The earliest running norm deadline, or null when no clock runs. Kept by
    #: `refresh_deadline` so that the inbox can sort and page in the database.
    next_deadline_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["region", "urgency", "next_deadline_at"], name="case_inbox"),
            models.Index(fields=["coordinator", "state"], name="case_coordinator_state"),
            models.Index(fields=["referred_by", "-submitted_at"], name="case_referrer"),
            models.Index(fields=["region", "-submitted_at"], name="case_region_submitted"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_state_display(self) -> str:
        """As Django's, without building a dict of every state's label on each call (lists call it per row)."""
        return str(STATE_LABELS.get(self.state, self.state))

    # The same for the labels the case page shows.
    def get_legal_frame_display(self) -> str:
        return str(LEGAL_FRAME_LABELS.get(self.legal_frame, self.legal_frame))

    def get_trigger_moment_display(self) -> str:
        return str(TRIGGER_MOMENT_LABELS.get(self.trigger_moment, self.trigger_moment))

    def get_requester_kind_display(self) -> str:
        return str(REQUESTER_KIND_LABELS.get(self.requester_kind, self.requester_kind))

    def get_requester_professional_kind_display(self) -> str:
        return str(PROFESSIONAL_KIND_LABELS.get(self.requester_professional_kind, self.requester_professional_kind))

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    def clocks(self, now=None) -> list[NormClock]:
        """The norm clocks of this case, running or stopped."""
        return norm_clocks(self.submitted_at, self.assigned_at, self.first_contact_at, self.held_at,
                           state=self.state, urgency=self.urgency, now=now)

    def compute_next_deadline(self):
        if self.is_final:
            return None
        running = [c.deadline for c in self.clocks() if c.stopped_at is None]
        return min(running) if running else None

    def refresh_deadline(self) -> None:
        """Recompute `next_deadline_at`; the caller saves it."""
        self.next_deadline_at = self.compute_next_deadline()


def norm_clocks(submitted_at, assigned_at, first_contact_at, held_at, *, state: str, urgency: str,
                now=None) -> list[NormClock]:
    """The norm clocks of a case from its milestones (`Case.clocks`; lists pass the values of a row)."""
    now = now or timezone.now()
    final = state in FINAL_STATES
    clocks = [
        NormClock("start", _("Coordinator within 24 hours"), submitted_at + NORM_START, assigned_at, now, final),
        NormClock("contact", _("Family contacted within 2 days"), submitted_at + NORM_CONTACT,
                  first_contact_at, now, final),
    ]
    if urgency == Urgency.URGENT:
        clocks.append(
            NormClock("urgent", _("Urgent: circle together within 1 week"),
                      submitted_at + NORM_URGENT_MEETING, held_at, now, final)
        )
    return clocks


class NormClock:
    """A deadline from DOMAIN §3 and whether it was met."""

    def __init__(self, code, label, deadline, stopped_at, now, abandoned=False):
        self.code = code
        self.label = label
        self.deadline = deadline
        self.stopped_at = stopped_at
        self.now = now
        self.abandoned = abandoned and stopped_at is None

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.abandoned

    @cached_property
    def status(self) -> str:
        if self.abandoned:
            return "abandoned"
        if self.stopped_at is not None:
            return "met" if self.stopped_at <= self.deadline else "late"
        return "overdue" if self.now > self.deadline else "running"

    @property
    def overdue(self) -> bool:
        return self.status in ("overdue", "late")

    @property
    def time_left(self) -> timedelta:
        return self.deadline - self.now

    @property
    def status_label(self) -> str:
        return {
            "met": _("met"),
            "late": _("met too late"),
            "overdue": _("overdue"),
            "running": _("running"),
            "abandoned": _("stopped"),
        }[self.status]

    @property
    def text(self) -> str:
        """'5 hours left', '2 days overdue', 'met' (in the active language)."""
        language = get_language() or settings.LANGUAGE_CODE
        if self.status == "running":
            return _clock_format(language, "running") % {"span": _span(self.time_left)}
        if self.status == "overdue":
            return _clock_format(language, "overdue") % {"span": _span(self.time_left)}
        if self.status == "late":
            return _clock_format(language, "late") % {"span": _span(self.stopped_at - self.deadline)}
        return str(self.status_label)


@lru_cache(maxsize=64)
def _clock_format(language: str, status: str) -> str:
    """The sentence around a clock's time span in `language`, looked up once (see `_span_text`)."""
    with override(language):
        if status == "running":
            return gettext("%(span)s left")
        if status == "overdue":
            return gettext("%(span)s overdue")
        return gettext("met, %(span)s late")


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    language = get_language() or settings.LANGUAGE_CODE
    if minutes >= 48 * 60:
        return _span_text(language, "days", minutes // (24 * 60))
    if minutes >= 60:
        return _span_text(language, "hours", minutes // 60)
    return _span_text(language, "minutes", minutes)


@lru_cache(maxsize=4096)
def _span_text(language: str, unit: str, n: int) -> str:
    """"5 days" in `language`, kept: a plural look-up walks every translation catalog and tries
    each catalog's plural rule, which cost more than the rest of an inbox row."""
    with override(language):
        if unit == "days":
            return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
        if unit == "hours":
            return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}


#: What people type between the digits of a phone number.
PHONE_SEPARATORS = " -.()/"


def phone_digits(field: str) -> Right:
    """The last nine characters of a phone number without its separators, in SQL (see `CasePerson.phone_key`)."""
    expression = F(field)
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return Right(expression, 9)


def phone_key(number: str) -> str:
    """The same key of a number in Python: the last nine digits."""
    return re.sub(r"\D", "", number)[-9:]


class PersonRole(models.TextChoices):
    PARENT = "parent", _("Parent or carer")
    CHILD = "child", _("Child")


class CasePerson(models.Model):
    """A main person (parent, young person) or a child the plan is about."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(_("role"), max_length=10, choices=PersonRole.choices)
    name = models.CharField(_("name"), max_length=200)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_main_person = models.BooleanField(_("main person"), default=False)
    # Kept by the database, for the family's sign-in by address (an index each, so that finding
    # the person does not read every person): the e-mail address in lower case, and the last
    # nine digits of the phone number as typed ("06-12 34 56 78" and "+31612345678" alike).
    email_key = models.GeneratedField(expression=Lower("email"), output_field=models.CharField(max_length=254),
                                      db_persist=True)
    phone_key = models.GeneratedField(expression=phone_digits("phone"), output_field=models.CharField(max_length=32),
                                      db_persist=True)

    class Meta:
        ordering = ["role", "birth_date", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["email_key"], name="caseperson_email_key"),
            models.Index(fields=["phone_key"], name="caseperson_phone_key"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="child") | Q(birth_date__isnull=False), name="child_has_birth_date"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day)


def age_on(birth_date: date | None, day: date) -> int | None:
    """Age in whole years on `day`; None without a date of birth."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class CaseProfessional(models.Model):
    """Another professional involved with the family; `user` links an account."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="professionals")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    kind = models.CharField(_("role"), max_length=20, choices=ProfessionalKind.choices, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("professional involved")
        verbose_name_plural = _("professionals involved")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_professional_once")
        ]

    def __str__(self) -> str:
        return self.name


def coordinator_wishes(case: Case) -> list[str]:
    """The family's wishes for a coordinator, in words (not codes)."""
    from kring.accounts.models import Gender
    from kring.core.languages import language_name

    wishes = []
    if case.pref_gender:
        wishes.append(_("gender: %(gender)s") % {"gender": Gender(case.pref_gender).label.lower()})
    if case.pref_language:
        name = language_name(case.pref_language)
        wishes.append(_("speaks %(language)s (needed)") % {"language": name} if case.language_required
                      else _("speaks %(language)s") % {"language": name})
    if case.pref_culture:
        wishes.append(_("background: %(culture)s") % {"culture": case.pref_culture})
    if case.pref_religion:
        wishes.append(_("religion: %(religion)s") % {"religion": case.pref_religion})
    if case.pref_other:
        wishes.append(case.pref_other)
    return wishes


EVENT_LABELS = {
    "submitted": _("Request received"),
    "assign": _("Coordinator assigned"),
}


class CaseEvent(models.Model):
    """One step on the case's timeline: a transition, an assignment, a first contact."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    name = models.CharField(_("event"), max_length=30)
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.name}"

    @property
    def label(self) -> str:
        return event_label(self.name)


def event_label(name: str) -> str:
    """What a timeline step is called: its own label, the transition's, or else its name."""
    from .lifecycle import TRANSITIONS

    if name in EVENT_LABELS:
        return str(EVENT_LABELS[name])
    transition = TRANSITIONS.get(name)
    return str(transition.label) if transition else name
