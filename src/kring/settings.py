"""Settings for Kring, read from environment variables.

Every value has a safe default; a malformed value fails loudly at start-up
instead of being silently ignored.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def envstr(name: str, default: str) -> str:
    return os.environ.get(name) or default


DATA_DIR = Path(envstr("KRING_DATA_DIR", str(Path.cwd() / "data"))).resolve()

DEBUG = envbool("KRING_DEBUG", False)
# Demo mode shows demo hints (logins, the current second-factor code of demo
# accounts). It is refused together with production-like settings below.
DEMO = envbool("KRING_DEMO", False)
TESTING = envbool("KRING_TESTING", False)

_secret = os.environ.get("KRING_SECRET_KEY", "")
if not _secret:
    if not TESTING:
        # A stable, per-installation key stored in the data folder, so that a
        # plain `kring serve` works without configuration but never shares a key.
        _key_file = DATA_DIR / "secret_key"
        if _key_file.exists():
            _secret = _key_file.read_text().strip()
        else:
            from django.core.management.utils import get_random_secret_key

            DATA_DIR.mkdir(parents=True, exist_ok=True)
            _secret = get_random_secret_key()
            _key_file.write_text(_secret)
            _key_file.chmod(0o600)
    else:
        _secret = "kring-insecure-development-key-do-not-use-in-production"
SECRET_KEY = _secret

ALLOWED_HOSTS = [h.strip() for h in envstr("KRING_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
SITE_URL = envstr("KRING_SITE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "ninja",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
    "kring.core",
    "kring.accounts",
    "kring.regions",
    "kring.audit",
    "kring.cases",
    "kring.intake",
    "kring.matching",
    "kring.network",
    "kring.conferences",
    "kring.plans",
    "kring.followup",
    "kring.family",
    "kring.reports",
    "kring.api",
    "kring.privacy",
    "kring.benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kring.accounts.middleware.SessionLimitsMiddleware",
    "kring.accounts.middleware.RequireSecondFactorMiddleware",
    "kring.core.middleware.PrivateCacheMiddleware",
    "kring.core.ratelimit.CostlyFunctionLimitMiddleware",
]

ROOT_URLCONF = "kring.urls"
WSGI_APPLICATION = "kring.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kring.core.context_processors.kring",
            ],
        },
    }
]

# Database: SQLite (WAL) in the data folder unless DATABASE_URL says otherwise.
_default_sqlite = f"sqlite:///{DATA_DIR / 'kring.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(envstr("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool("KRING_DB_PREPARED", True):
    # Server-side parameters, so psycopg prepares a statement the fifth time a connection runs it:
    # PostgreSQL then skips parsing and planning, most of its CPU for the small reads pages make.
    # Django turns psycopg's preparing off unless `prepare_threshold` is given.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kring_cache",
    }
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# allauth: username login, no self sign-up (accounts are made by the admin),
# failed logins rate limited per address and per account.
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_ADAPTER = "kring.accounts.adapters.KringAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_PERIOD = 30
MFA_TOTP_DIGITS = 6
MFA_TOTP_ISSUER = "Kring"

# Sessions: 30 minutes idle, 12 hours at most (enforced in SessionLimitsMiddleware).
SESSION_IDLE_TIMEOUT = timedelta(minutes=envint("KRING_SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=envint("KRING_SESSION_MAX_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE = envbool("KRING_SECURE", SITE_URL.startswith("https://"))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
if SECURE:
    SESSION_COOKIE_NAME = "__Host-kring_session"
    CSRF_COOKIE_NAME = "__Host-kring_csrf"
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = envbool("KRING_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp): no inline script, no plugins, no framing.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = envstr("KRING_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("KRING_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("KRING_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("KRING_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("KRING_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("KRING_EMAIL_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = envstr("KRING_FROM_EMAIL", "Kring <noreply@kring.example>")

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("KRING_LOG_LEVEL", "WARNING")},
}

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS}

# Text messages: "console" (prints, the default), "locmem" (tests) or the dotted
# path of a `kring.core.sms.BaseSmsBackend` subclass for a real provider.
SMS_BACKEND = envstr("KRING_SMS_BACKEND", "console")
# Personal links (kring.core.links) never live longer than this after they were made.
PERSONAL_LINK_MAX_AGE = timedelta(days=envint("KRING_PERSONAL_LINK_MAX_DAYS", 90))

# --- Hardening (issue 9): production refuses DEBUG, breached passwords, re-authentication,
# session tracking, the second factor only replaced by the administrator. See docs/security.md.
PRODUCTION = SECURE or SITE_URL.startswith("https://")
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
if DEBUG and (PRODUCTION or not set(ALLOWED_HOSTS) <= _LOCAL_HOSTS):
    raise ImproperlyConfigured(
        "KRING_DEBUG is refused outside a local development set-up: it would show stack traces "
        "with personal data. Unset KRING_DEBUG (production runs with an https KRING_SITE_URL)."
    )
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("KRING_ALLOWED_HOSTS must name the site's host, not '*'.")
if SECURE:
    SECURE_HSTS_PRELOAD = True
AUTH_PASSWORD_VALIDATORS = [
    *AUTH_PASSWORD_VALIDATORS,
    {"NAME": "kring.accounts.passwords.BreachedPasswordValidator"},
]
MFA_ADAPTER = "kring.accounts.adapters.KringMFAAdapter"
ACCOUNT_REAUTHENTICATION_REQUIRED = True  # e-mail and password changes ask for the password again
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # after a reset: password *and* second factor again
MIDDLEWARE = [*MIDDLEWARE, "kring.accounts.middleware.SessionTrackingMiddleware"]
LOGGING.setdefault("loggers", {})["kring.security"] = {"handlers": ["console"], "level": "INFO", "propagate": False}
# Retention (Jeugdwet, NEN 7513): case files 20 years after care ends, the access log 5 years,
# a family's request to destroy their file carried out within 3 months. `kring manage destroy_expired`.
CASE_RETENTION_YEARS = 20  # Jeugdwet art. 7.3.8
ACCESS_LOG_RETENTION_YEARS = 5  # also in the audit trigger (audit migration 0003)
DESTRUCTION_REQUEST_MONTHS = 3

# The benchmark floor (`kring bench pages|load`): a bare view reading one case, mounted only
# for a benchmark run (KRING_BENCH_FLOOR=1) and refused on anything but a local set-up.
BENCH_FLOOR = envbool("KRING_BENCH_FLOOR", False)
if BENCH_FLOOR and (PRODUCTION or not set(ALLOWED_HOSTS) <= _LOCAL_HOSTS):
    raise ImproperlyConfigured(
        "KRING_BENCH_FLOOR is for benchmark runs on this machine only (loopback, no https site)."
    )
if BENCH_FLOOR:
    ROOT_URLCONF = "kring.benchmarks.urls"
