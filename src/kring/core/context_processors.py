from django.conf import settings


def demo_totp_code() -> str | None:
    """The current second-factor code of the demo accounts (demo mode only)."""
    if not settings.DEMO:
        return None
    try:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        from kring.core.demo import DEMO_TOTP_SECRET
    except ImportError:
        return None
    import time

    counter = int(time.time()) // settings.MFA_TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


def kring(request):
    context = {"KRING_DEMO": settings.DEMO}
    user = getattr(request, "user", None)
    if settings.DEMO and (user is None or not user.is_authenticated):
        context["demo_totp_code"] = demo_totp_code()
    return context
