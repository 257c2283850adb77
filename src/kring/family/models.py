"""The family's own space: password-free sign-in, the consents they control, their own plan.

Families have no `User` account. A parent (main person) or a young person from 12
signs in with a one-time code; the session then holds their `CasePerson` id
(`kring.family.session`). Circle members reach their own agreements through a
personal link (`MemberLink`).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("text message")


class SignInCode(models.Model):
    """One request for a sign-in code.

    The address is kept only as a keyed hash; the code is made by the worker that
    sends it and only its hash is stored, so no readable code is ever in the
    database. A row is made for unknown addresses too (with no persons), so a
    request for an unknown address does exactly the same work as a known one.
    """

    address_hash = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    person_ids = models.JSONField(default=list, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=8, default="nl")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    wrong_tries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class ConsentKind(models.TextChoices):
    PLAN_COPY = "plan_copy", _("May receive a copy of the plan")
    CHECK_IN_SUMMARIES = "check_in_summaries", _("The professional may see the check-in summaries")
    PHONE = "phone", _("Our phone number may be passed on")


class FamilyConsent(models.Model):
    """One decision of the family about sharing, kept forever (append-only).

    The newest row per (case, kind, member, professional) is what holds now; a
    withdrawal is a new row with `granted=False`.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="family_consents")
    kind = models.CharField(_("what"), max_length=20, choices=ConsentKind.choices)
    member = models.ForeignKey("network.CircleMember", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("circle member"))
    professional = models.ForeignKey("cases.CaseProfessional", on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="+", verbose_name=_("professional"))
    granted = models.BooleanField(_("given"))
    at = models.DateTimeField(_("when"), default=timezone.now)
    by_person = models.ForeignKey("cases.CasePerson", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    by_label = models.CharField(_("by"), max_length=200)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent of the family")
        verbose_name_plural = _("consents of the family")
        indexes = [models.Index(fields=["case", "kind", "-at"], name="family_consent_case_kind")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {'yes' if self.granted else 'no'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("consent history rows are never changed; add a new row")
        super().save(*args, **kwargs)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class MemberLink(models.Model):
    """The personal link of a circle member to their own agreements. A new nonce switches the old link off."""

    member = models.OneToOneField("network.CircleMember", on_delete=models.CASCADE, related_name="family_link")
    nonce = models.CharField(max_length=32, default=new_nonce)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("personal link of a circle member")
        verbose_name_plural = _("personal links of circle members")

    def __str__(self) -> str:
        return f"{self.member_id}"


class SelfPlanStep(models.TextChoices):
    PROBLEM = "problem", _("What must the plan solve?")
    PEOPLE = "people", _("Who can think along?")
    MEETING = "meeting", _("Inviting and meeting")
    AGREEMENTS = "agreements", _("The agreements")
    SHARING = "sharing", _("Keeping an eye and sharing")
    FINISH = "finish", _("Check and finish")


class SelfPlan(models.Model):
    """A family making its own plan without a coordinator (DOMAIN §4): the answers so far.

    Its case has channel "public", state "preparing", no coordinator and no
    running norm clock (it is not a request for a coordinator). Finishing writes
    a normal `PlanVersion` of a `Plan` with source "self_made".
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="self_plan")
    started_by = models.ForeignKey("cases.CasePerson", on_delete=models.SET_NULL, null=True, related_name="+")
    step = models.CharField(max_length=12, choices=SelfPlanStep.choices, default=SelfPlanStep.PROBLEM)
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan the family makes itself")
        verbose_name_plural = _("plans families make themselves")

    def __str__(self) -> str:
        return f"{self.case_id}"
