"""Shared vocabulary for access-matrix expectations.

Each app with pages declares `MATRIX` in `kring/<app>/matrix_expectations.py`;
`core/tests/test_matrix.py` merges them and walks every entry as every persona.
"""

PERSONAS = [
    "anonymous", "manager", "coordinator", "professional", "linked_professional", "policy", "admin",
    "stranger_manager", "stranger_coordinator", "stranger_professional",
]
LOGIN = 302  # anonymous users are sent to the sign-in page


def row(default: int, **overrides: int) -> dict[str, int]:
    return {p: overrides.get(p, default) for p in PERSONAS}
