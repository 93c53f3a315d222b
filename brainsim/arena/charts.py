"""Figures of the learning-rules arena: learning curves, decision boundaries, confusion matrices and
feature tiles. Each builds one figure from one of the arena's tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim.charts import color_map, empty_figure, learner_grid, line_with_band, style, weight_heatmap


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
    )
    return style(fig.update_yaxes(range=[0, 1.02]), "Test accuracy against wall time (one line per seed)")


def boundaries(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("Decision boundaries are drawn for the 2-D tasks (xor, circles, moons, spiral, blobs).")
    fig, rows, panels = _panels(df, 0.04, 0.08)
    n_classes = int(df["class"].max()) + 1
    palette = px.colors.qualitative.Pastel
    solid = px.colors.qualitative.D3
    scale = [[i / max(1, n_classes - 1), palette[i % len(palette)]] for i in range(n_classes)]
    for part, r, c in panels:
        grid = part[part["kind"] == "grid"].pivot(index="x2", columns="x1", values="class")
        fig.add_trace(
            go.Heatmap(
                x=grid.columns,
                y=grid.index,
                z=grid.values,
                colorscale=scale,
                zmin=0,
                zmax=max(1, n_classes - 1),
                showscale=False,
                hoverinfo="skip",
            ),
            row=r,
            col=c,
        )
        pts = part[part["kind"] != "grid"]
        fig.add_trace(
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
            ),
            row=r,
            col=c,
        )
    fig.update_layout(height=330 * rows)
    return style(fig, "Decision regions (first seed); circles = training points, diamonds = test points")


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


def feature_tiles(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No learner with a hidden layer finished.")
    fig, rows, panels = _panels(df, 0.03, 0.08)
    for part, r, c in panels:
        h, w = int(part["row"].max()) + 1, int(part["col"].max()) + 1
        units = sorted(part["unit"].unique())
        side = math.ceil(math.sqrt(len(units))) if h > 1 else 1  # flat inputs: one row of weights per unit
        mosaic = np.full((side * (h + 1) - 1, side * (w + 1) - 1), np.nan)
        for j, u in enumerate(units):
            tile = part[part["unit"] == u].pivot(index="row", columns="col", values="weight").values
            tile = tile / max(float(np.abs(tile).max()), 1e-12)  # each tile on its own scale
            r0, c0 = (j // side) * (h + 1), (j % side) * (w + 1)
            mosaic[r0 : r0 + h, c0 : c0 + w] = tile
        tiles = weight_heatmap(mosaic, limit=1.0).update(hoverinfo="skip")  # each tile scaled to [−1, 1]
        fig.add_trace(tiles, row=r, col=c)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(height=300 * rows)
    return style(fig, "First-layer weights of hidden units as image tiles (first seed; red +, blue −)")
