"""Shared pieces of the vectorised path of reference components (``run_vectorized``).

The protocol (implemented by :class:`~rsi_sim.components.milestone_ladder.MilestoneLadder`,
:class:`~rsi_sim.components.software_doublings.SoftwareDoublings` and
:class:`~rsi_sim.components.horizon_trend.HorizonTrend`)::

    Component.run_vectorized(values, seeds, start_year, milestones, horizon=inf) -> xr.Dataset

``values`` are the component's parameter values (missing ones take their defaults), ``seeds``
one ``numpy.random.SeedSequence`` per sample, or a :class:`SampleSeeds` (the same streams,
without building 10,000 Python objects), ``start_year`` the decimal year of ``t = 0``, ``milestones`` the scenario's ``{name: condition text}``, ``horizon`` the run length in
years. The result has dim ``sample`` and holds what the per-sample path stores:
``milestone_year(sample, milestone)`` (NaN: not reached within the horizon), the component's
scalar metrics and its drawn inputs. A milestone condition that has no closed form (anything but
one ``NAME >= NUMBER`` or ``NAME > NUMBER`` on a variable the component can invert) raises
:class:`NotImplementedError`: callers fall back to running samples through the kernel.

Random inputs: one draw rule for both paths
-------------------------------------------
A component draws its random inputs as ``k`` uniforms from its own child of the run's
``SeedSequence``: ``SeedSequence(entropy, spawn_key=(*spawn_key, component_key(name)))``, whose
``generate_state(k, uint64)`` words become ``((w >> 11) + 0.5) / 2**53`` (open interval (0, 1)),
then turned into the inputs by inverse CDFs. A kernel run reads the stream from ``model.rng``
(:func:`model_uniforms`); the vectorised path computes the same words for every sample at once
(:func:`stream_uniforms`, a numpy transcription of the ``SeedSequence`` hash), so sample ``i``
is bit-identical on both paths and no per-sample ``Generator`` is ever created.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

_THRESHOLD = re.compile(
    r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_.]*)\s*(?P<op>>=|>)\s*"
    r"(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$"
)


def parse_threshold(condition: Any) -> tuple[str, bool, float]:
    """``"ladder_stage >= 1"`` → ``("ladder_stage", False, 1.0)`` (the bool: strict ``>``).

    >>> parse_threshold("ai_rd_multiplier > 25")
    ('ai_rd_multiplier', True, 25.0)
    """
    text = getattr(condition, "text", condition)
    m = _THRESHOLD.match(str(text))
    if not m:
        raise NotImplementedError(
            f"the vectorised path handles milestones of the form 'NAME >= NUMBER' only; "
            f"got {text!r} (run the samples through the kernel instead)")
    return m["name"], m["op"] == ">", float(m["num"])


def unsupported(name: str, owner: str) -> NotImplementedError:
    return NotImplementedError(f"{owner}.run_vectorized cannot invert a milestone on {name!r}")


def rngs(seeds: Sequence[np.random.SeedSequence | int]) -> list[np.random.Generator]:
    """One generator per sample, exactly as :class:`~rsi_sim.core.Model` makes ``model.rng``."""
    return [np.random.default_rng(s) for s in seeds]


class SampleSeeds(Sequence):
    """The streams of samples ``start .. stop - 1`` of an ensemble with seed ``seed``, lazily.

    Item ``j`` is ``SeedSequence(seed, spawn_key=(start + j,))`` (the ensemble's seeding rule,
    :func:`rsi_sim.ensemble.samplers.sample_seed`); :func:`stream_uniforms` reads all of them at
    once without building the objects.

    >>> s = SampleSeeds(7, 10, 13)
    >>> len(s), s[1].spawn_key
    (3, (11,))
    """

    def __init__(self, seed: int, start: int, stop: int):
        if not 0 <= int(seed) < 2**63 or not 0 <= int(start) <= int(stop) <= 2**32:
            raise ValueError(f"SampleSeeds needs 0 <= seed < 2**63 and 0 <= start <= stop <= 2**32; "
                             f"got {seed}, {start}, {stop}")
        self.seed, self.start, self.stop = int(seed), int(start), int(stop)

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, j):  # type: ignore[override]
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        if not -len(self) <= j < len(self):
            raise IndexError(j)
        return np.random.SeedSequence(self.seed, spawn_key=(self.start + j % len(self),))

    def __iter__(self) -> Iterator[np.random.SeedSequence]:
        return (self[j] for j in range(len(self)))


def component_key(name: str) -> int:
    """The spawn-key word of a component's input stream: CRC-32 of its name (never 0, so it
    cannot meet the Monte Carlo design's ``spawn_key=(i, 0)``).

    >>> component_key("ladder") == component_key("ladder") != component_key("software_doublings")
    True
    """
    return zlib.crc32(name.encode()) or 1


def _to_uniform(words: np.ndarray) -> np.ndarray:
    # 53 random bits, centred in their cell: never exactly 0 or 1 (logs and ndtri stay finite).
    return ((words >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53


def model_uniforms(rng: np.random.Generator, k: int, name: str) -> np.ndarray:
    """``k`` uniforms of a component's inputs in a kernel run, shape ``(1, k)``.

    Read from the ``SeedSequence`` behind ``model.rng`` (not from ``model.rng`` itself, so other
    components' draws never shift them).

    >>> rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(2,)))
    >>> bool((model_uniforms(rng, 3, "x") == stream_uniforms(SampleSeeds(5, 2, 3), 3, "x")).all())
    True
    """
    parent = rng.bit_generator.seed_seq
    child = np.random.SeedSequence(parent.entropy,
                                   spawn_key=(*parent.spawn_key, component_key(name)))
    return _to_uniform(child.generate_state(k, np.uint64))[None, :]


# ---- numpy transcription of the SeedSequence hash (O'Neill's seed_seq design, as numpy
# documents it): constants of numpy.random.SeedSequence.
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4
_M32 = 0xFFFFFFFF


def _words(x: int) -> list[int]:
    """An integer as little-endian 32-bit words (0 is one zero word), as SeedSequence reads it."""
    out = []
    while True:
        out.append(x & _M32)
        x >>= 32
        if not x:
            return out


def _shift(v: np.ndarray) -> np.ndarray:
    return v ^ (v >> np.uint64(16))


def _seed_states(entropy: list[list[int] | np.ndarray], n: int, k_words: int) -> np.ndarray:
    """``generate_state(k_words, uint32)`` of ``n`` SeedSequences whose assembled entropy is
    ``entropy`` (one entry per word: an int shared by all, or an array of ``n``), shape
    ``(n, k_words)``. Arithmetic is mod 2**32 in uint64 lanes."""
    m = np.uint64(_M32)
    cols = [np.full(n, w, np.uint64) if np.isscalar(w) else np.asarray(w, np.uint64)
            for w in entropy]
    hash_a = [_INIT_A]

    def hashmix(v: np.ndarray) -> np.ndarray:
        v = v ^ np.uint64(hash_a[0])
        hash_a[0] = (hash_a[0] * _MULT_A) & _M32
        v = (v * np.uint64(hash_a[0])) & m
        return _shift(v)

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return _shift((np.uint64(_MIX_L) * x - np.uint64(_MIX_R) * y) & m)

    zero = np.zeros(n, np.uint64)
    pool = [hashmix(cols[i] if i < len(cols) else zero) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(cols)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(cols[src]))
    out = np.empty((n, k_words), np.uint64)
    hash_b = _INIT_B
    for j in range(k_words):
        v = pool[j % _POOL] ^ np.uint64(hash_b)
        hash_b = (hash_b * _MULT_B) & _M32
        out[:, j] = _shift((v * np.uint64(hash_b)) & m)
    return out


def stream_uniforms(seeds: SampleSeeds | Sequence[np.random.SeedSequence], k: int,
                    name: str) -> np.ndarray:
    """``k`` uniforms per sample of component ``name``'s inputs, shape ``(n, k)``; row ``j``
    equals :func:`model_uniforms` of a kernel run on ``seeds[j]``.

    >>> u = stream_uniforms(SampleSeeds(3, 0, 4), 2, "ladder")
    >>> u.shape, bool(((u > 0) & (u < 1)).all())
    ((4, 2), True)
    """
    key = component_key(name)
    if isinstance(seeds, SampleSeeds):
        n = len(seeds)
        run = _words(seeds.seed)
        run += [0] * (_POOL - len(run))  # a spawned sequence pads its entropy to the pool size
        index = np.arange(seeds.start, seeds.stop, dtype=np.uint64)
        state = _seed_states([*run, index, key], n, 2 * k)
        words = state[:, 0::2] | (state[:, 1::2] << np.uint64(32))
        return _to_uniform(words)
    out = np.empty((len(seeds), k))
    for j, s in enumerate(seeds):
        if not isinstance(s, np.random.SeedSequence):
            s = np.random.SeedSequence(s)
        out[j] = model_uniforms(np.random.default_rng(s), k, name)[0]
    return out


def milestone_dataset(years: Mapping[str, np.ndarray], conditions: Mapping[str, Any],
                      start_year: float, horizon: float, n: int) -> xr.Dataset:
    """``milestone_year(sample, milestone)`` for ``n`` samples, NaN beyond the horizon."""
    names = list(years)
    table = np.stack([np.asarray(years[k], dtype=float) for k in names], axis=1) if names \
        else np.empty((n, 0))
    with np.errstate(invalid="ignore"):
        table = np.where(table <= start_year + horizon, table, np.nan)
    return xr.Dataset(
        {
            "milestone_year": (("sample", "milestone"), table, {
                "units": "year",
                "long_name": "decimal year the milestone was first reached (NaN: not reached)"}),
            "milestone_condition": ("milestone", np.array(
                [str(getattr(conditions[k], "text", conditions[k])) for k in names], dtype=str),
                {"long_name": "milestone condition"}),
        },
        coords={"sample": np.arange(n), "milestone": np.array(names, dtype=str)},
    )
