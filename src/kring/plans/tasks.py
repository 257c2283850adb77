"""Background work of the plan: making the PDF and sending it to the copy recipients."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .document import pdf_filename, render_plan_pdf
from .models import Distribution, PlanVersion

#: A claim older than this belongs to a worker that died while sending; it may be taken over.
STALE_CLAIM = timedelta(minutes=30)


def _claim(distribution: Distribution) -> bool:
    """Take this copy for this worker (an optimistic update): True for exactly one worker."""
    now = timezone.now()
    return bool(
        Distribution.objects.filter(pk=distribution.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM))
        .update(claimed_at=now)
    )


@task()
def send_plan_copies(*, version_id: int) -> int:
    """Send the plan PDF to every queued copy recipient of one version. Returns how many were sent.

    Each recipient gets their own e-mail (nobody sees the other addresses), with
    headings and text in their language. Only rows queued by `plan_distribute`
    are sent, and each one once.
    """
    version = PlanVersion.objects.select_related("plan__case").get(pk=version_id)
    reference = version.plan.case.reference
    documents: dict[str, bytes] = {}
    sent = 0
    for distribution in Distribution.objects.filter(version=version, sent_at__isnull=True).order_by("pk"):
        if not _claim(distribution):
            continue
        # The family decides who gets a copy; a withdrawn consent holds at once.
        from kring.family.services import may_receive_copy

        if not may_receive_copy(version, member=distribution.member, professional=distribution.professional):
            Distribution.objects.filter(pk=distribution.pk).delete()
            continue
        language = distribution.language
        try:
            if language not in documents:
                documents[language] = render_plan_pdf(version, language=language)
            with translation.override(language):
                context = {"reference": reference, "version": version.number, "site_url": settings.SITE_URL}
                subject = " ".join(render_to_string("plans/email/plan_subject.txt", context).split())
                body = render_to_string("plans/email/plan.txt", context)
            message = EmailMessage(subject=subject, body=body, to=[distribution.email])
            message.attach(pdf_filename(version), documents[language], "application/pdf")
            message.send()
        except Exception:
            Distribution.objects.filter(pk=distribution.pk).update(claimed_at=None)
            raise
        Distribution.objects.filter(pk=distribution.pk).update(sent_at=timezone.now())
        sent += 1
    return sent
