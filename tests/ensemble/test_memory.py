"""Streaming keeps the driver's memory flat in the number of samples (measured)."""

import tracemalloc

from rsi_sim import run_ensemble

from .conftest import JONES_ENSEMBLE

# A fine output grid makes each sample's results big (~47 kB) while runs stay fast.
OVERRIDES = {"horizon": "2 y", "outputs.step": "6 hours"}


def _peak(samples: int, output) -> int:
    tracemalloc.start()
    try:
        run_ensemble(JONES_ENSEMBLE, samples=samples, batch_size=5, overrides=OVERRIDES, output=output)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_zarr_streaming_memory_is_flat_in_samples(tmp_path):
    per_sample = 2 * 2923 * 8  # two recorded variables on the 6-hour grid
    small = _peak(20, tmp_path / "small.zarr")
    big = _peak(100, tmp_path / "big.zarr")
    held = 80 * per_sample  # what 80 more samples would cost if they were kept
    assert big - small < 0.2 * held, (small, big, held)


def test_the_measurement_sees_growth_when_results_are_held():
    small = _peak(20, None)
    big = _peak(100, None)
    assert big - small > 0.8 * 80 * 2 * 2923 * 8
