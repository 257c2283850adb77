"""The information form with its safety conditions, and the family group plan with its versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InformationForm(models.Model):
    """The professional's information form for one case.

    Each save makes a new `InformationFormVersion`; after the conference the form
    is locked and the last version is the one stapled to the plan.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="information_form")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("information form")
        verbose_name_plural = _("information forms")

    def __str__(self) -> str:
        return f"{self.case}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def current(self) -> InformationFormVersion | None:
        return self.versions.order_by("-number").first()


class InformationFormVersion(models.Model):
    form = models.ForeignKey(InformationForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    concerns = models.TextField(_("concerns, as concrete as possible"))
    tested_against = models.TextField(_("what the plan will be tested against"), blank=True)
    help_available = models.TextField(_("help that is available"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["form", "number"]
        verbose_name = _("information form version")
        verbose_name_plural = _("information form versions")
        constraints = [models.UniqueConstraint(fields=["form", "number"], name="info_form_version_once")]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"


class SafetyCondition(models.Model):
    """One testable statement the plan must meet ("X is never alone with Y")."""

    version = models.ForeignKey(InformationFormVersion, on_delete=models.CASCADE, related_name="conditions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("condition"))
    non_negotiable = models.BooleanField(_("not negotiable"), default=True)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("safety condition")
        verbose_name_plural = _("safety conditions")

    def __str__(self) -> str:
        return self.text[:60]


class Source(models.TextChoices):
    CONFERENCE = "conference", _("Made at a conference")
    SELF_MADE = "self_made", _("Made by the family itself")


class Plan(models.Model):
    """The family group plan of a case. Its content lives in numbered versions."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="plan")
    source = models.CharField(_("made"), max_length=12, choices=Source.choices, default=Source.CONFERENCE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("family group plan")
        verbose_name_plural = _("family group plans")

    def __str__(self) -> str:
        return f"{self.case}"

    @property
    def current(self) -> PlanVersion | None:
        return self.versions.order_by("-number").first()


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PRESENTED = "presented", _("Presented")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")


class PlanVersion(models.Model):
    """One version of the plan, in the family's own words and any script."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(_("status"), max_length=15, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    language = models.CharField(_("language of the plan"), max_length=8, blank=True)
    concerns_answered = models.TextField(_("questions and worries the plan answers"), blank=True)
    professional_help = models.TextField(_("help the family asks from professionals"), blank=True)
    monitor = models.ForeignKey("network.CircleMember", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("keeps an eye on the plan"))
    convenor = models.ForeignKey("network.CircleMember", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("calls the circle together"))
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    keep_informed = models.TextField(_("how we keep each other informed"), blank=True)
    when_not_kept = models.TextField(_("what we do when an agreement is not kept"), blank=True)
    copy_recipients = models.ManyToManyField("network.CircleMember", blank=True, related_name="+",
                                             verbose_name=_("may receive a copy"))
    copy_professionals = models.ManyToManyField("cases.CaseProfessional", blank=True, related_name="+",
                                                verbose_name=_("professionals who may receive a copy"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    presented_at = models.DateTimeField(_("presented"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    change_note = models.TextField(_("what changed"), blank=True)
    decision_reason = models.TextField(_("why the plan was not accepted"), blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_once")]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class ConcernAnswer(models.Model):
    """How the plan answers one worry, mapped to a safety condition where there is one."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="answers")
    condition = models.ForeignKey(SafetyCondition, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="answers")
    text = models.TextField(_("our answer"))

    class Meta:
        verbose_name = _("answer to a concern")
        verbose_name_plural = _("answers to concerns")

    def __str__(self) -> str:
        return self.text[:60]


class Agreement(models.Model):
    """Who does what, when and how often."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="agreements")
    order = models.PositiveSmallIntegerField(default=0)
    who = models.ForeignKey("network.CircleMember", on_delete=models.PROTECT, related_name="agreements",
                            verbose_name=_("who"))
    what = models.TextField(_("what"))
    when = models.CharField(_("when or how often"), max_length=200)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    conditions = models.ManyToManyField(SafetyCondition, blank=True, related_name="agreements",
                                        verbose_name=_("meets these conditions"))

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="agreement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.who}: {self.what[:40]}"


class ConditionTest(models.Model):
    """Part 3: the professional tests the plan against one safety condition."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="tests")
    condition = models.ForeignKey(SafetyCondition, on_delete=models.PROTECT, related_name="tests")
    met = models.BooleanField(_("met"))
    reason = models.TextField(_("reason"))
    tested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    tested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("condition test")
        verbose_name_plural = _("condition tests")
        constraints = [models.UniqueConstraint(fields=["version", "condition"], name="condition_tested_once")]

    def __str__(self) -> str:
        return f"{self.condition}: {'met' if self.met else 'not met'}"


class Distribution(models.Model):
    """Who received which version of the plan, and when."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="distributions")
    member = models.ForeignKey("network.CircleMember", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    professional = models.ForeignKey("cases.CaseProfessional", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    email = models.EmailField()
    language = models.CharField(_("language of the copy"), max_length=8, default="nl")
    queued_at = models.DateTimeField(default=timezone.now)
    #: Set by the worker that sends this copy (an optimistic claim), so it is sent once.
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan sent")
        verbose_name_plural = _("plans sent")
        constraints = [models.UniqueConstraint(fields=["version", "email"], name="plan_version_sent_once")]

    def __str__(self) -> str:
        return f"{self.version} → {self.email}"


class StoredPlanDocument(models.Model):
    """The plan PDF of one version in one language, kept once it has been built.

    Building a PDF costs far more than reading one, and the same version is opened
    again and again. `fingerprint` is a hash of everything printed in it (the plan, its
    status, the information form, the names, the headings in the language); when any of
    that changes the stored PDF is built again. Deleted with the version (and so with
    the case when the file is destroyed).
    """

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="stored_documents")
    language = models.CharField(max_length=8)
    fingerprint = models.CharField(max_length=64)
    pdf = models.BinaryField()
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stored plan document")
        verbose_name_plural = _("stored plan documents")
        constraints = [models.UniqueConstraint(fields=["version", "language"], name="plan_document_once")]

    def __str__(self) -> str:
        return f"{self.version} ({self.language})"
