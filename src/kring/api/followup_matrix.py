"""Follow-up operations for the API matrix and schema tests."""

from kring.api.followup import API_OPERATIONS  # noqa: F401
