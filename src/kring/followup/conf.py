"""Settings of the follow-up, each with a safe default.

Read from `django.conf.settings` when the project sets them, else from the
environment (so that a worker started by `kring worker` can be tuned without a
settings change), else the default.

FOLLOWUP_NOT_THRESHOLD         "not going well" answers that alert the convenor (2)
FOLLOWUP_MAX_ATTEMPTS          sends of one reminder before it is marked failed (5)
FOLLOWUP_RETRY_BASE_SECONDS    first wait after a failed send; doubles each time (60)
FOLLOWUP_STALE_CLAIM_SECONDS   a claim older than this belongs to a dead worker (600)
FOLLOWUP_POLL_SECONDS          how often `kring worker` looks for due reminders (5)
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings

DEFAULTS = {
    "FOLLOWUP_NOT_THRESHOLD": 2,
    "FOLLOWUP_MAX_ATTEMPTS": 5,
    "FOLLOWUP_RETRY_BASE_SECONDS": 60,
    "FOLLOWUP_STALE_CLAIM_SECONDS": 600,
    "FOLLOWUP_POLL_SECONDS": 5,
}


def setting(name: str) -> int:
    if hasattr(settings, name):
        return int(getattr(settings, name))
    raw = os.environ.get(f"KRING_{name}")
    if raw is None or raw.strip() == "":
        return DEFAULTS[name]
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"KRING_{name} must be a whole number, not {raw!r}") from None


def not_threshold() -> int:
    return max(1, setting("FOLLOWUP_NOT_THRESHOLD"))


def max_attempts() -> int:
    return max(1, setting("FOLLOWUP_MAX_ATTEMPTS"))


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: base, 2xbase, 4xbase, ... (at most a day)."""
    seconds = setting("FOLLOWUP_RETRY_BASE_SECONDS") * (2 ** max(0, attempts - 1))
    return timedelta(seconds=min(seconds, 86400))


def stale_claim() -> timedelta:
    return timedelta(seconds=setting("FOLLOWUP_STALE_CLAIM_SECONDS"))


def poll_seconds() -> float:
    return float(setting("FOLLOWUP_POLL_SECONDS"))
