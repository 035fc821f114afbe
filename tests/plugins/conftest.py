import pytest

from rsi_sim import plugins
from rsi_sim.components import REGISTRY


@pytest.fixture(autouse=True)
def clean_registry():
    """Every test starts and ends with the shipped components only and no plugins loaded."""
    registry, loaded = dict(REGISTRY), dict(plugins._LOADED)
    yield
    REGISTRY.clear()
    REGISTRY.update(registry)
    plugins._LOADED.clear()
    plugins._LOADED.update(loaded)
