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
