"""numpy's huge-page hint: off for jxcsim's heavy work (reading, simulating, diagnosing), restored after."""

import doctest
import gc

import numpy as np
import pytest

from jxcsim import memory
from jxcsim.memory import huge_pages_hint, numpy_huge_pages, set_huge_pages_hint
from jxcsim.world.memory_policy import GEN0_THRESHOLD, run_memory

needs_hint = pytest.mark.skipif(huge_pages_hint() is None, reason="this numpy has no huge-page hint to set")


@pytest.fixture
def hint_on():
    """The hint on for the test (numpy's default), the process's setting restored after it."""
    previous = set_huge_pages_hint(True)
    yield
    set_huge_pages_hint(previous)


def test_doctests():
    assert doctest.testmod(memory).failed == 0


@needs_hint
@pytest.mark.parametrize("before", [True, False])
def test_a_block_sets_the_hint_and_restores_it(hint_on, before):
    set_huge_pages_hint(before)
    with numpy_huge_pages(False) as previous:
        assert previous is before and huge_pages_hint() is False
        np.ones(1 << 20)  # 8 MiB, above numpy's 4 MiB threshold for the hint
        with numpy_huge_pages(True):  # nested: restored to the outer block's setting
            assert huge_pages_hint() is True
        assert huge_pages_hint() is False
    assert huge_pages_hint() is before


@needs_hint
def test_a_run_turns_the_hint_off_unless_asked_to_keep_it(hint_on):
    with run_memory():
        assert huge_pages_hint() is False
    with run_memory(huge_pages=True):
        assert huge_pages_hint() is True
    assert huge_pages_hint() is True


def test_an_error_inside_a_run_restores_the_collector_and_the_hint(hint_on):
    thresholds, hint = gc.get_threshold(), huge_pages_hint()
    with pytest.raises(RuntimeError, match="inside"):
        with run_memory() as run:
            assert gc.get_threshold()[0] >= GEN0_THRESHOLD
            run.checkpoint()
            assert gc.get_freeze_count() > 0
            raise RuntimeError("inside")
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == 0
    assert huge_pages_hint() is hint


@needs_hint
def test_reading_a_log_runs_with_the_hint_off_and_leaves_it_as_it_was(hint_on, tmp_path, monkeypatch):
    from jxcsim.eventlog import read as read_module
    from jxcsim.eventlog import read_event_log

    seen = []
    real = read_module.normalise_events

    def spy(*args, **kwargs):
        seen.append(huge_pages_hint())
        return real(*args, **kwargs)

    monkeypatch.setattr(read_module, "normalise_events", spy)
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\nA,order,2025-01-06 09:00:00\n", encoding="utf-8")
    log = read_event_log(path)
    assert len(log.frame) == 1
    assert seen == [False] and huge_pages_hint() is True


@needs_hint
def test_the_command_turns_the_hint_off_for_its_process(hint_on):
    from typer.testing import CliRunner

    from jxcsim.cli import app

    result = CliRunner().invoke(app, ["simulate", "--help"])
    assert result.exit_code == 0, result.output
    assert huge_pages_hint() is False
