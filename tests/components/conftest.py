import pytest

from rsi_sim.scenario import load_scenario

BASELINE = "scenarios/baseline.yaml"


@pytest.fixture(scope="session")
def baseline():
    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def baseline_run(baseline):
    model = baseline.build_model()
    return model, model.run()
