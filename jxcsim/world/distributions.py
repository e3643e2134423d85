"""Duration and quantity distributions as data: a scenario names them, the world samples them.

Every draw takes an explicit ``numpy.random.Generator``; nothing here holds randomness.
``sampler()`` returns a function of the generator with the parameters worked out once (for a
loop that draws the same distribution many times); it draws exactly what ``sample`` draws.

>>> import numpy as np
>>> d = Duration.model_validate({"dist": "lognormal", "mean_h": 2.0, "cv": 0.5})
>>> rng = np.random.default_rng(0)
>>> round(float(np.mean([d.sample(rng) for _ in range(20000)])), 1)
2.0
>>> draw = d.sampler()
>>> draw(np.random.default_rng(1)) == d.sample(np.random.default_rng(1))
True
"""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum

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
        return self.sampler()(rng)

    def sampler(self) -> Callable[[np.random.Generator], float]:
        """A function drawing one duration (hours) from a generator, parameters precomputed."""
        m, cv = float(self.mean_h), self.cv
        if self.dist is DistKind.FIXED or m == 0 or (cv == 0 and self.dist not in (DistKind.TRIANGULAR,
                                                                                    DistKind.UNIFORM)):
            return lambda rng: m
        if self.dist is DistKind.EXPONENTIAL:
            return lambda rng: float(rng.exponential(m))
        if self.dist is DistKind.LOGNORMAL:
            mu, sigma = _lognormal_params(m, cv)
            return lambda rng: float(rng.lognormal(mu, sigma))
        if self.dist is DistKind.GAMMA:
            shape = 1.0 / (cv * cv)
            scale = m / shape
            return lambda rng: float(rng.gamma(shape, scale))
        low, high = float(self.low_h), float(self.high_h)  # type: ignore[arg-type]  # checked by _bounds
        if self.dist is DistKind.TRIANGULAR:
            if low == high:
                return lambda rng: low
            return lambda rng: float(rng.triangular(low, m, high))
        return lambda rng: float(rng.uniform(low, high))


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
        return self.sampler()(rng)

    def sampler(self) -> Callable[[np.random.Generator], int]:
        """A function drawing one count from a generator."""
        if self.dist == "fixed":
            n = int(round(self.mean))
            return lambda rng: n
        lam = self.mean - 1
        return lambda rng: 1 + int(rng.poisson(lam))


class Quantity(BaseModel):
    """A positive whole quantity: lognormal with mean ``mean`` and ``cv``, rounded up."""

    model_config = ConfigDict(extra="forbid")

    mean: float = Field(10.0, gt=0)
    cv: float = Field(0.8, ge=0)

    def sample(self, rng: np.random.Generator) -> int:
        return self.sampler()(rng)

    def sampler(self) -> Callable[[np.random.Generator], int]:
        """A function drawing one quantity from a generator."""
        if self.cv == 0:
            n = max(1, int(round(self.mean)))
            return lambda rng: n
        mu, sigma = _lognormal_params(self.mean, self.cv)
        return lambda rng: max(1, math.ceil(rng.lognormal(mu, sigma)))
