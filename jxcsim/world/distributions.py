"""Duration and quantity distributions as data: a scenario names them, the world samples them.

Every draw takes an explicit ``numpy.random.Generator``; nothing here holds randomness.

>>> import numpy as np
>>> d = Duration.model_validate({"dist": "lognormal", "mean_h": 2.0, "cv": 0.5})
>>> rng = np.random.default_rng(0)
>>> round(float(np.mean([d.sample(rng) for _ in range(20000)])), 1)
2.0
"""

from __future__ import annotations

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
        m, cv = self.mean_h, self.cv
        if self.dist is DistKind.FIXED or m == 0 or (cv == 0 and self.dist not in (DistKind.TRIANGULAR,
                                                                                    DistKind.UNIFORM)):
            return m
        if self.dist is DistKind.EXPONENTIAL:
            return float(rng.exponential(m))
        if self.dist is DistKind.LOGNORMAL:
            sigma2 = np.log1p(cv * cv)
            return float(rng.lognormal(np.log(m) - sigma2 / 2, np.sqrt(sigma2)))
        if self.dist is DistKind.GAMMA:
            shape = 1.0 / (cv * cv)
            return float(rng.gamma(shape, m / shape))
        if self.dist is DistKind.TRIANGULAR:
            if self.low_h == self.high_h:
                return float(self.low_h)
            return float(rng.triangular(self.low_h, m, self.high_h))
        return float(rng.uniform(self.low_h, self.high_h))


class Count(BaseModel):
    """A positive integer count: ``1 + Poisson(mean - 1)`` (``poisson``) or a fixed value."""

    model_config = ConfigDict(extra="forbid")

    dist: str = Field("poisson", pattern="^(poisson|fixed)$")
    mean: float = Field(3.0, ge=1)

    def sample(self, rng: np.random.Generator) -> int:
        if self.dist == "fixed":
            return int(round(self.mean))
        return 1 + int(rng.poisson(self.mean - 1))


class Quantity(BaseModel):
    """A positive whole quantity: lognormal with mean ``mean`` and ``cv``, rounded up."""

    model_config = ConfigDict(extra="forbid")

    mean: float = Field(10.0, gt=0)
    cv: float = Field(0.8, ge=0)

    def sample(self, rng: np.random.Generator) -> int:
        if self.cv == 0:
            return max(1, int(round(self.mean)))
        sigma2 = np.log1p(self.cv * self.cv)
        return max(1, int(np.ceil(rng.lognormal(np.log(self.mean) - sigma2 / 2, np.sqrt(sigma2)))))
