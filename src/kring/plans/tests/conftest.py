import pytest

from .builders import held_case_with_form


@pytest.fixture
def pw(world):
    """A held conference: circle, information form (one non-negotiable, one negotiable condition)."""
    return held_case_with_form(world)
