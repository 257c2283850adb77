"""Background work that several apps share: sending e-mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task


@task()
def send_email(*, template: str, to: list[str], context: dict, language: str = "nl") -> int:
    """Render `<template>_subject.txt` and `<template>.txt` and send them.

    Runs in the worker, never in the request. The context holds only ids and
    plain values so that the task row carries as little personal data as possible.
    """
    with translation.override(language):
        ctx = {**context, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
        body = render_to_string(f"{template}.txt", ctx)
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    return message.send()
