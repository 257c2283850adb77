"""Settings for the test suite: the real settings with test switches on."""

import os
import tempfile

os.environ["KRING_TESTING"] = "1"
os.environ.setdefault("KRING_DATA_DIR", tempfile.mkdtemp(prefix="kring-test-"))

from kring.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# The rate limits write to the cache (the database) on every API request, and whether a
# window's counter already exists changes the number of queries: tests that count queries
# would depend on the clock. `core/tests/test_ratelimit.py` turns them on.
RATE_LIMITS_ENABLED = False
