"""Shared figure helpers (issue 11): readable axis titles, fonts for a lecture room, legends that leave the
titles free, coinciding lines made visible, time axes in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pytest

from brainsim import charts
from brainsim.charts import FONT_PX, LABELS, hours_axis, line_with_band, mark_overlaps, style


def curves(same: bool) -> pd.DataFrame:
    """Three learners over two seeds; 'b' equals 'a' exactly when `same`."""
    x = np.arange(5)
    rows = []
    for seed in (0, 1):
        for name, y in (("a", x * 0.1), ("b", x * 0.1 if same else 1 - x * 0.1), ("c", 0.5 + 0 * x)):
            rows += [dict(learner=name, seed=seed, samples_seen=int(i), test_accuracy=float(v)) for i, v in zip(x, y)]
    return pd.DataFrame(rows)


def mean_lines(fig: go.Figure) -> list:
    return [t for t in fig.data if t.type == "scatter" and t.fill != "toself"]


def test_axis_titles_are_labels_not_column_names():
    fig = line_with_band(curves(False), "samples_seen", "test_accuracy")
    assert fig.layout.xaxis.title.text == LABELS["samples_seen"] == "Samples seen"
    fig = style(px.line(curves(False), x="samples_seen", y="test_accuracy", color="learner"))
    assert fig.layout.yaxis.title.text == "Test accuracy"
    assert fig.layout.font.size >= 14 and FONT_PX >= 14


def test_every_line_gets_its_own_dash_and_identical_series_are_named():
    fig = line_with_band(curves(same=True), "samples_seen", "test_accuracy")
    lines = mean_lines(fig)
    assert len({t.line.dash for t in lines}) == len(lines) == 3
    names = [t.name for t in lines]
    assert "b (= a)" in names and "a" in names and "c" in names  # b lies exactly on a: the legend says so
    fig = line_with_band(curves(same=False), "samples_seen", "test_accuracy")
    assert sorted(t.name for t in mean_lines(fig)) == ["a", "b", "c"]  # nothing to note


def test_near_identical_series_are_marked_approximately():
    fig = go.Figure(
        [go.Scatter(x=[0, 1, 2], y=[0, 1, 2], name="p"), go.Scatter(x=[0, 1, 2], y=[0, 1.001, 2], name="q")]
    )
    assert mark_overlaps(fig) == {"q": "p"}
    assert fig.data[1].name == "q (≈ p)"
    assert mark_overlaps(fig) == {}  # marking twice changes nothing
    assert fig.data[1].name == "q (≈ p)"


def test_legend_sits_below_the_title_and_above_the_subplot_titles():
    df = curves(False).assign(set="test")
    fig = line_with_band(df, "samples_seen", "test_accuracy", facet="set", title="A title")
    height, top = fig.layout.height, fig.layout.margin.t
    legend_px = (1 - fig.layout.legend.y) * height  # its top edge, from the top of the figure
    title_px = (1 - fig.layout.title.y) * height
    assert fig.layout.legend.yref == "container" and fig.layout.legend.yanchor == "top"
    assert title_px < legend_px < top - 30  # the title, then the legend, then room for the facet titles
    assert [a.text for a in fig.layout.annotations] == ["test"]  # not 'set=test'


def test_legend_with_many_entries_gets_more_room():
    few = style(go.Figure([go.Scatter(x=[0], y=[0], name=n) for n in "ab"]))
    many = style(go.Figure([go.Scatter(x=[0], y=[0], name=f"long learner name {n}") for n in range(8)]))
    assert many.layout.margin.t > few.layout.margin.t + 40
    assert charts.legend_rows([f"long learner name {n}" for n in range(8)]) >= 3


def test_styling_twice_keeps_the_height():
    fig = style(go.Figure([go.Scatter(x=[0], y=[0], name=n) for n in "ab"]), "t")
    h = fig.layout.height
    assert style(fig, "t").layout.height == h


@pytest.mark.parametrize("lo, hi", [(1e-4, 700.0), (0.1, 720.0), (0.5, 30.0)])
def test_hours_axis_ticks_are_words_that_do_not_collide(lo, hi):
    fig = hours_axis(go.Figure(go.Scatter(x=[lo, hi], y=[0, 1])), lo, hi, "delay")
    vals, text = fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext
    assert fig.layout.xaxis.type == "log" and len(vals) >= 2
    assert not any("µ" in t for t in text) and all(t.split()[0].isdigit() for t in text)
    gaps_px = np.diff(np.log10(vals)) / np.log10(hi / lo) * charts.LEGEND_WIDTH_PX  # on a narrow 560 px plot
    assert gaps_px.min() >= 60  # wider than the longest label ('30 days' at 14 px)
