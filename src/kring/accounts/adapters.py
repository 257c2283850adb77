from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from .models import STAFF_ROLES


class KringAccountAdapter(DefaultAccountAdapter):
    """Accounts are made by the administrator; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False


class KringMFAAdapter(DefaultMFAAdapter):
    """Staff cannot remove their own TOTP: a lost factor is replaced by the administrator.

    (`kring.accounts.services.second_factor_reset`, logged.) Without this, a
    stolen session could switch the second factor off.
    """

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.role in STAFF_ROLES:
            return False
        return super().can_delete_authenticator(authenticator)
