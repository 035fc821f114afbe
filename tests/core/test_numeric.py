"""The float fast paths agree with numpy, NaN included."""

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rsi_sim.core.numeric import clip, maximum, minimum

floats = st.floats(allow_nan=True, allow_infinity=True)


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


@given(floats, floats)
def test_minimum_and_maximum_match_numpy(a, b):
    assert same(minimum(a, b), float(np.minimum(a, b)))
    assert same(maximum(a, b), float(np.maximum(a, b)))


@given(floats, st.floats(-10, 0), st.floats(0, 10))
def test_clip_matches_numpy(x, lo, hi):
    assert same(clip(x, lo, hi), float(np.clip(x, lo, hi)))


def test_arrays_take_the_numpy_path():
    np.testing.assert_array_equal(clip(np.array([-1.0, 0.5, 2.0]), 0.0, 1.0), [0.0, 0.5, 1.0])
