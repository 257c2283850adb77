import pytest

from .world import BenchWorld, make_world


@pytest.fixture
def bench_world(db) -> BenchWorld:
    return make_world()
