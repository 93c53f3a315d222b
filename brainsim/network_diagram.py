"""A small network drawn as units and connections: edge colour by the weight's sign (red +, blue −) and
width by its size, hovering an edge's midpoint or a unit shows its value. Pure: a weights table -> traces.

A weights table has one row per connection: `layer` (1 = from the inputs), `source`, `target`, `weight`;
a row whose source is "bias" is the target unit's bias (shown on hovering the unit, not drawn)."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from brainsim.charts import empty_figure
from brainsim.timeline import animated

POSITIVE, NEGATIVE = "#d62728", "#1f77b4"  # red +, blue − (the weight heatmaps' RdBu_r ends)
MAX_WIDTH = 9.0  # px of the largest |weight|
MAX_EDGES = 200  # larger networks are not drawn (the figure would be a hairball and slow to animate)


def layout(weights: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Unit -> (x, y): one column per layer, units spread evenly in each (inputs at x = 0)."""
    w = weights[weights["source"] != "bias"]
    columns: list[list[str]] = []
    for layer in sorted(w["layer"].unique()):
        part = w[w["layer"] == layer]
        if not columns:
            columns.append(list(dict.fromkeys(part["source"])))
        columns.append(list(dict.fromkeys(part["target"])))
    pos = {}
    for i, names in enumerate(columns):
        for j, name in enumerate(names):
            pos[name] = (float(i), (len(names) - 1) / 2.0 - j)
    return pos


def traces(weights: pd.DataFrame, scale: float, pos: dict[str, tuple[float, float]] | None = None) -> list[dict]:
    """The drawing of one network at one snapshot: one line per connection (width |w| / scale), their
    midpoints (hover: the weight) and the units (hover: the bias). Always the same number of traces for
    the same network, so frames of a timeline can replace them one for one. `pos`: layout(weights), when
    the caller draws the same network many times."""
    pos = pos or layout(weights)
    scale = scale if scale > 0 and math.isfinite(scale) else 1.0
    sources, targets = weights["source"].tolist(), weights["target"].tolist()  # plain lists: drawn 1000s of times
    values = weights["weight"].tolist()
    out: list[dict] = []  # scatter traces as dicts (a timeline holds thousands; plotly's objects are slow)
    mid_x, mid_y, mid_text, bias = [], [], [], {}
    for src, dst, w in zip(sources, targets, values):
        if src == "bias":
            bias[dst] = w
            continue
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        finite = math.isfinite(w)
        width = max(0.5, MAX_WIDTH * min(1.0, abs(w) / scale)) if finite else 0.5
        colour = (POSITIVE if w >= 0 else NEGATIVE) if finite else "#7f7f7f"
        line = dict(color=colour, width=width)
        out.append(dict(type="scatter", x=[x0, x1], y=[y0, y1], mode="lines", line=line, hoverinfo="skip"))
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        mid_text.append(f"{src} → {dst}: w = {w:.3g}")
    out.append(
        dict(
            type="scatter", x=mid_x, y=mid_y, mode="markers", text=mid_text,
            marker=dict(size=6, color="rgba(0,0,0,0.15)"), hovertemplate="%{text}<extra></extra>",
        )
    )  # fmt: skip
    names = list(pos)
    inputs = set(sources) - set(targets)
    out.append(
        dict(
            type="scatter",
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            marker=dict(size=26, color="white", line=dict(color="black", width=2)),
            text=names,
            textfont=dict(size=11),
            customdata=[f"bias {bias[n]:.3g}" if n in bias else ("input" if n in inputs else "no bias") for n in names],
            hovertemplate="%{text}: %{customdata}<extra></extra>",
        )
    )
    return out


def hide_axes(fig: go.Figure) -> go.Figure:
    """A figure of diagrams only: no ticks or grid, a little room around the units."""
    fig.update_xaxes(visible=False, range=[-0.3, None])
    return fig.update_yaxes(visible=False)


def timeline(df: pd.DataFrame, title: str, step: str = "epoch", empty: str = "No network to draw.") -> go.Figure:
    """Every learner's network at each snapshot (slider, play) from a weights table with a `learner` and a `step`
    column: width scaled to each learner's largest |w| over the whole run, the same layout and fixed axis ranges
    in every frame (the picture does not jump). A learner that stopped early (diverged) keeps its last drawing."""
    if df.empty:
        return empty_figure(empty)
    learners = list(dict.fromkeys(df["learner"]))
    steps = sorted(int(e) for e in df[step].unique())
    parts = {key: part for key, part in df.groupby(["learner", step], sort=False)}
    edges = df[df["source"] != "bias"]
    scale = {n: float(edges.loc[edges["learner"] == n, "weight"].abs().max()) for n in learners}
    own = {n: sorted(s for (m, s) in parts if m == n) for n in learners}
    pos = {n: layout(parts[n, own[n][0]]) for n in learners}

    def network(name: str, at: int) -> list:
        shown = max((s for s in own[name] if s <= at), default=own[name][0])
        return traces(parts[name, shown], scale[name], pos[name])

    fig = animated(learners, steps, [network], step_label=step, title=title, max_cols=3, height_per_row=330)
    xs = [x for p in pos.values() for x, _ in p.values()]
    ys = [y for p in pos.values() for _, y in p.values()]
    fig.update_xaxes(visible=False, range=[min(xs) - 0.35, max(xs) + 0.35])
    return fig.update_yaxes(visible=False, range=[min(ys) - 0.6, max(ys) + 0.6])
