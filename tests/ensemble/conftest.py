import pytest

JONES_ENSEMBLE = "scenarios/reference/jones_ensemble.yaml"
#: A short horizon keeps each run to a few milliseconds.
SHORT = {"horizon": "2 y"}


@pytest.fixture
def scenario_path():
    return JONES_ENSEMBLE
