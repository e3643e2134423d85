"""Report figures: inline SVG graphs with escaped text, PNG charts, data URIs."""

from __future__ import annotations

import base64
import doctest
import shutil
import struct

import numpy as np
import pandas as pd
import pytest

import jxcsim.report.figures as figures
from jxcsim.kpi.example import TIMEZONE, example_log
from jxcsim.mining.discovery import discover_process_map, discover_process_model
from jxcsim.mining.heatmap import posting_lag_heatmap
from jxcsim.report.figures import (GraphvizMissing, bpmn_svg, lag_distribution_png, png_data_uri,
                                   process_map_svg, svg_data_uri, weekday_hour_heatmap_png)

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
EVIL = '<script>alert(1)</script> & "x"'
NAMES = ["Receive", EVIL, "<b>bold</b>", "back\\slash \\N", "]]> <!-- c -->", "Pick &amp; pack &#38; go"]


def _evil_log() -> pd.DataFrame:
    t0 = pd.Timestamp("2025-01-06", tz="UTC")
    rows = [(f"C{c}", name, t0 + pd.Timedelta(hours=i + c)) for c in range(4) for i, name in enumerate(NAMES)]
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def _assert_escaped(svg: str) -> None:
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<script" not in svg and "<b>" not in svg and "<!-- c" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in svg
    assert "&lt;b&gt;bold&lt;/b&gt;" in svg
    assert "back\\slash \\N" in svg  # backslashes drawn as typed, not as Graphviz escapes
    assert "Pick &amp;amp; pack &amp;#38; go" in svg  # entities in a name drawn as typed, not decoded by dot


@needs_dot
def test_process_map_svg_escapes_log_text_and_shows_counts_and_times():
    svg = process_map_svg(discover_process_map(_evil_log()), title=EVIL)
    _assert_escaped(svg)
    assert ">4<" in svg  # every activity occurs 4 times, every edge 4 times
    assert ">1.0 h<" in svg  # one hour between consecutive events
    assert svg.count('class="node"') == len(NAMES) + 2  # with start and end


@needs_dot
def test_process_map_keeps_the_most_frequent_edges():
    pmap = discover_process_map(example_log())
    few = process_map_svg(pmap, max_edges=3)
    every = process_map_svg(pmap, max_edges=None)
    ends = len(pmap.start_activities) + len(pmap.end_activities)
    assert few.count('class="edge"') == 3 + ends
    assert every.count('class="edge"') == len(pmap.edges) + ends


@needs_dot
def test_bpmn_svg_escapes_log_text():
    model = discover_process_model(_evil_log(), noise_threshold=0.0)
    svg = bpmn_svg(model, title="model")
    _assert_escaped(svg)
    tasks = sum(1 for n in model.bpmn.get_nodes() if type(n).__name__ == "Task")
    assert tasks == len(NAMES) and svg.count('class="node"') == len(model.bpmn.get_nodes())
    assert bpmn_svg(model.bpmn) == bpmn_svg(model)


def test_graph_functions_name_graphviz_when_dot_is_missing(monkeypatch):
    monkeypatch.setattr(figures.shutil, "which", lambda name: None)
    with pytest.raises(GraphvizMissing, match=r"Graphviz.*install"):
        process_map_svg(discover_process_map(example_log()))


def test_heatmap_png_from_the_posting_lag_grid():
    grid = posting_lag_heatmap(example_log(), timezone=TIMEZONE)
    png = weekday_hour_heatmap_png(grid, title="Load → post: $5 & <b>")
    width, height = _png_size(png)
    assert (width, height) == (1000, 340)
    assert png == weekday_hour_heatmap_png(grid, title="Load → post: $5 & <b>")  # no timestamp in the file
    empty = weekday_hour_heatmap_png(grid * np.nan, title="nothing")
    assert _png_size(empty) == (1000, 340) and empty != png
    with pytest.raises(ValueError, match="7 rows and 24 columns"):
        weekday_hour_heatmap_png(grid.iloc[:3], title="x")


def test_lag_distribution_png_grows_with_locations():
    rng = np.random.default_rng(0)
    one = lag_distribution_png({"WH-A": pd.Series(rng.normal(0, 1, 50))}, title="lags")
    three = lag_distribution_png({"WH-A": pd.Series(rng.exponential(30, 80)), "WH-$B$": pd.Series([1.0, 2.0]),
                                  "empty": pd.Series([], dtype=float), "WH-C": pd.Series([np.nan, -3.0])},
                                 title="lags")
    assert _png_size(one)[1] == 190 and _png_size(three)[1] == 290  # 1.4 in + 0.5 in per location, 100 dpi
    with pytest.raises(ValueError, match="no lags"):
        lag_distribution_png({"WH-A": pd.Series([np.nan])}, title="x")


def test_data_uris_round_trip():
    png = lag_distribution_png({"W": pd.Series([1.0, 2.0, 3.0])}, title="t")
    uri = png_data_uri(png)
    assert uri.startswith("data:image/png;base64,") and base64.b64decode(uri.split(",", 1)[1]) == png
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><text>仓库 &amp;</text></svg>'
    assert base64.b64decode(svg_data_uri(svg).split(",", 1)[1]).decode("utf-8") == svg


def test_doctests():
    result = doctest.testmod(figures, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_labels_no_installed_font_can_draw_give_one_clear_warning(monkeypatch):
    import warnings

    monkeypatch.setattr(figures, "_TOLD_ABOUT_GLYPHS", False)
    days = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    grid = pd.DataFrame(np.ones((7, 24)), index=days, columns=range(24))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            figures.weekday_hour_heatmap_png(grid, title="仓库 A")
    messages = [str(w.message) for w in caught]
    if any(name in figures._fonts() for name in figures._CJK_FONTS):  # a CJK font is installed: nothing missing
        assert not [m for m in messages if "missing from font" in m or "fonts-noto-cjk" in m]
    else:
        assert [m for m in messages if "fonts-noto-cjk" in m] and len(messages) == 1  # once, not once per glyph
