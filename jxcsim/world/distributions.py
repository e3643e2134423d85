"""Duration and quantity distributions as data: a scenario names them, the world samples them.

Every draw takes an explicit ``numpy.random.Generator``; nothing here holds randomness of its own.
``many(rng, n)`` draws ``n`` values at once; ``stream(rng)`` gives a function returning one value at a
time, drawn from ``rng`` a batch at a time (what a simulation that draws the same distribution many
times wants: one numpy call per batch instead of one per value).

>>> import numpy as np
>>> d = Duration.model_validate({"dist": "lognormal", "mean_h": 2.0, "cv": 0.5})
>>> rng = np.random.default_rng(0)
>>> round(float(d.many(rng, 20000).mean()), 1)
2.0
>>> draw = d.stream(np.random.default_rng(1), batch=4)
>>> [draw() for _ in range(3)] == d.many(np.random.default_rng(1), 3).tolist()
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from enum import Enum
from statistics import NormalDist

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class DistKind(str, Enum):
    """Shapes a scenario may use; ``mean_h``/``cv`` parametrise all but ``fixed``."""

    FIXED = "fixed"
    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    TRIANGULAR = "triangular"
    UNIFORM = "uniform"


class Duration(BaseModel):
    """A non-negative random duration in hours: mean ``mean_h``, coefficient of variation ``cv``.

    ``triangular`` and ``uniform`` use ``low_h``/``high_h`` (and ``mean_h`` as the mode for
    triangular).
    """

    model_config = ConfigDict(extra="forbid")

    dist: DistKind = DistKind.LOGNORMAL
    mean_h: float = Field(1.0, ge=0)
    cv: float = Field(0.5, ge=0)
    low_h: float | None = Field(None, ge=0)
    high_h: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> Duration:
        if self.dist in (DistKind.TRIANGULAR, DistKind.UNIFORM):
            if self.low_h is None or self.high_h is None:
                raise ValueError(f"{self.dist.value} needs low_h and high_h")
            if not self.low_h <= self.high_h:
                raise ValueError("low_h must not exceed high_h")
            if self.dist is DistKind.TRIANGULAR and not self.low_h <= self.mean_h <= self.high_h:
                raise ValueError("for triangular, mean_h is the mode and must lie in [low_h, high_h]")
        return self

    def sample(self, rng: np.random.Generator) -> float:
        """One draw, in hours."""
        return float(self.many(rng, 1)[0])

    def many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws (hours) as a float array; a constant distribution draws nothing from ``rng``."""
        m, cv = float(self.mean_h), self.cv
        if self._constant() is not None:
            return np.full(n, self._constant())
        if self.dist is DistKind.EXPONENTIAL:
            return rng.exponential(m, n)
        if self.dist is DistKind.LOGNORMAL:
            mu, sigma = _lognormal_params(m, cv)
            return rng.lognormal(mu, sigma, n)
        if self.dist is DistKind.GAMMA:
            shape = 1.0 / (cv * cv)
            return rng.gamma(shape, m / shape, n)
        low, high = float(self.low_h), float(self.high_h)  # type: ignore[arg-type]  # checked by _bounds
        if self.dist is DistKind.TRIANGULAR:
            return rng.triangular(low, m, high, n)
        return rng.uniform(low, high, n)

    def stream(self, rng: np.random.Generator, batch: int = 256) -> Callable[[], float]:
        """A function returning the next draw (hours), made from ``rng`` ``batch`` draws at a time."""
        constant = self._constant()
        if constant is not None:
            return lambda: constant
        return batched(lambda n: self.many(rng, n), batch)

    def _constant(self) -> float | None:
        """The value of a distribution that does not vary (None if it does)."""
        m = float(self.mean_h)
        if self.dist in (DistKind.TRIANGULAR, DistKind.UNIFORM):
            low, high = float(self.low_h), float(self.high_h)  # type: ignore[arg-type]  # checked by _bounds
            return low if low == high else None
        return m if self.dist is DistKind.FIXED or m == 0 or self.cv == 0 else None


def batched(draw: Callable[[int], np.ndarray], batch: int = 256) -> Callable[[], float]:
    """One value at a time from ``draw(batch)``, called again whenever the batch is used up.

    >>> counter = iter(range(100))
    >>> take = batched(lambda n: np.array([next(counter) for _ in range(n)]), batch=2)
    >>> [take() for _ in range(5)]
    [0, 1, 2, 3, 4]
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    buffer: list = []
    pop = buffer.pop

    def next_value():  # the batch reversed, so the next value is at the end (a cheap pop)
        if not buffer:
            values = draw(batch).tolist()
            values.reverse()
            buffer.extend(values)
        return pop()

    return next_value


def uniform_stream(rng: np.random.Generator, batch: int = 256) -> Callable[[], float]:
    """Uniform draws on [0, 1) from ``rng``, one at a time, made ``batch`` at a time (see :func:`batched`).

    >>> u = uniform_stream(np.random.default_rng(3))
    >>> 0.0 <= u() < 1.0
    True
    """
    return batched(rng.random, batch)


_GRID = 4096  # quantiles at which expectations of rounded quantities are taken


@functools.cache
def _normal_grid() -> np.ndarray:
    """Standard normal quantiles at the midpoints of ``_GRID`` equal slices of probability."""
    normal = NormalDist()
    return np.array([normal.inv_cdf((i + 0.5) / _GRID) for i in range(_GRID)])


def _lognormal_params(mean: float, cv: float) -> tuple[float, float]:
    """(mu, sigma) of the normal whose exponential has mean ``mean`` and coefficient of variation ``cv``."""
    sigma2 = np.log1p(cv * cv)
    return float(np.log(mean) - sigma2 / 2), float(np.sqrt(sigma2))


class Count(BaseModel):
    """A positive integer count: ``1 + Poisson(mean - 1)`` (``poisson``) or a fixed value."""

    model_config = ConfigDict(extra="forbid")

    dist: str = Field("poisson", pattern="^(poisson|fixed)$")
    mean: float = Field(3.0, ge=1)

    def sample(self, rng: np.random.Generator) -> int:
        return int(self.many(rng, 1)[0])

    def many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` counts as an integer array (a fixed count draws nothing from ``rng``)."""
        if self.dist == "fixed":
            return np.full(n, int(round(self.mean)), dtype=np.int64)
        return 1 + rng.poisson(self.mean - 1, n)


class Quantity(BaseModel):
    """A positive whole quantity: lognormal with mean ``mean`` and ``cv``, rounded up."""

    model_config = ConfigDict(extra="forbid")

    mean: float = Field(10.0, gt=0, le=1_000_000)  # units a line: the ledgers hold up to 1e9
    cv: float = Field(0.8, ge=0)

    def sample(self, rng: np.random.Generator) -> int:
        return int(self.many(rng, 1)[0])

    def many(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` quantities as a float array of whole numbers >= 1 (``cv`` 0 draws nothing from ``rng``)."""
        if self.cv == 0:
            return np.full(n, float(max(1, int(round(self.mean)))))
        mu, sigma = _lognormal_params(self.mean, self.cv)
        return np.maximum(1.0, np.ceil(rng.lognormal(mu, sigma, n)))

    def expected(self, factor: float = 1.0) -> float:
        """The mean quantity of a line for a customer who orders ``factor`` times as much, rounded up
        as the orders are drawn (``ceil(q × factor)`` of a whole ``q`` >= 1): above ``mean × factor``
        where quantities are small (a mean of 0.6 units still orders at least 1).

        >>> round(Quantity(mean=1.5, cv=0.8).expected(0.4), 2), round(Quantity(mean=40, cv=0.8).expected(), 1)
        (1.25, 40.5)
        """
        if self.cv == 0:
            return float(math.ceil(max(1, int(round(self.mean))) * factor))
        mu, sigma = _lognormal_params(self.mean, self.cv)
        q = np.maximum(1.0, np.ceil(np.exp(mu + sigma * _normal_grid())))  # the lognormal at evenly spaced quantiles
        return float(np.ceil(q * factor).mean())
