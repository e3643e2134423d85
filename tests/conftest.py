"""Shared fixtures: the public logs in ../shared/eventlogs (skipped when absent), hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parents[1]
SHARED_LOGS = REPO.parent / "shared" / "eventlogs"

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def shared_logs() -> Path:
    """The folder of public logs; tests using it skip when ../shared is not beside the repo."""
    if not SHARED_LOGS.is_dir():
        pytest.skip("../shared/eventlogs is not available")
    return SHARED_LOGS


def shared_file(name: str) -> Path:
    path = SHARED_LOGS / name
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path
