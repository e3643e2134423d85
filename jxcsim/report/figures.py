"""Figures for self-contained HTML reports: graphs as inline SVG, charts as PNG bytes.

* :func:`process_map_svg` and :func:`bpmn_svg` draw with Graphviz (the ``graphviz`` package
  calling ``dot``); they return the ``<svg>`` element alone, ready to paste into a page.
  Node ids are ours (``n0``, ``n1``...); text from the log appears only in labels, which are
  passed as plain text (never as Graphviz HTML labels, backslashes escaped), and ``dot`` writes
  them XML-escaped. Without ``dot`` they raise :class:`GraphvizMissing`.
* :func:`weekday_hour_heatmap_png` and :func:`lag_distribution_png` draw with matplotlib on the
  Agg canvas (no pyplot, no global backend switch) and return PNG bytes; text from the log is
  drawn with mathtext off, so ``$`` in a name is just a dollar sign.
* :func:`png_data_uri`, :func:`svg_data_uri` and :func:`img_tag` embed the results; :func:`fit_svg`
  makes an ``<svg>`` scale down to the page's width instead of drawing at its natural size.

>>> img_tag(b"\\x89PNG", alt='<b> & "x"')
'<img alt="&lt;b&gt; &amp; &quot;x&quot;" src="data:image/png;base64,iVBORw=="/>'
"""

from __future__ import annotations

import base64
import html
import io
import re
import shutil
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..mining.discovery import ProcessMap, ProcessModel

_FONT = "Helvetica,Arial,sans-serif"
_CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
              "PingFang SC")
_BLUES = ("#eff6fc", "#d4e6f6", "#a9cdec", "#6baed6", "#3182bd")


class GraphvizMissing(RuntimeError):
    """Graphviz's ``dot`` program is not installed, so graphs cannot be drawn."""


def png_data_uri(png: bytes) -> str:
    """``data:image/png;base64,...`` for an ``<img src>``."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def svg_data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` for an ``<img src>`` (inline ``<svg>`` works too)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def img_tag(png: bytes, *, alt: str) -> str:
    """An ``<img>`` element embedding ``png``; ``alt`` is escaped."""
    return f'<img alt="{html.escape(alt, quote=True)}" src="{png_data_uri(png)}"/>'


_SIZE = re.compile(r'\s(width|height)="([\d.]+)(pt|px)?"')


def fit_svg(svg: str) -> str:
    """``svg`` scaled to its container's width (``width="100%"``, height from its ``viewBox``), never
    wider than its natural size: a wide BPMN fits the page, a narrow graph is not blown up.

    >>> fit_svg('<svg width="400pt" height="50pt" viewBox="0 0 400 50"><g/></svg>')
    '<svg width="100%" style="max-width:400pt;height:auto" viewBox="0 0 400 50"><g/></svg>'
    >>> fit_svg('<svg width="8pt" height="2pt"><g/></svg>')
    '<svg width="100%" style="max-width:8pt;height:auto" viewBox="0 0 8 2"><g/></svg>'
    """
    end = svg.find(">")
    if not svg.startswith("<svg") or end < 0:
        return svg
    tag = svg[:end]
    size = {name: (value, unit or "px") for name, value, unit in _SIZE.findall(tag)}
    if "width" not in size:
        return svg
    tag = _SIZE.sub("", tag)
    width, unit = size["width"]
    style = f' width="100%" style="max-width:{width}{unit};height:auto"'
    if "viewBox" not in tag and "height" in size:
        style += f' viewBox="0 0 {width} {size["height"][0]}"'
    return "<svg" + style + tag[len("<svg"):] + svg[end:]


def format_hours(hours: float) -> str:
    """A duration for a label: minutes under an hour, hours under two days, else days.

    >>> format_hours(0.25), format_hours(5.04), format_hours(75.0), format_hours(float("nan"))
    ('15 min', '5.0 h', '3.1 d', '–')
    """
    if hours is None or not np.isfinite(hours):
        return "–"
    if abs(hours) < 1:
        return f"{hours * 60:.0f} min"
    if abs(hours) < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} d"


def _label(*lines: str) -> str:
    """A plain-text Graphviz label: each line escaped (backslashes, and ``&``, which ``dot`` would read
    as the start of an entity: "&amp;" in a name stays "&amp;"), joined by Graphviz line breaks."""
    import graphviz

    return graphviz.nohtml("\\n".join(graphviz.escape(str(line).replace("&", "&amp;")) for line in lines))


def _digraph(title: str | None):
    import graphviz

    graph = graphviz.Digraph("process", graph_attr={"rankdir": "TB", "fontname": _FONT, "fontsize": "12",
                                                    "bgcolor": "white"},
                             node_attr={"fontname": _FONT, "fontsize": "10"},
                             edge_attr={"fontname": _FONT, "fontsize": "9", "color": "#555555"})
    if title:
        graph.attr(label=_label(title), labelloc="t")
    return graph


def _render_svg(graph) -> str:
    import graphviz

    hint = ("Graphviz's 'dot' program is needed to draw process graphs and was not found on PATH; "
            "install Graphviz (apt-get install graphviz, brew install graphviz or conda install graphviz)")
    if shutil.which("dot") is None:
        raise GraphvizMissing(hint)
    try:
        svg = graph.pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound as exc:  # pragma: no cover - PATH changed under us
        raise GraphvizMissing(hint) from exc
    return svg[svg.index("<svg"):]


def process_map_svg(process_map: ProcessMap, *, max_edges: int | None = 60, title: str | None = None) -> str:
    """The directly-follows graph: activities with their event counts, edges with their case
    counts and mean time, from a start (●) to an end (■) node. ``max_edges`` keeps the most
    frequent edges (``None``: all), so a dense real log stays readable."""
    graph = _digraph(title)
    acts = process_map.activities
    ids = {name: f"n{i}" for i, name in enumerate(acts.index)}
    top = max(int(acts["events"].max()), 1) if len(acts) else 1
    graph.node("start", label="●", shape="circle", width="0.3", fixedsize="true", color="#2b8a3e")
    graph.node("end", label="■", shape="circle", width="0.3", fixedsize="true", color="#c92a2a")
    for name, row in acts.iterrows():
        level = min(int(4 * row["events"] / top + 0.5), 4)
        graph.node(ids[name], label=_label(name, f"{int(row['events']):,}"), shape="box", style="rounded,filled",
                   fillcolor=_BLUES[level], fontcolor="white" if level == 4 else "black")
    edges = process_map.edges if max_edges is None else process_map.edges.head(max_edges)
    widest = max(int(edges["count"].max()), 1) if len(edges) else 1
    for row in edges.itertuples():
        graph.edge(ids[row.source], ids[row.target], label=_label(f"{row.count:,}", format_hours(row.mean_h)),
                   penwidth=f"{1 + 4 * row.count / widest:.2f}")
    for name, n in process_map.start_activities.items():
        graph.edge("start", ids[name], label=_label(f"{n:,}"), style="dashed")
    for name, n in process_map.end_activities.items():
        graph.edge(ids[name], "end", label=_label(f"{n:,}"), style="dashed")
    return _render_svg(graph)


def _bpmn_shape(node) -> tuple[int, dict[str, str]]:
    """Sort rank and Graphviz attributes of a BPMN node."""
    from pm4py.objects.bpmn.obj import BPMN

    gateway = {"shape": "diamond", "width": "0.45", "height": "0.45", "fixedsize": "true", "fontsize": "14"}
    if isinstance(node, BPMN.StartEvent):
        return 0, {"shape": "circle", "label": "", "width": "0.35", "color": "#2b8a3e"}
    if isinstance(node, BPMN.EndEvent):
        return 4, {"shape": "circle", "label": "", "width": "0.35", "penwidth": "3", "color": "#c92a2a"}
    if isinstance(node, BPMN.ParallelGateway):
        return 2, {**gateway, "label": "+"}
    if isinstance(node, BPMN.ExclusiveGateway):
        return 2, {**gateway, "label": "×"}
    if isinstance(node, BPMN.Gateway):
        return 2, {**gateway, "label": "○"}
    return 1, {"shape": "box", "style": "rounded,filled", "fillcolor": _BLUES[1], "label": _label(node.get_name())}


def _bpmn_order(bpmn) -> list:
    """Nodes breadth-first from the start events, successors by kind and name: the same model
    gives the same drawing (pm4py keeps nodes in sets)."""
    def key(node):
        return _bpmn_shape(node)[0], str(node.get_name())

    successors: dict = {}
    for flow in bpmn.get_flows():
        successors.setdefault(flow.get_source(), []).append(flow.get_target())
    nodes = sorted(bpmn.get_nodes(), key=key)
    queue = [n for n in nodes if _bpmn_shape(n)[0] == 0]
    seen, order = set(queue), []
    while queue:
        node = queue.pop(0)
        order.append(node)
        for nxt in sorted(successors.get(node, []), key=key):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return order + [n for n in nodes if n not in seen]


def bpmn_svg(model: ProcessModel | object, *, title: str | None = None) -> str:
    """A BPMN diagram (tasks, gateways × + ○, start and end events) of a
    :class:`~jxcsim.mining.discovery.ProcessModel` or a pm4py ``BPMN``, left to right."""
    bpmn = model.bpmn if isinstance(model, ProcessModel) else model
    graph = _digraph(title)
    graph.attr(rankdir="LR")
    ids = {}
    for i, node in enumerate(_bpmn_order(bpmn)):
        ids[node] = f"n{i}"
        graph.node(ids[node], **_bpmn_shape(node)[1])
    for src, dst in sorted((ids[f.get_source()], ids[f.get_target()]) for f in bpmn.get_flows()):
        graph.edge(src, dst)
    return _render_svg(graph)


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in _CJK_FONTS if name in installed)]


def _new_figure(width_in: float, height_in: float, layout: str | None = "constrained"):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), layout=layout)
    FigureCanvasAgg(fig)
    return fig


_TOLD_ABOUT_GLYPHS = False  # the missing-glyph warning was given


def _png(fig, dpi: int) -> bytes:
    """The figure as PNG bytes; glyphs no installed font has (matplotlib warns once per glyph) are
    reported in one warning that says what to install."""
    buffer = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    missing = [w for w in caught if "missing from font" in str(w.message)]
    for w in caught:
        if w not in missing:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    global _TOLD_ABOUT_GLYPHS
    if missing and not _TOLD_ABOUT_GLYPHS:  # once a run: every figure would say the same
        _TOLD_ABOUT_GLYPHS = True
        warnings.warn("characters in the figures' labels (Chinese, Japanese or Korean text, emoji, ...) have no "
                      "installed font and show as boxes; install a font that has them, such as Noto Sans CJK "
                      "(Debian: fonts-noto-cjk)",
                      UserWarning, stacklevel=2)
    return buffer.getvalue()


def weekday_hour_heatmap_png(grid: pd.DataFrame, *, title: str, value_label: str = "hours",
                             dpi: int = 100) -> bytes:
    """A 7 × 24 grid (weekdays × local hours, as :func:`jxcsim.mining.heatmap.posting_lag_heatmap`
    returns) as a heatmap PNG; NaN cells (no observations) stay blank."""
    if grid.shape != (7, 24):
        raise ValueError(f"a weekday × hour grid has 7 rows and 24 columns, got {grid.shape}")
    fonts = _fonts()
    fig = _new_figure(10.0, 3.4, layout=None)
    # fixed margins (the labels are short weekday names and hours): a layout engine would double the cost
    ax = fig.add_axes((0.055, 0.14, 0.83, 0.77))
    values = np.ma.masked_invalid(grid.to_numpy(dtype=float))
    image = ax.imshow(values, aspect="auto", cmap="YlOrRd", interpolation="nearest")
    ax.set_xticks(range(24), labels=[f"{h:02d}" if isinstance(h, (int, np.integer)) else str(h) for h in grid.columns],
                  fontsize=8, fontfamily=fonts, parse_math=False)
    ax.set_yticks(range(7), labels=[str(d) for d in grid.index], fontfamily=fonts, parse_math=False)
    ax.set_xlabel("hour of day (local time)")
    ax.set_title(title, fontfamily=fonts, parse_math=False)
    if values.count():
        fig.colorbar(image, cax=fig.add_axes((0.9, 0.14, 0.015, 0.77))).set_label(value_label, fontfamily=fonts,
                                                                                     parse_math=False)
    else:
        ax.text(11.5, 3, "no observations", ha="center", va="center", color="#777777")
    return _png(fig, dpi)


_LAG_TICKS_H = (1, 2, 4, 8, 24, 72, 168, 720)


def _lag_axis(ax, values: np.ndarray) -> None:
    """Linear hours for lags within half a day; beyond, symmetric-log with readable ticks."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    lo, hi = np.percentile(values, [1, 99])
    if max(abs(lo), abs(hi)) > 12:
        ax.set_xscale("symlog", linthresh=1.0)
        ticks = [-t for t in _LAG_TICKS_H[::-1]] + [0] + list(_LAG_TICKS_H)
        ax.xaxis.set_major_locator(FixedLocator([t for t in ticks if lo - 1 <= t <= hi + 1]))
        ax.xaxis.set_minor_locator(FixedLocator([]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}"))


def lag_distribution_png(lags_by_location: Mapping[str, pd.Series], *, title: str,
                         value_label: str = "posting lag (h, posting − movement)", dpi: int = 100) -> bytes:
    """Box plots of lags per location (box: quartiles, whiskers: 5th–95th percentile, dot: mean);
    the axis turns symmetric-log when lags reach beyond 12 h, so minutes and days both read.
    Locations keep the mapping's order.
    Raises :class:`ValueError` when no location has a lag."""
    data = [(str(loc), pd.Series(values, dtype=float).dropna().to_numpy()) for loc, values in lags_by_location.items()]
    data = [(loc, values) for loc, values in data if len(values)]
    if not data:
        raise ValueError("no lags to draw")
    fonts = _fonts()
    fig = _new_figure(8.0, 1.4 + 0.5 * len(data))
    ax = fig.add_subplot()
    ax.boxplot([v for _, v in data], orientation="horizontal", whis=(5, 95), showfliers=False, showmeans=True,
               meanprops={"marker": "o", "markerfacecolor": "#c92a2a", "markeredgecolor": "#c92a2a", "markersize": 4})
    ax.set_yticks(range(1, len(data) + 1), labels=[f"{loc} (n={len(v):,})" for loc, v in data], fontfamily=fonts,
                  parse_math=False)
    ax.invert_yaxis()
    _lag_axis(ax, np.concatenate([v for _, v in data]))
    ax.axvline(0.0, color="#777777", linestyle="--", linewidth=0.8)
    ax.set_xlabel(value_label, fontfamily=fonts, parse_math=False)
    ax.set_title(title, fontfamily=fonts, parse_math=False)
    return _png(fig, dpi)
