"""Memory settings for heavy work: numpy's huge-page hint off and pyarrow's system pool for reading,
simulating and diagnosing, restored after; a setting the environment chose is left alone."""

import doctest
import gc

import numpy as np
import pytest

from jxcsim import memory
import pyarrow as pa

from jxcsim.memory import (ARROW_POOL_ENV, NUMPY_HINT_ENV, arrow_memory_pool, heavy_work, huge_pages_hint,
                          numpy_huge_pages, set_huge_pages_hint, use_for_process)
from jxcsim.world.memory_policy import GEN0_THRESHOLD, run_memory

needs_hint = pytest.mark.skipif(huge_pages_hint() is None, reason="this numpy has no huge-page hint to set")


@pytest.fixture
def hint_on(monkeypatch):
    """The hint on and pyarrow's own default pool for the test (no choice in the environment), the
    process's settings restored after it."""
    monkeypatch.delenv(NUMPY_HINT_ENV, raising=False)
    monkeypatch.delenv(ARROW_POOL_ENV, raising=False)
    previous, pool = set_huge_pages_hint(True), pa.default_memory_pool()
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    yield
    set_huge_pages_hint(previous)
    pa.set_memory_pool(pool)


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
def test_reading_a_log_runs_with_the_hint_off_and_the_system_pool_and_leaves_both_as_they_were(hint_on, tmp_path,
                                                                                                monkeypatch):
    from jxcsim.eventlog import read as read_module
    from jxcsim.eventlog import read_event_log

    seen = []
    real = read_module.normalise_events

    def spy(*args, **kwargs):
        seen.append((huge_pages_hint(), pa.default_memory_pool().backend_name))
        return real(*args, **kwargs)

    monkeypatch.setattr(read_module, "normalise_events", spy)
    path = tmp_path / "log.csv"
    path.write_text("case:concept:name,concept:name,time:timestamp\nA,order,2025-01-06 09:00:00\n", encoding="utf-8")
    log = read_event_log(path)
    assert len(log.frame) == 1
    assert seen == [(False, "system")] and huge_pages_hint() is True
    assert pa.default_memory_pool().backend_name == "mimalloc"


@needs_hint
def test_the_command_uses_the_settings_for_its_whole_process(hint_on):
    from typer.testing import CliRunner

    from jxcsim.cli import app

    result = CliRunner().invoke(app, ["simulate", "--help"])
    assert result.exit_code == 0, result.output
    assert huge_pages_hint() is False and pa.default_memory_pool().backend_name == "system"


@needs_hint
def test_a_setting_the_environment_chose_is_left_alone(hint_on, monkeypatch):
    monkeypatch.setenv(NUMPY_HINT_ENV, "1")
    monkeypatch.setenv(ARROW_POOL_ENV, "mimalloc")
    with heavy_work():
        assert huge_pages_hint() is True and pa.default_memory_pool().backend_name == "mimalloc"
    with run_memory():
        assert huge_pages_hint() is True
    use_for_process()
    assert huge_pages_hint() is True and pa.default_memory_pool().backend_name == "mimalloc"
    monkeypatch.delenv(ARROW_POOL_ENV)
    with heavy_work():  # only the pool is still ours to choose
        assert huge_pages_hint() is True and pa.default_memory_pool().backend_name == "system"


def test_buffers_made_in_the_block_outlive_it_and_a_pool_that_is_not_there_is_named(hint_on):
    with arrow_memory_pool("system") as previous:
        values = pa.array(["x" * 100] * 10_000)
    assert previous == "mimalloc" and pa.default_memory_pool().backend_name == "mimalloc"
    assert values[9_999].as_py() == "x" * 100
    with pytest.raises(ValueError, match="no pyarrow memory pool 'tcmalloc'.*jemalloc.*mimalloc.*system"):
        with arrow_memory_pool("tcmalloc"):
            pass
    assert pa.default_memory_pool().backend_name == "mimalloc"
