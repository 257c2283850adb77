"""Plan operations for the API matrix and schema tests."""

from kring.plans.matrix_expectations import API_OPERATIONS  # noqa: F401
