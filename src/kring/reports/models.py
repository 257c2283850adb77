"""Seeing the whole: the offer-moment register, coordinator fees and webhook subscribers.

None of these rows hold a name. Offers point at a case (the professional's own
record of a legal duty); fees are per region; webhook payloads carry ids and
states only.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kring.cases.models import State, TriggerMoment


class Answer(models.TextChoices):
    YES = "yes", _("Yes, the family wants a plan")
    NOT_NOW = "not_now", _("Not now")
    NO = "no", _("No")


class NoReason(models.TextChoices):
    """Why a family says 'not now' or 'no' (the families' own "yes, but…" answers, grouped)."""

    NOBODY = "nobody", _("We have nobody to ask")
    SHAME = "shame", _("We feel ashamed to ask")
    CONFLICT = "conflict", _("There is a quarrel in the family")
    TOO_BUSY = "too_busy", _("The others are too busy")
    CULTURE = "culture", _("That is not done in our culture")
    PROFESSIONAL = "professional", _("The professional should decide")
    ALREADY_HELPED = "already_helped", _("We already get enough help")
    BAD_TIMING = "bad_timing", _("It is not the right moment")
    OTHER = "other", _("Another reason")


class Exemption(models.TextChoices):
    """When the law does not require the offer (Jeugdwet art. 4.1.2)."""

    NONE = "", _("The offer is required")
    JR = "jr", _("Not required: youth probation (jeugdreclassering)")
    GUARDIANSHIP = "guardianship", _("Not required: guardianship after the parents' authority was removed")


class Offer(models.Model):
    """One moment at which a professional offered a family group plan, and the family's answer."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="offers")
    moment = models.CharField(_("moment"), max_length=30, choices=TriggerMoment.choices)
    offered_on = models.DateField(_("offered on"), default=timezone.localdate)
    answer = models.CharField(_("answer of the family"), max_length=10, choices=Answer.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=NoReason.choices, blank=True)
    exemption = models.CharField(_("legal duty"), max_length=20, choices=Exemption.choices, blank=True)
    offer_again_on = models.DateField(_("offer again on"), null=True, blank=True)
    #: Set when the professional has dealt with the reminder (offered again or dismissed it).
    reminder_done_at = models.DateTimeField(null=True, blank=True)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    #: The professional's organisation when the offer was made, for the figures per organisation.
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-offered_on", "-id"]
        verbose_name = _("offer of a family group plan")
        verbose_name_plural = _("offers of a family group plan")
        indexes = [
            models.Index(fields=["offered_by", "reminder_done_at", "offer_again_on"], name="offer_due"),
            models.Index(fields=["region", "offered_on"], name="offer_region_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(answer="yes") | Q(reason=""), name="offer_yes_has_no_reason"),
            models.CheckConstraint(condition=~Q(answer="no") | ~Q(reason=""), name="offer_no_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.moment} {self.offered_on}"

    @property
    def is_due(self) -> bool:
        return (self.offer_again_on is not None and self.reminder_done_at is None
                and self.offer_again_on <= timezone.localdate())


class CoordinatorFee(models.Model):
    """The fee a coordinator gets for one conference held in a region, from a date on."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="fees",
                               verbose_name=_("region"))
    amount = models.DecimalField(_("fee per conference (euro)"), max_digits=8, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    valid_from = models.DateField(_("applies from"))

    class Meta:
        ordering = ["region", "-valid_from"]
        verbose_name = _("coordinator fee")
        verbose_name_plural = _("coordinator fees")
        constraints = [models.UniqueConstraint(fields=["region", "valid_from"], name="fee_once_per_day")]

    def __str__(self) -> str:
        return f"{self.region} € {self.amount} ({self.valid_from})"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class WebhookSubscriber(models.Model):
    """A municipal or youth-care system that wants to hear about case state changes."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_("Kring sends a signed POST to this address."))
    secret = models.CharField(_("secret"), max_length=100, default=new_secret,
                              help_text=_("Used to sign each message (HMAC-SHA256). Share it with the receiver."))
    active = models.BooleanField(_("active"), default=True)
    states = models.JSONField(
        _("states"), default=list, blank=True,
        help_text=_("Send only changes to these states (codes, e.g. held, plan_accepted). Empty: all."),
    )
    regions = models.ManyToManyField("regions.Region", blank=True, related_name="+", verbose_name=_("regions"),
                                     help_text=_("Send only changes of cases in these regions. Empty: all."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [s for s in (self.states or []) if s not in State.values]
        if not isinstance(self.states, list) or unknown:
            raise ValidationError({"states": _("Use state codes from this list: %(codes)s.")
                                   % {"codes": ", ".join(State.values)}})


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Gave up")


class WebhookDelivery(models.Model):
    """One event for one subscriber. The unique pair makes sure it is sent once;
    the worker claims the row with an optimistic update before it sends."""

    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=40)
    subscriber = models.ForeignKey(WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["event_id", "subscriber"], name="webhook_once_per_subscriber")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.subscriber_id}"


class WebhookAttempt(models.Model):
    """The delivery log: every try, with the receiver's answer."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery", "number"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_once")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"


# --- summaries of the dashboard figures (kept current by the worker: see refresh.py) ----------


def _case_month_measures() -> list[str]:
    """The counts a `CaseMonth` holds: every figure of the dashboards that is about the cases of a period."""
    from .figures import OUTCOME_MONTHS, lead_keys

    outcome = ["n", "running", "partly", "home", "less_help", "fam_n", "fam_sum", "prof_n", "prof_sum"]
    return [
        "requests", "held", "plans", *lead_keys("_"),
        "circle_total", "circle_s5", "circle_s10", "circle_s15", "circle_both", "circle_outside",
        "eval_n", "eval_held", *(f"o{m}_{name}" for m in OUTCOME_MONTHS for name in outcome),
    ]


CASE_MONTH_MEASURES = _case_month_measures()
OFFER_MONTH_MEASURES = ["n", "yes", "not_required", "n_plan"]


class FigureState(models.Model):
    """One row: when the summaries were last brought up to date, and who is refreshing them now."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    full_at = models.DateTimeField(null=True, blank=True)
    #: A new random token whenever a refresh changed a summary: computed figures are cached under it.
    version = models.CharField(max_length=32, blank=True)
    #: A refresher holds the lease until this moment (so two workers never refresh at once).
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("state of the dashboard figures")

    def __str__(self) -> str:
        return f"figures refreshed at {self.refreshed_at}"


class FigureMark(models.Model):
    """Something changed that a summary holds: written by signal handlers in the same transaction as
    the change (refresh.py), read and deleted by the refresher. Plain integers, no foreign keys:
    a mark outlives a deleted case."""

    CASE = "case"  # case_id: resolved at refresh time to its month, its offers and its conference day
    CASES = "cases"  # region_id + month: the cases submitted in that month (a case moved or deleted)
    OFFERS = "offers"  # region_id + month: the offers made in that month
    HELD = "held"  # coordinator_id + day: the conferences a coordinator held that day
    PROFILE = "profile"  # coordinator_id: regions, availability or maximum of a coordinator changed

    kind = models.CharField(max_length=8)
    case_id = models.IntegerField(null=True)
    region_id = models.IntegerField(null=True)
    month = models.DateField(null=True)
    coordinator_id = models.IntegerField(null=True)
    day = models.DateField(null=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id or self.region_id or self.coordinator_id} {self.month or self.day or ''}"


class CaseMonth(models.Model):
    """The figures about the cases submitted in one month in one municipality (or, with no
    municipality, the whole region), summed over those cases. `first_at`/`last_at` bound the
    submission times, so a period that starts or ends inside the month can tell whether it
    holds all of them."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     null=True)
    month = models.DateField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    #: The earliest accepted plan not yet 3 months old when this row was made: from then on
    #: the evaluation figure of this month changes without any case changing.
    eval_next = models.DateTimeField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["region", "month"], name="casemonth_region"),
            models.Index(fields=["municipality", "month"], name="casemonth_municipality"),
            models.Index(fields=["eval_next"], name="casemonth_eval_next"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.municipality_id or '-'} {self.month:%Y-%m}"


for _name in CASE_MONTH_MEASURES:
    CaseMonth.add_to_class(_name, models.IntegerField(default=0))


class OfferMonth(models.Model):
    """Offers of one month in one region, per moment or per organisation (municipality empty),
    or per municipality (`kind` "municipality", value empty)."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+",
                                     null=True)
    kind = models.CharField(max_length=12)
    value = models.CharField(max_length=200, blank=True)
    month = models.DateField()
    first_on = models.DateField()
    last_on = models.DateField()
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "region", "month"], name="offermonth_region")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value} {self.region_id}/{self.municipality_id or '-'} {self.month:%Y-%m}"


for _name in OFFER_MONTH_MEASURES:
    OfferMonth.add_to_class(_name, models.IntegerField(default=0))


class OfferGap(models.Model):
    """Two offers in a row to the same family with the same moment, organisation or municipality.

    "Families" in the offer tables counts each case once: the offers in the period minus the
    gaps with both offers in the period (k offers of one family in the period have k-1 gaps)."""

    case_id = models.IntegerField()
    kind = models.CharField(max_length=12)
    value = models.CharField(max_length=200, blank=True)
    municipality = models.ForeignKey("regions.Municipality", on_delete=models.CASCADE, related_name="+")
    from_region_id = models.IntegerField()
    to_region_id = models.IntegerField()
    from_on = models.DateField()
    to_on = models.DateField()
    #: The case has an accepted plan (for "families with a plan").
    plan = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["case_id"], name="offergap_case"),
                   models.Index(fields=["kind", "from_on"], name="offergap_from")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.from_on}..{self.to_on}"


class CoordinatorHeld(models.Model):
    """Conferences one coordinator held on one day, with the coordinator's group of regions."""

    coordinator_id = models.IntegerField()
    day = models.DateField()
    held = models.IntegerField()
    #: The coordinator's regions as sorted ids ("3,7"); empty without a profile or regions.
    class_key = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["coordinator_id", "day"], name="coordheld_day"),
                   models.Index(fields=["class_key", "day"], name="coordheld_class")]

    def __str__(self) -> str:
        return f"{self.coordinator_id} {self.day}: {self.held}"


class WorkloadHeld(models.Model):
    """Conferences held on one day by the coordinators who serve exactly this group of regions.

    Coordinators with the same regions are alike for every dashboard: each either serves a
    region in scope or not. So the workload figures sum a few groups, not every coordinator."""

    class_key = models.CharField(max_length=200)
    day = models.DateField()
    held = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["class_key", "day"], name="workloadheld_day")]

    def __str__(self) -> str:
        return f"{self.class_key} {self.day}: {self.held}"


class WorkloadNow(models.Model):
    """The coordinators of one group of regions as they are now: counts and running cases."""

    class_key = models.CharField(max_length=200, unique=True)
    coordinators = models.IntegerField(default=0)
    available = models.IntegerField(default=0)
    capacity = models.IntegerField(default=0)
    running = models.IntegerField(default=0)
    c0 = models.IntegerField(default=0)
    c1 = models.IntegerField(default=0)
    c2 = models.IntegerField(default=0)
    c3 = models.IntegerField(default=0)
    c4 = models.IntegerField(default=0)
    full = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.class_key}: {self.coordinators} coordinators"
