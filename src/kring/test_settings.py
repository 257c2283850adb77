"""Settings for the test suite: the real settings with test switches on."""

import os
import tempfile

os.environ["KRING_TESTING"] = "1"
os.environ.setdefault("KRING_DATA_DIR", tempfile.mkdtemp(prefix="kring-test-"))

from kring.settings import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
