"""The offer-moment register: recording that a family group plan was offered, and the reminder to
offer it again. Offering it at fixed moments, and recording the answer, is a legal duty (DOMAIN §6)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kring.accounts.models import Role, User
from kring.cases.models import Case, LegalFrame

from .models import Answer, Exemption, Offer


def default_exemption(case: Case) -> str:
    """Youth probation never requires the offer; guardianship the professional marks themself."""
    return Exemption.JR if case.legal_frame == LegalFrame.JR else Exemption.NONE


def may_record_offer(user: User, case: Case) -> bool:
    """The professionals of the case record offers (they are the ones with the duty)."""
    return user.has_role(Role.PROFESSIONAL) and (
        case.referred_by_id == user.pk or case.professionals.filter(user=user).exists())


@transaction.atomic
def offer_record(*, case: Case, by: User, moment: str, answer: str, reason: str = "", exemption: str = "",
                 offer_again_on: date | None = None, offered_on: date | None = None) -> Offer:
    """Record one offer. Earlier reminders of this professional for this case are done by it."""
    if not may_record_offer(by, case):
        raise ValidationError(_("Only a professional of this case can record an offer."), code="not_allowed")
    offered_on = offered_on or timezone.localdate()
    if answer == Answer.YES:
        reason, offer_again_on = "", None
    offer = Offer(
        case=case, moment=moment, answer=answer, reason=reason or "", exemption=exemption or "",
        offer_again_on=offer_again_on, offered_on=offered_on, offered_by=by,
        organisation=by.organisation or "", municipality_id=case.municipality_id, region_id=case.region_id,
    )
    errors = {}
    if offered_on > timezone.localdate():
        errors["offered_on"] = _("The date of the offer cannot be in the future.")
    if offer_again_on is not None and offer_again_on <= offered_on:
        errors["offer_again_on"] = _("Choose a date after the offer.")
    if errors:
        raise ValidationError(errors)
    offer.full_clean()
    Offer.objects.filter(case=case, offered_by=by, reminder_done_at__isnull=True,
                         offer_again_on__isnull=False).update(reminder_done_at=timezone.now())
    offer.save()
    return offer


def offer_reminder_done(*, offer: Offer, by: User) -> bool:
    """Dismiss the reminder of an offer; False when it was already done (claimed once)."""
    if offer.offered_by_id != by.pk:
        raise ValidationError(_("Only the professional who recorded the offer can do this."), code="not_allowed")
    return bool(Offer.objects.filter(pk=offer.pk, reminder_done_at__isnull=True)
                .update(reminder_done_at=timezone.now()))


def offers_of(user: User) -> QuerySet:
    """The offers this professional recorded, for cases they can still see."""
    return (Offer.objects.filter(offered_by=user, case__in=Case.objects.visible_to(user).values("pk"))
            .select_related("case", "municipality"))


def offers_due(user: User, *, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return (offers_of(user).filter(reminder_done_at__isnull=True, offer_again_on__isnull=False,
                                   offer_again_on__lte=today).order_by("offer_again_on", "id"))


def offers_upcoming(user: User, *, today: date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return (offers_of(user).filter(reminder_done_at__isnull=True, offer_again_on__gt=today)
            .order_by("offer_again_on", "id"))
