"""Numeric draws: uniform, normal, lognormal, exponential and bounded zipf, clipped to a range."""

from __future__ import annotations

import numpy as np

from pipeline.schema.model import Distribution

# Ranks up to this are drawn from their exact probabilities; the rest from the continuous tail.
ZIPF_HEAD = 1024


def _tail_mass(lo: float, hi: float, s: float) -> float:
    if abs(s - 1.0) < 1e-12:
        return float(np.log(hi / lo))
    a = 1.0 - s
    return float((hi**a - lo**a) / a)


def _tail_inverse(mass: np.ndarray, lo: float, s: float) -> np.ndarray:
    if abs(s - 1.0) < 1e-12:
        return lo * np.exp(mass)
    a = 1.0 - s
    return (lo**a + a * mass) ** (1.0 / a)


def zipf_ranks(rng: np.random.Generator, n: int, size: int, s: float) -> np.ndarray:
    """Ranks in [1, size] with probability proportional to rank**-s (bounded zipf, any s > 0).

    The first ranks use their exact weights; beyond them the density x**-s on
    [head + 0.5, size + 0.5) is inverted in closed form and rounded.
    """
    u = rng.random(n)
    head = min(size, ZIPF_HEAD)
    cum = np.cumsum(np.arange(1, head + 1, dtype=np.float64) ** -s)
    lo, hi = head + 0.5, size + 0.5
    tail = _tail_mass(lo, hi, s) if size > head else 0.0
    target = u * (cum[-1] + tail)
    ranks = np.searchsorted(cum, target, side="right").astype(np.int64) + 1
    beyond = ranks > head
    if beyond.any():
        x = _tail_inverse(target[beyond] - cum[-1], lo, s)
        ranks[beyond] = np.floor(x + 0.5).astype(np.int64)
    return np.clip(ranks, 1, size)


def draw_floats(
    rng: np.random.Generator, n: int, low: float, high: float, dist: Distribution
) -> np.ndarray:
    """Float draws for a distribution, clipped to [low, high]."""
    kind = dist.kind
    if kind == "uniform":
        return low + rng.random(n) * (high - low)
    if kind == "normal":
        draws = rng.normal(_need(dist.mean, "mean"), _need(dist.stddev, "stddev"), n)
    elif kind == "lognormal":
        draws = rng.lognormal(_need(dist.mean, "mean"), _need(dist.sigma, "sigma"), n)
    elif kind == "exponential":
        draws = low + rng.exponential(_need(dist.scale, "scale"), n)
    else:
        span = int(np.floor(high - low)) + 1
        draws = low + (zipf_ranks(rng, n, max(span, 1), _need(dist.s, "s")) - 1)
    return np.clip(draws, low, high)


def draw_integers(
    rng: np.random.Generator, n: int, low: int, high: int, dist: Distribution
) -> np.ndarray:
    if dist.kind == "uniform":
        return rng.integers(low, high, size=n, endpoint=True, dtype=np.int64)
    if dist.kind == "zipf":
        span = high - low + 1
        return low + (zipf_ranks(rng, n, span, _need(dist.s, "s")) - 1)
    values = np.floor(draw_floats(rng, n, float(low), float(high), dist))
    return np.clip(values, low, high).astype(np.int64)


def _need(value: float | None, name: str) -> float:
    if value is None:
        raise ValueError(f"distribution needs {name}")
    return float(value)
