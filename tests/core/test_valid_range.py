"""Declared ranges of recorded variables: written as CF valid_min/valid_max, and respected by
every shipped scenario."""

from pathlib import Path

import numpy as np
import pytest

from rsi_sim import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_recorded_variables_stay_in_their_declared_range(path):
    model = load_scenario(path).build_model()
    ds = model.run()
    checked = 0
    for name, (lo, hi) in model.bounds().items():
        # a scenario with actors: records each variable over (actor, time)
        if name not in ds.data_vars or ds[name].dims not in (("time",), ("actor", "time")):
            continue
        attrs = ds[name].attrs
        assert attrs.get("valid_min", -np.inf) == lo and attrs.get("valid_max", np.inf) == hi, name
        v = ds[name].values
        v = v[~np.isnan(v)]
        assert np.all((v >= lo) & (v <= hi)), (name, lo, hi, v[(v < lo) | (v > hi)][:3])
        checked += np.isfinite(lo) or np.isfinite(hi)
    assert checked >= 5
