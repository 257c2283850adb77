"""Account workflows that the administrator carries out."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kring.audit.log import log_access
from kring.audit.models import Action

from .models import Role, User
from .sessions import sessions_end_all


@transaction.atomic
def second_factor_reset(*, user: User, by: User, identity_checked_how: str,
                        request: HttpRequest | None = None) -> int:
    """Remove a user's second factor after they lost it, so they set up a new one at next sign-in.

    Only the administrator may do this, and only after checking who is asking
    (in person or by a call-back to a known number): `identity_checked_how`
    says how, and goes into the access log. Every session of the user ends, and
    `RequireSecondFactorMiddleware` sends them to set up TOTP after the password.
    Returns how many authenticators were removed.
    """
    if by.role != Role.ADMIN or not by.is_active:
        raise ValidationError(_("Only the administrator can replace a second factor."), code="not_admin")
    if by.pk == user.pk:
        raise ValidationError(_("Another administrator must replace your own second factor."), code="self")
    how = (identity_checked_how or "").strip()
    if len(how) < 5:
        raise ValidationError(_("Say how you checked who asked for this."), code="identity_required")
    removed, _details = Authenticator.objects.filter(user=user).delete()
    sessions_end_all(user)
    log_access(request, user=by, action=Action.CHANGE, object_type="user", object_id=user.pk,
               purpose=f"second factor removed for re-setup; identity checked: {how}"[:200])
    return removed


@transaction.atomic
def user_deactivate(*, user: User, by: User | None = None, request: HttpRequest | None = None) -> int:
    """Disable an account and end all its sessions on the server. Returns the sessions ended."""
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])  # the post_save handler ends the sessions
    ended = sessions_end_all(user)
    log_access(request, user=by, action=Action.CHANGE, object_type="user", object_id=user.pk,
               purpose="account disabled; sessions ended")
    return ended
