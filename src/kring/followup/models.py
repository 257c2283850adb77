"""Follow-up that makes the plan land: reminders, check-ins, evaluations and outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    MONITOR = "monitor", _("Reminder to the person who keeps an eye on the plan")
    CONVENOR = "convenor", _("Reminder to the person who calls the circle together")
    EVALUATION = "evaluation", _("Reminder before the evaluation")
    COORDINATOR_CALL = "coordinator_call", _("Coordinator's follow-up call")
    FEEDBACK = "feedback", _("Regional manager asks the professional for feedback")
    CHECK_IN = "check_in", _("Check-in request")
    OUTCOME = "outcome", _("Outcome due")
    ALERT = "alert", _("Alert: agreements are not going well")
    RECONVENE = "reconvene", _("Invitation to meet again")


#: Kinds that are a task on the coordinator's list (done by hand, not only sent).
TASK_KINDS = frozenset({ReminderKind.COORDINATOR_CALL, ReminderKind.OUTCOME})


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Keeps failing")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class Reminder(models.Model):
    """One scheduled message or task. Claimed by the worker with an optimistic update,
    delivered exactly once; failures are retried with back-off.

    Its life: `scheduled` → (claimed) `sending` → `sent` (→ `done` for a task the
    coordinator ticked off). A failed send goes back to `scheduled` with
    `next_attempt_at` later, and to `failed` after `FOLLOWUP_MAX_ATTEMPTS`.
    `kring.followup.dispatch` explains the delivery guarantee.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    member = models.ForeignKey("network.CircleMember", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="reminders", verbose_name=_("for (circle)"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="reminders", verbose_name=_("for (staff)"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=ReminderStatus.choices,
                              default=ReminderStatus.SCHEDULED)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    #: For an invitation to meet again (`reconvene`): the invitation it delivers.
    invitation = models.ForeignKey("conferences.Invitation", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="+")
    #: How it went out: "email", "sms" or "task" (nothing to send, only the list).
    delivered_via = models.CharField(max_length=10, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["status", "due_at"], name="reminder_due"),
                   models.Index(fields=["case", "due_at"], name="reminder_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_at:%Y-%m-%d}"


class Rating(models.TextChoices):
    GOOD = "good", _("Going well")
    PARTLY = "partly", _("Partly")
    NOT = "not", _("Not going well")


class CheckIn(models.Model):
    """A circle member's report on how the agreements go, through their personal link."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="check_ins")
    member = models.ForeignKey("network.CircleMember", on_delete=models.CASCADE, related_name="check_ins")
    plan_version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, related_name="check_ins")
    nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    #: The reminder that carried the link (one check-in per reminder, also when it is sent again).
    reminder = models.OneToOneField(Reminder, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="check_in")
    expires_at = models.DateTimeField(_("link valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")

    def __str__(self) -> str:
        return f"{self.member} {self.created_at:%Y-%m-%d}"


class CheckInSharingConsent(models.Model):
    """Whether the family allows the professional to see a summary of the check-ins.

    One row per decision; the newest row counts (`sharing_allowed`), older rows
    are the history. No row means "not allowed". Written by the family portal
    (issue 5) or by the coordinator on the family's word; `recorded_by_label`
    names who recorded it ("Fatima el Amrani (parent, family portal)").
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="check_in_consents")
    allowed = models.BooleanField(_("the professional may see a summary of the check-ins"))
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by_label = models.CharField(_("recorded by"), max_length=200)

    class Meta:
        ordering = ["case", "-recorded_at", "-id"]
        verbose_name = _("consent to share check-ins")
        verbose_name_plural = _("consents to share check-ins")

    def __str__(self) -> str:
        return f"{self.case_id}: {'allowed' if self.allowed else 'not allowed'}"


def sharing_allowed(case) -> bool:
    """The family's newest decision about sharing check-ins with the professional (default: no)."""
    latest = CheckInSharingConsent.objects.filter(case=case).order_by("-recorded_at", "-id").first()
    return bool(latest and latest.allowed)


class CheckInAnswer(models.Model):
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="answers")
    agreement = models.ForeignKey("plans.Agreement", on_delete=models.PROTECT, related_name="check_in_answers")
    rating = models.CharField(_("how it goes"), max_length=10, choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("check-in answer")
        verbose_name_plural = _("check-in answers")
        constraints = [models.UniqueConstraint(fields=["check_in", "agreement"], name="checkin_answer_once")]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.rating}"


class Evaluation(models.Model):
    """The circle's own evaluation. It produces a new plan version."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evaluations")
    held_on = models.DateField(_("date"))
    attendees = models.ManyToManyField("network.CircleMember", blank=True, related_name="+",
                                       verbose_name=_("who came"))
    changes = models.TextField(_("what changes"), blank=True)
    plan_version = models.ForeignKey("plans.PlanVersion", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("plan version it produced"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["held_on"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.case} {self.held_on}"


class EvaluationItem(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    agreement = models.ForeignKey("plans.Agreement", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("status"), max_length=10, choices=Rating.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.rating}"


class PlanRunning(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class ChildLives(models.TextChoices):
    HOME = "home", _("At home")
    NETWORK = "network", _("Within the network")
    FOSTER = "foster", _("Foster care")
    INSTITUTION = "institution", _("Institution")
    INDEPENDENT = "independent", _("Independent")


class HelpChange(models.TextChoices):
    MORE = "more", _("More")
    SAME = "same", _("The same")
    LESS = "less", _("Less")


class Outcome(models.Model):
    """What became of the plan 3, 6 and 12 months after the conference."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="outcomes")
    months = models.PositiveSmallIntegerField(_("months after the conference"),
                                              choices=[(3, "3"), (6, "6"), (12, "12")])
    due_on = models.DateField(_("due"))
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="+")
    plan_running = models.CharField(_("plan still running"), max_length=10, choices=PlanRunning.choices,
                                    blank=True)
    child_lives = models.CharField(_("where the child lives"), max_length=12, choices=ChildLives.choices,
                                   blank=True)
    professional_help = models.CharField(_("professional help"), max_length=10, choices=HelpChange.choices,
                                         blank=True)
    family_satisfaction = models.PositiveSmallIntegerField(_("satisfaction of the family (1-10)"),
                                                           null=True, blank=True)
    professional_satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction of the professional (1-10)"), null=True, blank=True)

    class Meta:
        ordering = ["case", "months"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["case", "months"], name="outcome_once_per_moment"),
            models.CheckConstraint(
                condition=models.Q(family_satisfaction__isnull=True)
                | models.Q(family_satisfaction__gte=1, family_satisfaction__lte=10),
                name="family_satisfaction_1_10"),
            models.CheckConstraint(
                condition=models.Q(professional_satisfaction__isnull=True)
                | models.Q(professional_satisfaction__gte=1, professional_satisfaction__lte=10),
                name="professional_satisfaction_1_10"),
        ]

    def __str__(self) -> str:
        return f"{self.case} +{self.months}m"
