"""Figures of the learning-rules arena: learning curves, decision boundaries, confusion matrices and
feature tiles. Each builds one figure from one of the arena's tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim import network_diagram
from brainsim.charts import (
    color_map,
    empty_figure,
    learner_grid,
    line_with_band,
    square_pixels,
    style,
    thin,
    weight_heatmap,
)
from brainsim.timeline import animated, region_trace


def _panels(df: pd.DataFrame, h_space: float, v_space: float) -> tuple[go.Figure, int, list[tuple]]:
    """A learner_grid with one panel per learner of `df`: (figure, rows, [(the learner's rows, row, col)])."""
    learners = list(dict.fromkeys(df["learner"]))
    fig, rows, cols = learner_grid(learners, h_space, v_space)
    panels = [(df[df["learner"] == name], i // cols + 1, i % cols + 1) for i, name in enumerate(learners)]
    return fig, rows, panels


def _by_set(df: pd.DataFrame, what: str) -> pd.DataFrame:
    """Train and test columns of `what` stacked into one value column with a `set` facet."""
    keep = df[~df["diverged"]]
    long = keep.melt(
        id_vars=["learner", "seed", "samples_seen"],
        value_vars=[f"train_{what}", f"test_{what}"],
        var_name="set",
        value_name=what,
    )
    long["set"] = long["set"].str.replace(f"_{what}", "", regex=False)
    return long


def accuracy_curves(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        _by_set(df, "accuracy"),
        "samples_seen",
        "accuracy",
        facet="set",
        y_label="accuracy",
        title="Accuracy against samples seen (mean, 95% band over seeds)",
    )
    return fig.update_yaxes(range=[0, 1.02])


def loss_curves(df: pd.DataFrame, cfg) -> go.Figure:
    unit = "nats" if cfg.loss == "cross-entropy" else "½ squared error"
    return line_with_band(
        _by_set(df, "loss"),
        "samples_seen",
        "loss",
        facet="set",
        y_label=f"{cfg.loss} ({unit})",
        title="Loss against samples seen",
    )


def wall_time_curves(df: pd.DataFrame, cfg) -> go.Figure:
    fig = px.line(
        df,
        x="wall_s",
        y="test_accuracy",
        color="learner",
        line_group="seed",
        markers=True,
        color_discrete_map=color_map(df["learner"]),
        labels={"wall_s": "training wall time (s)"},
        render_mode="svg",
    )
    return style(fig.update_yaxes(range=[0, 1.02]), "Test accuracy against wall time (one line per seed)")


MAX_POINTS = 120  # data points drawn per decision-region panel (charts.thin; the CSV has them all)


def boundaries(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("Decision boundaries are drawn for the 2-D tasks (xor, circles, moons, spiral, blobs).")
    fig, rows, panels = _panels(df, 0.04, 0.08)
    n_classes = int(df["class"].max()) + 1
    palette = px.colors.qualitative.Pastel
    solid = px.colors.qualitative.D3
    scale = [[i / max(1, n_classes - 1), palette[i % len(palette)]] for i in range(n_classes)]
    traces, cells = [], []  # added in one call (one add_trace each cost 10-25 ms)
    shown = total = 0
    for part, r, c in panels:
        grid = part[part["kind"] == "grid"].pivot(index="x2", columns="x1", values="class")
        traces.append(
            go.Heatmap(
                x=grid.columns,
                y=grid.index,
                z=grid.values,
                colorscale=scale,
                zmin=0,
                zmax=max(1, n_classes - 1),
                showscale=False,
                hoverinfo="skip",
            )
        )
        pts = thin(part[part["kind"] != "grid"], MAX_POINTS)
        shown = max(shown, len(pts))
        total = max(total, int((part["kind"] != "grid").sum()))
        traces.append(
            go.Scatter(
                x=pts["x1"],
                y=pts["x2"],
                mode="markers",
                showlegend=False,
                marker=dict(
                    size=5,
                    color=[solid[int(k) % len(solid)] for k in pts["class"]],
                    symbol=np.where(pts["kind"] == "test", "diamond", "circle"),
                    line=dict(width=0.5, color="black"),
                ),
            )
        )
        cells += [(r, c), (r, c)]
    fig.add_traces(traces, rows=[r for r, _ in cells], cols=[c for _, c in cells])
    fig.update_layout(height=330 * rows)
    sample = f" ({shown} of {total} shown)" if shown < total else ""
    return style(fig, f"Decision regions (first seed); circles = training points, diamonds = test points{sample}")


def confusion(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No confusion matrix: no learner finished.")
    fig, rows, panels = _panels(df, 0.06, 0.1)
    classes = list(dict.fromkeys(df["true_class"]))
    for i, (part, r, c) in enumerate(panels):
        m = part.groupby(["true_class", "predicted_class"], sort=False)["count"].sum().unstack(fill_value=0)
        m = m.reindex(index=classes, columns=classes, fill_value=0)
        frac = m.values / np.maximum(m.values.sum(1, keepdims=True), 1)
        fig.add_trace(
            go.Heatmap(
                x=[str(k) for k in classes],
                y=[str(k) for k in classes],
                z=frac,
                text=m.values,
                texttemplate="%{text}" if len(classes) <= 10 else None,
                colorscale="Blues",
                zmin=0,
                zmax=1,
                showscale=i == 0,
                hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
            ),
            row=r,
            col=c,
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=320 * rows)
    return style(fig, "Confusion matrices on the test set (counts summed over seeds; colour = row fraction)")


def _arrows(fig: go.Figure, part: pd.DataFrame, name: str, r: int, c: int) -> None:
    """Each hidden unit's 2-D weight vector (w₁, w₂) as an arrow from the origin: the direction of input
    the unit responds to most, its length the strength (the unit's line w·x + b = 0 runs across it).
    One trace per learner, its arrows separated by gaps (a trace per unit sent 36 KB at defaults, this 20 KB)."""
    colour = color_map([name])[name]
    x, y, unit_of, symbols, sizes = [], [], [], [], []
    for unit, u in part.groupby("unit", sort=True):
        w = u.sort_values("col")["weight"].to_numpy()
        x += [0.0, float(w[0]), None]
        y += [0.0, float(w[1]), None]
        unit_of += [unit, unit, unit]
        symbols += ["circle", "arrow", "circle"]
        sizes += [4, 12, 0]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            customdata=unit_of,
            mode="lines+markers",
            line=dict(color=colour, width=2),
            marker=dict(symbol=symbols, size=sizes, angleref="previous", color=colour),
            showlegend=False,
            hovertemplate=f"unit %{{customdata}}: w = (%{{x:.3f}}, %{{y:.3f}})<extra>{name}</extra>",
        ),
        row=r,
        col=c,
    )
    lim = 1.1 * max(float(part["weight"].abs().max()), 1e-12)
    fig.update_xaxes(range=[-lim, lim], title_text="w₁ (from x₁)", zeroline=True, row=r, col=c)
    fig.update_yaxes(range=[-lim, lim], title_text="w₂ (from x₂)", zeroline=True, row=r, col=c)


def _mosaic(part: pd.DataFrame) -> np.ndarray:
    """Units' weights as one image: a square grid of tiles (images, filters) with one-pixel gaps, or one
    row per unit for flat inputs; each tile on its own scale, so −1..1."""
    h, w = int(part["row"].max()) + 1, int(part["col"].max()) + 1
    units = sorted(part["unit"].unique())
    side = math.ceil(math.sqrt(len(units))) if h > 1 else 1  # flat inputs: one row of weights per unit
    n_rows = math.ceil(len(units) / side)
    mosaic = np.full((n_rows * (h + 1) - 1, side * (w + 1) - 1), np.nan)
    for j, u in enumerate(units):
        tile = part[part["unit"] == u].pivot(index="row", columns="col", values="weight").values
        tile = tile / max(float(np.abs(tile).max()), 1e-12)
        r0, c0 = (j // side) * (h + 1), (j % side) * (w + 1)
        mosaic[r0 : r0 + h, c0 : c0 + w] = tile
    return mosaic


def feature_tiles(df: pd.DataFrame, cfg) -> go.Figure:
    """First-layer weights per learner: arrows (w₁, w₂) on 2-D inputs, image tiles on images, 3×3
    filters for the CNN, one row per unit for other flat inputs."""
    if df.empty:
        return empty_figure("No learner with a hidden layer finished.")
    two_d = int(df["row"].max()) == 0 and int(df["col"].max()) == 1
    fig, rows, panels = _panels(df, 0.08 if two_d else 0.03, 0.12 if two_d else 0.08)
    for part, r, c in panels:
        if two_d:
            _arrows(fig, part, str(part["learner"].iloc[0]), r, c)
            square_pixels(fig, r, c)
        else:
            tiles = weight_heatmap(_mosaic(part), limit=1.0).update(hoverinfo="skip")  # each tile scaled to [−1, 1]
            fig.add_trace(tiles, row=r, col=c)
    if two_d:
        fig.update_layout(height=330 * rows)
        return style(fig, "Hidden units' weight vectors (first seed): arrow = (w₁, w₂) of one unit")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(height=300 * rows)
    return style(fig, "First-layer weights of hidden units as image tiles (first seed; red +, blue −)")


def regions_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: every learner's predicted class over the plane at each snapshot epoch (first seed; slider,
    play), the class colours of the final decision-region chart."""
    if df.empty:
        return empty_figure("The timeline of decision regions is drawn for the 2-D tasks.")
    learners = list(dict.fromkeys(df["learner"]))
    steps = sorted(int(e) for e in df["epoch"].unique())
    parts = {key: part for key, part in df.groupby(["learner", "epoch"], sort=False)}
    n_classes = int(df["class"].max()) + 1
    palette = px.colors.qualitative.Pastel
    scale = [[i / max(1, n_classes - 1), palette[i % len(palette)]] for i in range(n_classes)]

    own = {n: sorted(e for (m, e) in parts if m == n) for n in learners}  # a diverged learner stops early

    def regions(name: str, epoch: int) -> list:
        shown = max((e for e in own[name] if e <= epoch), default=own[name][0])  # its last map, held
        trace = region_trace(parts[name, shown], "class", 0, max(1, n_classes - 1), scale, False)
        return [dict(trace, zsmooth=False, hovertemplate="x₁ %{x:.2f}, x₂ %{y:.2f}: class %{z}<extra></extra>")]

    title = f"Decision regions while training (seed {int(df['seed'].iloc[0])})"
    return animated(learners, steps, [regions], title=title, max_cols=3, height_per_row=330)


def network_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: each learner's network at each snapshot epoch (first seed; edge colour = sign, width = |w|)."""
    seed = f" (seed {int(df['seed'].iloc[0])})" if len(df) else ""
    return network_diagram.timeline(
        df,
        f"The networks while training{seed}: red +, blue −, width |w|",
        empty="The networks are drawn for the 2-D tasks only (digits and image files have too many inputs).",
    )
