"""Live curves: a run shows its main learning curve while it is still in flight.

An experiment declares which curve is live with `Experiment(live=LiveCurve(x="epoch", y="test_accuracy"))`
and its run reports partial rows through the progress callback it already has:

    live.report(progress, fraction, message, rows=[(learner, x, y), ...])

`report` passes the rows on only to a callback that says it takes them (`progress.live = True`, as the app's
worker's callback does) and calls every other callback as `progress(fraction, message)`, so the CLI's printer
and any run(cfg, progress) written before this module keep working unchanged. The rows are copies of numbers
the run computes anyway: the live view is a view, never a different computation, and the finished tables are
the same bytes with or without it. The page draws them with `figure(curve, rows)` (the mean over seeds of
each learner at each x)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from brainsim.charts import color_map, label, style

MAX_ROWS = 20_000  # rows the server keeps per run in flight; beyond this a live curve stops growing


@dataclass(frozen=True)
class LiveCurve:
    """The curve a page draws while its run is in flight: rows (learner, x, y), x and y named as the columns
    of the finished table they preview (for the axis titles)."""

    x: str  # e.g. "epoch"
    y: str  # e.g. "test_accuracy"
    title: str = "Learning curve, live"
    y_range: tuple[float, float] | None = None  # fixed y axis (e.g. (0, 1.02) for accuracy), so lines do not jump
    log_x: bool = False


def report(progress, fraction: float, message: str, rows=None) -> None:
    """progress(fraction, message[, rows]): the rows go only to a callback that takes them (`.live` True)."""
    if progress is None:
        return
    if rows and getattr(progress, "live", False):
        progress(fraction, message, rows)
    else:
        progress(fraction, message)


def figure(curve: LiveCurve, rows: list[tuple]) -> dict:
    """Mean over seeds (and any repeated x) of each learner's y against x, in the app's colours, as a plain
    JSON figure dict. The page redraws it a few times a second for every run in flight, so it is cheap: the
    styled layout and trace styles of a (curve, learners) pair are made with plotly once (_skeleton), and a
    redraw only fills in the numbers (0.1-0.5 s of one shared interpreter per redraw with go.Figure and
    style(), about 5 ms this way). What the finished charts add on top of style(), such as marking two
    coinciding lines "(= other)", is left to them."""
    df = pd.DataFrame(rows, columns=["learner", curve.x, curve.y])
    df[curve.y] = pd.to_numeric(df[curve.y], errors="coerce")
    mean = df.groupby(["learner", curve.x], sort=False)[curve.y].mean().reset_index()
    learners = tuple(str(n) for n in dict.fromkeys(mean["learner"]))
    traces, layout = _skeleton(curve, learners)
    data = []
    for trace, (_, part) in zip(traces, mean.groupby("learner", sort=False)):
        part = part.sort_values(curve.x)
        data.append({**trace, "x": _plain(part[curve.x]), "y": _plain(part[curve.y])})
    return {"data": data, "layout": layout}


def _plain(values: pd.Series) -> list:
    """Numbers as JSON has them (NaN -> null)."""
    return [None if v != v else v for v in values.tolist()]


@functools.lru_cache(maxsize=64)
def _skeleton(curve: LiveCurve, learners: tuple[str, ...]) -> tuple[tuple[dict, ...], dict]:
    """Each learner's trace style and the styled layout, as plain JSON, made once per (curve, learners)."""
    colours = color_map(list(learners))
    fig = go.Figure(
        [go.Scatter(x=[0], y=[i], name=n, mode="lines", line={"color": colours[n]}) for i, n in enumerate(learners)]
    )  # distinct dummy lines, so that style() gives each its dash and marks none as coinciding
    fig.update_layout(xaxis_title=label(curve.x), yaxis_title=label(curve.y), uirevision="live")
    if curve.y_range:
        fig.update_yaxes(range=list(curve.y_range))
    if curve.log_x:
        fig.update_xaxes(type="log")
    plain = json.loads(pio.to_json(style(fig, curve.title).to_dict(), validate=False))
    traces = tuple({k: v for k, v in tr.items() if k not in ("x", "y")} for tr in plain["data"])
    return traces, plain["layout"]
