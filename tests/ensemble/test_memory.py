"""Streaming keeps the driver's memory flat in the number of samples (measured)."""

import tracemalloc

from rsi_sim import run_ensemble

# Every sample of the plain Jones scenario runs the same model, so the peak measured reflects
# what the ensemble holds, not which sample happened to need the most integrator steps.
JONES = "scenarios/reference/jones.yaml"
# A fine output grid makes each sample's results big (~47 kB) while runs stay fast.
OVERRIDES = {"horizon": "2 y", "outputs.step": "6 hours"}


def _peak(samples: int, output) -> int:
    tracemalloc.start()
    try:
        run_ensemble(JONES, samples=samples, batch_size=5, overrides=OVERRIDES, output=output)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_zarr_streaming_memory_is_flat_in_samples(tmp_path):
    per_sample = 2 * 2923 * 8  # two recorded variables on the 6-hour grid
    _peak(5, tmp_path / "warm.zarr")  # first-use imports and caches are not per-sample costs
    small = _peak(10, tmp_path / "small.zarr")
    big = _peak(50, tmp_path / "big.zarr")
    held = 40 * per_sample  # what 40 more samples would cost if they were kept
    assert big - small < 0.2 * held, (small, big, held)


def test_the_measurement_sees_growth_when_results_are_held():
    small = _peak(10, None)
    big = _peak(50, None)
    assert big - small > 0.8 * 40 * 2 * 2923 * 8
