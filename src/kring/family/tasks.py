"""Background work of the family portal: sign-in codes and invitations to the circle."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from kring.cases.models import CasePerson
from kring.core import links
from kring.core.sms import send_sms

from .models import Channel, SignInCode

SIGN_IN_LINK = "family_sign_in"


def sign_in_url(sign_in: SignInCode, code: str) -> str:
    token = links.make_token(SIGN_IN_LINK, expires_at=sign_in.expires_at, sign_in=sign_in.pk, code=code)
    return links.absolute_url("family_sign_in_link", token)


@task()
def send_sign_in_code(*, sign_in_id: int) -> bool:
    """Make the code, store its hash, and send it. True when a message went out.

    A code is made for an unknown address too (and never sent), so the rows
    of known and unknown addresses look the same. Only the hash is stored;
    the task row holds no code and no address.
    """
    from .signin import code_hash, make_code

    sign_in = SignInCode.objects.filter(pk=sign_in_id, code_hash="").first()
    if sign_in is None:
        return False
    code = make_code()
    SignInCode.objects.filter(pk=sign_in.pk).update(code_hash=code_hash(sign_in, code))
    person = CasePerson.objects.filter(pk__in=sign_in.person_ids).order_by("pk").first()
    if person is None or sign_in.expires_at <= timezone.now():
        return False
    context = {"code": code, "url": sign_in_url(sign_in, code), "minutes": 10, "site_url": settings.SITE_URL}
    with translation.override(sign_in.language):
        if sign_in.channel == Channel.EMAIL:
            subject = " ".join(render_to_string("family/email/code_subject.txt", context).split())
            body = render_to_string("family/email/code.txt", context)
            EmailMessage(subject=subject, body=body, to=[person.email]).send()
        else:
            send_sms(person.phone, render_to_string("family/sms/code.txt", context))
    SignInCode.objects.filter(pk=sign_in.pk).update(sent_at=timezone.now())
    return True
