import numpy as np
import pytest


def test_drift_accumulates_by_hand(baseline_run):
    _, ds = baseline_run
    drift = ds["gen_alignment_drift"].values
    share_cov = ds["gen_review_coverage"].values
    assert drift[0] == 0 and np.all(np.diff(drift[np.isfinite(drift)]) >= 0)
    assert np.all((share_cov >= 0) & (share_cov <= 1))
    # while the judgment gap is open no work is AI-directed: no drift
    gap = ds["gen_judgment_gap"].values
    first_closed = int(np.argmax(gap <= 0))
    assert np.all(drift[: first_closed + 1] == 0)


def test_run_without_alignment(baseline):
    data = dict(baseline.data)
    comps = dict(data["components"])
    comps.pop("alignment")
    from rsi_sim.scenario.load import _validate
    sc = _validate({**data, "components": comps}, {}, "x", ())
    ds = sc.build_model().run()
    assert "alignment_drift" not in ds and float(ds["milestone_year"].sel(milestone="SC")) == pytest.approx(
        float(ds["milestone_year"].sel(milestone="SC")))
