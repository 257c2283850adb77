from allauth.account.adapter import DefaultAccountAdapter


class KringAccountAdapter(DefaultAccountAdapter):
    """Accounts are made by the administrator; nobody signs up on their own."""

    def is_open_for_signup(self, request) -> bool:
        return False
