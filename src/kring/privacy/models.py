"""The family's AVG rights and the Jeugdwet retention: what is requested, decided and destroyed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AnonymousCaseFigure(models.Model):
    """What remains of a destroyed case for the dashboards: figures, no identities.

    No case id, reference, name, date of birth or free text: only the region,
    the municipality, the month the request came in, durations and counts.
    """

    region_code = models.CharField(_("region"), max_length=40)
    municipality_code = models.CharField(_("municipality (CBS code)"), max_length=6)
    month = models.DateField(_("month of the request"), help_text=_("Always the first day of the month."))
    channel = models.CharField(_("received through"), max_length=20)
    urgency = models.CharField(_("urgency"), max_length=10)
    legal_frame = models.CharField(_("legal frame"), max_length=20)
    trigger_moment = models.CharField(_("moment"), max_length=30)
    final_state = models.CharField(_("final state"), max_length=20)
    # Milestone durations since the request came in, in hours (null: never reached).
    hours_to_assigned = models.PositiveIntegerField(null=True, blank=True)
    hours_to_first_contact = models.PositiveIntegerField(null=True, blank=True)
    hours_to_held = models.PositiveIntegerField(null=True, blank=True)
    hours_to_plan_accepted = models.PositiveIntegerField(null=True, blank=True)
    hours_to_closed = models.PositiveIntegerField(null=True, blank=True)
    children = models.PositiveSmallIntegerField(_("children"), default=0)
    circle_size = models.PositiveSmallIntegerField(_("network members"), default=0)
    circle_invited = models.PositiveSmallIntegerField(_("invited"), default=0)
    circle_came = models.PositiveSmallIntegerField(_("came"), default=0)
    both_sides = models.BooleanField(_("both sides of the family"), default=False)
    #: {"3": {"plan_running": ..., "child_lives": ..., "professional_help": ...,
    #:        "family_satisfaction": ..., "professional_satisfaction": ...}, "6": ..., "12": ...}
    outcomes = models.JSONField(_("outcomes"), default=dict, blank=True)
    destroyed_in = models.PositiveSmallIntegerField(_("year the file was destroyed"))

    class Meta:
        verbose_name = _("anonymous case figure")
        verbose_name_plural = _("anonymous case figures")
        indexes = [models.Index(fields=["region_code", "month"], name="figure_region_month")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.month:%Y-%m}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Will be destroyed")
    REFUSED = "refused", _("Not destroyed: an exception applies")


class DestructionException(models.TextChoices):
    NONE = "", _("No exception")
    OTHER_PERSON = "other_person", _("Important interest of another person (for example a child)")
    LEGAL_DUTY = "legal_duty", _("A legal duty to keep it")


class DestructionRequest(models.Model):
    """A family's request to destroy their file (Jeugdwet art. 7.3.9), and what was decided.

    Carried out within three months unless an exception applies. The row outlives
    the case: `case` becomes empty, the reference and the dates remain as proof.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="destruction_requests")
    case_reference = models.CharField(_("reference"), max_length=12)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.CharField(_("requested by"), max_length=200,
                                    help_text=_("Who asked, as the family describes it (main person)."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices,
                                default=Decision.PENDING)
    exception = models.CharField(_("exception"), max_length=20, choices=DestructionException.choices, blank=True)
    reason = models.TextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    due_at = models.DateTimeField(_("carry out before"))
    carried_out_at = models.DateTimeField(_("destroyed"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("destruction request")
        verbose_name_plural = _("destruction requests")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision="refused") | ~models.Q(exception=""),
                name="refusal_names_an_exception"),
        ]

    def __str__(self) -> str:
        return f"{self.case_reference} {self.requested_at:%Y-%m-%d}"


class CorrectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CORRECTED = "corrected", _("Corrected")
    REFUSED = "refused", _("Not corrected")


class CorrectionRequest(models.Model):
    """A family's request to correct what Kring holds about them (AVG art. 16)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="correction_requests")
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    requested_by = models.CharField(_("requested by"), max_length=200)
    what = models.CharField(_("what is wrong"), max_length=300)
    requested_change = models.TextField(_("what it should say"))
    status = models.CharField(_("status"), max_length=10, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("answer to the family"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")

    def __str__(self) -> str:
        return f"{self.case_id} {self.what[:40]}"
