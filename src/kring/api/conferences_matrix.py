"""Conference operations for the API matrix and schema tests."""

from kring.conferences.matrix_expectations import API_OPERATIONS  # noqa: F401
