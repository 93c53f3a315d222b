"""A timeline to scrub after a run: training snapshots as plotly animation frames, one frame per snapshot,
with a slider and a play button under the figure (both run in the browser, no rerun of the page).

Builders here take a tidy snapshots table (one row per learner, snapshot and grid point or weight) and
return a figure: decision regions of every learner side by side (region_trace), or a small network drawn
(brainsim.network_diagram), following the slider."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from brainsim.charts import empty_figure, style

MAX_FRAMES = 50  # snapshots per run: the timeline's bound
PLAY_MS = 250  # milliseconds per frame when playing


def snapshot_steps(last: int, count: int = MAX_FRAMES) -> list[int]:
    """At most `count` steps 0..last, evenly spaced, first and last included."""
    return sorted(set(np.linspace(0, last, min(last + 1, count)).round().astype(int).tolist()))


def region_trace(part: pd.DataFrame, z: str, zmin: float, zmax: float, colorscale, show_scale: bool) -> dict:
    """One learner's map at one snapshot (a heatmap trace as a dict): z over the part's full (x1, x2) grid."""
    x1, x2, v = (part[c].to_numpy() for c in ("x1", "x2", z))
    order = np.lexsort((x1, x2))  # rows by x2, then x1
    xs, ys = np.unique(x1), np.unique(x2)
    return dict(
        type="heatmap",
        x=xs,
        y=ys,
        z=v[order].reshape(len(ys), len(xs)),
        zmin=zmin,
        zmax=zmax,
        colorscale=colorscale,
        zsmooth="best",
        showscale=show_scale,
        colorbar=dict(len=0.45, y=1.0, yanchor="top", thickness=12) if show_scale else None,
        hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}<br>" + z.replace("_", " ") + " %{z:.2f}<extra></extra>",
    )


def animated(
    learners: list[str],
    steps: list[int],
    panels: list[Callable[[str, int], list]],
    *,
    step_label: str = "epoch",
    title: str = "",
    height_per_row: int = 300,
    max_cols: int = 4,
) -> go.Figure:
    """One panel per learner and panel kind; panels[k](learner, step) -> the traces (dicts) of that panel at
    that step (the same number at every step). With one kind, learners wrap max_cols to a row; with several,
    each kind is a row. Frame i holds every trace at steps[i]; the slider starts at the last step."""
    if not learners or not steps:
        return empty_figure("No snapshots in this run.")
    rows, cols, place, titles = _grid(learners, len(panels), max_cols)
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04, vertical_spacing=0.08)

    def traces_at(step: int) -> list[tuple[int, int, dict]]:
        return [
            (*place[k, name], tr) for k, build in enumerate(panels) for name in learners for tr in build(name, step)
        ]

    for r, c, tr in traces_at(steps[-1]):
        fig.add_trace(tr, row=r, col=c)
    refs = [(tr.xaxis, tr.yaxis) for tr in fig.data]
    frames = []  # plain dicts: plotly's objects would validate thousands of traces one by one (seconds)
    for step in steps:
        data = [dict(tr, xaxis=x, yaxis=y) for (_, _, tr), (x, y) in zip(traces_at(step), refs)]
        frames.append(dict(name=str(step), data=data, traces=list(range(len(refs)))))
    fig.update_layout(height=height_per_row * rows, showlegend=False, **controls(steps, step_label))
    styled = style(fig, title)
    styled.update_layout(margin=dict(b=110))
    return with_frames(styled, frames)


def _grid(learners: list[str], kinds: int, max_cols: int) -> tuple[int, int, dict, list[str]]:
    """(rows, cols, (kind, learner) -> (row, col), subplot titles): one kind wraps, several stack."""
    if kinds == 1:
        cols = min(max_cols, len(learners))
        place = {(0, name): (i // cols + 1, i % cols + 1) for i, name in enumerate(learners)}
        return -(-len(learners) // cols), cols, place, list(learners)
    place = {(k, name): (k + 1, c + 1) for k in range(kinds) for c, name in enumerate(learners)}
    return kinds, len(learners), place, [name if k == 0 else "" for k in range(kinds) for name in learners]


def controls(steps: list[int], step_label: str) -> dict:
    """Layout of a slider over the frames (named by step, starting at the last) and a play button."""
    go_to = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    play = dict(frame=dict(duration=PLAY_MS, redraw=True), transition=dict(duration=0), fromcurrent=True)
    slider = dict(
        active=len(steps) - 1,
        currentvalue=dict(prefix=f"{step_label.capitalize()} "),
        pad=dict(t=40, l=80),
        len=1.0,
        steps=[dict(label=f"{s:g}", method="animate", args=[[str(s)], go_to]) for s in steps],
    )
    button = dict(label="▶ Play", method="animate", args=[None, play])
    menu = dict(type="buttons", showactive=False, x=0, y=0, xanchor="left", yanchor="top", pad=dict(t=40))
    return dict(sliders=[slider], updatemenus=[dict(menu, buttons=[button])])


def with_frames(fig: go.Figure, frames: list[dict]) -> go.Figure:
    """The figure with these animation frames, attached without plotly's per-trace validation (which takes
    seconds for a few thousand traces; the frames' traces are built here like the figure's own)."""
    fig._frame_objs = tuple(go.Frame(f, _validate=False) for f in frames)  # fig.frames = ... would validate
    return fig
