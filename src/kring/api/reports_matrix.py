"""Report operations for the API matrix and schema tests."""

from kring.reports.matrix_expectations import API_OPERATIONS  # noqa: F401
