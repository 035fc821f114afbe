"""Random streams: the one seeding rule of rsi_sim, and the seed's default.

Every random number the package draws comes from a ``numpy.random.SeedSequence`` named here;
nothing else builds one. With ensemble seed ``s``:

=============================================  ================================================
stream                                          what draws from it
=============================================  ================================================
``SeedSequence(s, spawn_key=(i,))``             sample ``i``'s model (:func:`sample_seed`); equal
                                                to ``SeedSequence(s).spawn(n)[i]`` for ``n > i``
``SeedSequence(s, spawn_key=(i, 0))``           sample ``i``'s Monte Carlo parameter values
                                                (:func:`monte_carlo_seed`), so they do not
                                                depend on the number of samples
``SeedSequence(s, spawn_key=(DESIGN_KEY,))``    the joint Latin hypercube or Sobol design over
                                                all samples (:func:`design_seed`; no sample
                                                index reaches ``DESIGN_KEY``)
``SeedSequence(s)``, first word                 SALib's Saltelli design (:func:`salib_seed`)
run stream + ``component_key(name)``            a component's own inputs (:func:`model_uniforms`
                                                in a kernel run, :func:`stream_uniforms` for
                                                many samples at once); never 0, so it cannot
                                                meet the Monte Carlo key
=============================================  ================================================

Nothing depends on the engine, the worker count or the batch size. A run given no seed uses
its scenario's (:func:`resolve_seed`), and a scenario that gives none uses
:data:`DEFAULT_SEED`.

:func:`stream_uniforms` is the one fast path: a numpy transcription of the ``SeedSequence``
hash (O'Neill's seed_seq design, as numpy documents it) that computes every sample's words at
once instead of building one ``SeedSequence`` per sample. ``tests/core/test_random.py``
checks it bit for bit against numpy for every component stream the package draws.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

#: The seed of a scenario whose file gives none (the ``seed:`` key's default).
DEFAULT_SEED = 0
#: Seeds are integers in ``[0, SEED_LIMIT)``.
SEED_LIMIT = 2**63
#: The rule as ensembles state it in their ``seeding`` attribute.
SEEDING_RULE = "sample i runs on numpy.random.SeedSequence(seed, spawn_key=(i,))"
#: spawn_key of the joint-design stream; ensembles are capped below this many samples.
DESIGN_KEY = 2**32
MAX_SAMPLES = DESIGN_KEY - 1


def resolve_seed(seed: Any, spec: Any, *, ensemble: bool = False) -> Any:
    """The seed a run uses: ``seed`` if given, else (for an ensemble) the scenario's
    ``ensemble.seed`` if it sets one, else the scenario's ``seed``.

    ``spec`` is a scenario's parsed file (anything with ``seed`` and, for ensembles,
    ``ensemble.seed``). ``seed`` may be an int or a ``SeedSequence`` and is returned as given.

    >>> from types import SimpleNamespace as NS
    >>> spec = NS(seed=3, ensemble=NS(seed=None))
    >>> resolve_seed(None, spec), resolve_seed(5, spec), resolve_seed(None, spec, ensemble=True)
    (3, 5, 3)
    >>> resolve_seed(None, NS(seed=3, ensemble=NS(seed=9)), ensemble=True)
    9
    """
    if seed is not None:
        return seed
    if ensemble:
        own = getattr(getattr(spec, "ensemble", None), "seed", None)
        if own is not None:
            return own
    return spec.seed


def seed_in_range(seed: Any) -> bool:
    """True if ``seed`` is an integer seed rsi_sim accepts (``0 <= seed < 2**63``)."""
    try:
        return 0 <= int(seed) < SEED_LIMIT
    except (TypeError, ValueError):
        return False


def sample_seed(seed: int, i: int) -> np.random.SeedSequence:
    """The random stream of sample ``i``: equal to ``SeedSequence(seed).spawn(i + 1)[i]``.

    >>> a = sample_seed(7, 3).generate_state(2)
    >>> b = np.random.SeedSequence(7).spawn(5)[3].generate_state(2)
    >>> bool((a == b).all())
    True
    """
    return np.random.SeedSequence(seed, spawn_key=(int(i),))


def monte_carlo_seed(seed: int, i: int) -> np.random.SeedSequence:
    """The stream of sample ``i``'s Monte Carlo parameter values."""
    return np.random.SeedSequence(seed, spawn_key=(int(i), 0))


def design_seed(seed: int) -> np.random.SeedSequence:
    """The stream of an ensemble's joint (Latin hypercube or Sobol) design."""
    return np.random.SeedSequence(seed, spawn_key=(DESIGN_KEY,))


def salib_seed(seed: int) -> int:
    """The integer seed handed to SALib's Saltelli sampler (SALib takes an int, below 2**63).

    >>> salib_seed(0) == salib_seed(0) != salib_seed(1)
    True
    """
    return int(np.random.SeedSequence(seed).generate_state(1)[0] >> 1)


class SampleSeeds(Sequence):
    """The streams of samples ``start .. stop - 1`` of an ensemble with seed ``seed``, lazily.

    Item ``j`` is :func:`sample_seed` ``(seed, start + j)``; :func:`stream_uniforms` reads all of
    them at once without building the objects.

    >>> s = SampleSeeds(7, 10, 13)
    >>> len(s), s[1].spawn_key
    (3, (11,))
    """

    def __init__(self, seed: int, start: int, stop: int):
        if not seed_in_range(seed) or not 0 <= int(start) <= int(stop) <= 2**32:
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
        return sample_seed(self.seed, self.start + j % len(self))

    def __iter__(self) -> Iterator[np.random.SeedSequence]:
        return (self[j] for j in range(len(self)))


def component_key(name: str) -> int:
    """The spawn-key word of a component's input stream: CRC-32 of its name (never 0, so it
    cannot meet the Monte Carlo design's ``spawn_key=(i, 0)``).

    >>> component_key("ladder") == component_key("ladder") != component_key("software_doublings")
    True
    """
    return zlib.crc32(name.encode()) or 1


def component_stream(run: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """Component ``name``'s own stream, a child of the run's stream ``run``."""
    return np.random.SeedSequence(run.entropy, spawn_key=(*run.spawn_key, component_key(name)))


#: Spawn-key entry of the race interactions' streams (never a sample number's position).
INTERACTION_STREAM = 0x52414345


def interaction_stream(seed: Any, i: int) -> np.random.SeedSequence:
    """The ``i``-th interaction's stream in a race run on ``seed`` (an int or the run's
    ``SeedSequence``): a stream of its own, so each actor's model keeps the run's streams, as
    when it runs alone."""
    run = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return np.random.SeedSequence(run.entropy, spawn_key=(*run.spawn_key, INTERACTION_STREAM, i))


def _to_uniform(words: np.ndarray) -> np.ndarray:
    # 53 random bits, centred in their cell: never exactly 0 or 1 (logs and ndtri stay finite).
    return ((words >> np.uint64(11)).astype(float) + 0.5) * 2.0**-53


def model_uniforms(rng: np.random.Generator, k: int, name: str) -> np.ndarray:
    """``k`` uniforms of component ``name``'s inputs in a kernel run, shape ``(1, k)``: the
    ``generate_state(k, uint64)`` words of its :func:`component_stream`, as
    ``((w >> 11) + 0.5) / 2**53`` (open interval (0, 1)).

    Read from the ``SeedSequence`` behind ``model.rng`` (not from ``model.rng`` itself, so other
    components' draws never shift them).

    >>> rng = np.random.default_rng(sample_seed(5, 2))
    >>> bool((model_uniforms(rng, 3, "x") == stream_uniforms(SampleSeeds(5, 2, 3), 3, "x")).all())
    True
    """
    child = component_stream(rng.bit_generator.seed_seq, name)
    return _to_uniform(child.generate_state(k, np.uint64))[None, :]


# ---- numpy transcription of the SeedSequence hash: constants of numpy.random.SeedSequence.
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


def _seed_states(entropy: list[Any], n: int, k_words: int) -> np.ndarray:
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


def stream_uniforms(seeds: SampleSeeds | Sequence[np.random.SeedSequence | int], k: int,
                    name: str) -> np.ndarray:
    """``k`` uniforms per sample of component ``name``'s inputs, shape ``(n, k)``; row ``j``
    equals :func:`model_uniforms` of a kernel run on ``seeds[j]``.

    A :class:`SampleSeeds` takes the fast path (no per-sample objects); any other sequence of
    streams is read one by one through numpy.

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
