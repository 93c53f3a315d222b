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

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

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


def figure(curve: LiveCurve, rows: list[tuple]) -> go.Figure:
    """Mean over seeds (and any repeated x) of each learner's y against x, in the app's colours."""
    df = pd.DataFrame(rows, columns=["learner", curve.x, curve.y])
    df[curve.y] = pd.to_numeric(df[curve.y], errors="coerce")
    mean = df.groupby(["learner", curve.x], sort=False)[curve.y].mean().reset_index()
    colours = color_map(list(dict.fromkeys(mean["learner"])))
    fig = go.Figure()
    for name, part in mean.groupby("learner", sort=False):
        part = part.sort_values(curve.x)
        fig.add_trace(
            go.Scatter(x=part[curve.x], y=part[curve.y], name=str(name), mode="lines", line={"color": colours[name]})
        )
    fig.update_layout(xaxis_title=label(curve.x), yaxis_title=label(curve.y), uirevision="live")
    if curve.y_range:
        fig.update_yaxes(range=list(curve.y_range))
    if curve.log_x:
        fig.update_xaxes(type="log")
    return style(fig, curve.title)
