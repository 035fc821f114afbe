import numpy as np
import pytest


def test_generation_table(baseline_run):
    model, ds = baseline_run
    gens = model["generations"]
    rel = ds["gen_release"].values
    done = np.isfinite(rel)
    assert int(ds["n_generations"]) == int(done.sum()) - 1  # generation 0 deployed at start
    assert np.all(np.diff(rel[done]) > 0)
    # training compute = rate x duration at start (hand check on generation 2)
    g2 = gens.history[2]
    assert g2.training_end - g2.training_start == pytest.approx(0.3)
    assert g2.release == pytest.approx(g2.review_start + g2.review_duration)
    assert g2.effective_compute == pytest.approx(float(ds["gen_effective_compute"].sel(gen=2)))
    assert (ds["event_kind"] == "generation_released").sum() == int(ds["n_generations"])


def test_pause_stops_new_runs(baseline):
    model = baseline.build_model()
    gens = model["generations"]

    def pause_at_one_year():
        yield model.env.timeout(1.0)
        with model.change():
            gens.pause()

    model.env.process(pause_at_one_year())
    ds = model.run()
    starts = ds["gen_training_start"].values
    assert starts.max() < 2027.0
    assert int(ds["n_generations"]) <= 5


def test_review_multiplier_lengthens_reviews(baseline):
    model = baseline.build_model()
    model["generations"].review_multiplier = 3.0
    ds = model.run()
    d = ds["gen_review_duration"].values[1:]
    assert np.nanmin(d) >= 3.0 / 12 - 1e-9


@pytest.mark.parametrize(("cadence", "age", "first_start"), [
    ("back_to_back", 0.1, 0.2),   # deployed run began 0.1 y ago, trained 0.3 y: next starts at 0.2
    ("back_to_back", 0.4, -0.1),  # under way at the start (begun on the pre-start path)
    ("interval", 0.2, 0.3),       # release_interval 0.5 after the deployed run's start
])
def test_the_first_run_starts_at_its_cadence_time(baseline, cadence, age, first_start):
    sc = baseline.with_overrides({"horizon": "2027-01-01",
                                  "components.generations.cadence": cadence,
                                  "components.generations.initial_generation_age": age})
    ds = sc.build_model().run()
    start = float(ds["gen_training_start"].sel(gen=1)) - 2026.0
    assert start == pytest.approx(first_start, abs=1e-9)
