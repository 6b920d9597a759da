"""Common random numbers: every behaviour draw is keyed by who, when and what for, never by the policy.

Two runs of the same shop under two policies must meet the same customers on the
same days at the same times, with the same mood, so that a difference between the
runs is caused by what was shown and not by luck (finding 5 of issue 10). The
simulator therefore never draws behaviour from one shared stream whose position
depends on how many events happened before. Instead:

* :func:`uniform` / :func:`normal` / :func:`uniforms` hash a key ``(seed, purpose,
  customer, day, ...)`` to a number (a counter-based generator: the key is packed
  into one 64-bit word, mixed with SplitMix64's finaliser, and mixed again with a
  salt per purpose). The same key gives the same number in every run, whatever else
  happened; a different purpose gives an independent number. Vectorised: the keys
  are numpy arrays, there is no per-customer loop.
* :func:`slice_generator` returns a numpy Philox generator keyed by
  ``(seed, purpose, day, slice)`` for the few *dense* draws (a Gumbel key for every
  item of the catalog, per visit). Which customers visit in a slice, and in which
  order, depends only on keyed draws, so the rows of these matrices belong to the
  same visits in every run.

What may still differ between policies: a customer's purchase history (it drives
boredom and the substitution budget) and therefore their utilities -- that is the
effect of the policy, not noise.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy.special import ndtri

from ..kernels import keyed_uniforms

PURPOSES = {
    "visit": 1, "hour": 2, "second": 3, "drift": 4, "mood": 5, "examine": 6, "click": 7, "cart": 8, "buy": 9,
    "dwell": 10, "scroll": 11, "offset": 12, "bounce": 13, "substitute": 14, "browse": 15, "random_list": 16,
    "random_policy": 17, "cart_offset": 18, "buy_offset": 19, "need": 20,
}
"""Purpose codes: one independent family of draws per decision of the behaviour model."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(11)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (a bijection of uint64 with good avalanche), in place on a copy.

    uint64 arithmetic wraps around modulo 2**64 by design.
    """
    with np.errstate(over="ignore"):
        x = x + _GOLDEN
        x ^= x >> _S30
        x *= _M1
        x ^= x >> _S27
        x *= _M2
        x ^= x >> _S31
    return x


def _packed(seed: int, customer, day, a, b) -> np.ndarray:
    """Pack ``customer`` (22 bits) | ``day`` (12) | ``a`` (20) | ``b`` (10) into one word and mix in the seed.

    The packing is exact inside those ranges (4 million customers, 4096 days, a
    million items, 1024 slots), so distinct keys never share a word.
    """
    packed = (np.asarray(customer, dtype=np.int64).astype(np.uint64) << np.uint64(42)) \
        | (np.asarray(day, dtype=np.int64).astype(np.uint64) << np.uint64(30)) \
        | (np.asarray(a, dtype=np.int64).astype(np.uint64) << np.uint64(10)) \
        | np.asarray(b, dtype=np.int64).astype(np.uint64)
    return _mix(packed ^ _salt(int(seed), 0))


@functools.lru_cache(maxsize=4096)
def _salt(seed: int, code: int) -> np.uint64:
    return _mix(np.asarray([(int(seed) << 8) + code], dtype=np.uint64))[0]


def _to_unit(h: np.ndarray) -> np.ndarray:
    return ((h >> _S11).astype(np.float64) + 0.5) * (1.0 / 2.0**53)


def uniforms(seed: int, purposes: tuple[str, ...], customer, day, a=0, b=0) -> list[np.ndarray]:
    """One array of keyed uniforms per purpose, for the same keys (the key is packed and mixed once).

    The chain runs in one compiled pass (:func:`workbench.kernels.keyed_uniforms`), bit-identical
    to :func:`uniforms_numpy`. Keys broadcast as numpy arrays do; scalar keys and keys of the
    result's shape are passed without a broadcast copy.
    """
    keys = [np.asarray(x, dtype=np.int64) for x in (customer, day, a, b)]
    shapes = {x.shape for x in keys} - {()}
    if len(shapes) > 1:
        shape = np.broadcast_shapes(*shapes)
    else:  # the usual call: scalars beside arrays of one shape (np.broadcast_shapes costs more than the draws)
        shape = shapes.pop() if shapes else ()
    flat = [x.reshape(-1) if x.shape == shape or x.size == 1 else np.broadcast_to(x, shape).reshape(-1)
            for x in keys]
    if not all(len(x) for x in flat):  # an empty key: an empty result
        return [np.zeros(shape) for _ in purposes]
    out = keyed_uniforms(*flat, _salt(int(seed), 0), _salts(int(seed), tuple(purposes)))
    return [out[p].reshape(shape) for p in range(len(purposes))]


@functools.lru_cache(maxsize=1024)
def _salts(seed: int, purposes: tuple[str, ...]) -> np.ndarray:
    salts = np.array([_salt(seed, PURPOSES[p]) for p in purposes], dtype=np.uint64)
    salts.flags.writeable = False
    return salts


def uniforms_numpy(seed: int, purposes: tuple[str, ...], customer, day, a=0, b=0) -> list[np.ndarray]:
    """:func:`uniforms` as whole-array numpy steps (the reference the compiled pass is tested against)."""
    base = _packed(seed, customer, day, a, b)
    with np.errstate(over="ignore"):
        return [_to_unit(_mix(base + _salt(int(seed), PURPOSES[p]))) for p in purposes]


def uniform(seed: int, purpose: str, customer, day, a=0, b=0) -> np.ndarray:
    """Uniform numbers in (0, 1), one per element of the broadcast keys.

    Args:
        seed: the shop's seed.
        purpose: which decision the number is for (a key of :data:`PURPOSES`).
        customer: customer index (array).
        day: day since the warm-up start (array or scalar).
        a, b: further keys, e.g. an item index and a page or list position.
    """
    return uniforms(seed, (purpose,), customer, day, a, b)[0]


def normal(seed: int, purpose: str, customer, day, a=0, b=0) -> np.ndarray:
    """Standard normal numbers keyed like :func:`uniform` (inverse CDF of the keyed uniform)."""
    return ndtri(uniform(seed, purpose, customer, day, a, b))


def slice_generator(seed: int, purpose: str, day: int, slot: int = 0) -> np.random.Generator:
    """A Philox generator for dense draws of one (day, slice, purpose); independent of the policy."""
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([int(seed), PURPOSES[purpose], int(day),
                                                                        int(slot)])))
