"""The memory settings of a run: the collector held back, numpy's huge-page hint off, both restored."""

import gc

import numpy as np
import pytest

from jxcsim.world.memory_policy import GEN0_THRESHOLD, _numpy_huge_pages_switch, run_memory

switch = _numpy_huge_pages_switch()
needs_switch = pytest.mark.skipif(switch is None, reason="this numpy has no huge-page hint to set")


def _hint() -> bool:
    """numpy's current hint, read by setting it to itself."""
    now = switch(True)
    switch(now)
    return now


@needs_switch
@pytest.mark.parametrize("before", [True, False])
def test_the_hint_is_off_during_a_run_and_restored_after(before):
    previous = switch(before)
    try:
        with run_memory():
            assert _hint() is False
            np.ones(1 << 20)  # 8 MiB, above numpy's 4 MiB threshold for the hint
        assert _hint() is before
    finally:
        switch(previous)


@needs_switch
def test_a_run_may_keep_the_hint():
    previous = switch(True)
    try:
        with run_memory(huge_pages=True):
            assert _hint() is True
        assert _hint() is True
    finally:
        switch(previous)


def test_an_error_inside_a_run_restores_the_collector_and_the_hint():
    thresholds = gc.get_threshold()
    hint = _hint() if switch is not None else None
    with pytest.raises(RuntimeError, match="inside"):
        with run_memory() as run:
            assert gc.get_threshold()[0] >= GEN0_THRESHOLD
            run.checkpoint()
            assert gc.get_freeze_count() > 0
            raise RuntimeError("inside")
    assert gc.get_threshold() == thresholds
    assert gc.get_freeze_count() == 0
    if switch is not None:
        assert _hint() is hint
