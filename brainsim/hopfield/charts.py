"""Figures of the associative-memory page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim.charts import (
    GREYS,
    LEGEND_WIDTH_PX,
    color_map,
    empty_figure,
    learner_grid,
    line_with_band,
    square_pixels,
    style,
    weight_heatmap,
)
from brainsim.hopfield.recall import OUTCOMES
from brainsim.hopfield.storage import ALPHA_C
from brainsim.timeline import animated, snapshot_steps

OUTCOME_COLORS = {
    "recalled": "#2ca02c",
    "other pattern": "#9467bd",
    "mixture": "#ff7f0e",
    "partial": "#bcbd22",
    "spurious": "#7f7f7f",
}


def capacity_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Fraction recalled against load per learner, mean and band over seeds, with the Hebbian theory line."""
    fig = line_with_band(
        df, "load", "recall", title="Fraction of patterns recalled (overlap ≥ 0.98)", y_label="fraction recalled"
    )
    if df["load"].max() >= 0.5 * ALPHA_C:  # digits/uploads sweep only a few patterns: the line would be off-scale
        fig.add_vline(
            x=ALPHA_C,
            line_dash="dot",
            line_color="#7f7f7f",
            annotation_text="α_c = 0.138 (Hebbian theory)",
            annotation_position="top right",
        )
    fig.add_hline(y=0.5, line_dash="dot", line_color="#cccccc")
    fig.update_xaxes(title="load α = P/N")
    return fig.update_yaxes(range=[-0.02, 1.05])


def outcome_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Share of final states per outcome against load, one panel per learner (mean over seeds)."""
    names = {f"n_{o.replace(' ', '_')}": o for o in OUTCOMES}  # count column -> outcome
    cols = list(names)
    g = df.groupby(["learner", "load"], sort=True)[cols + ["n_patterns"]].sum().reset_index()
    long = g.melt(id_vars=["learner", "load", "n_patterns"], value_vars=cols, var_name="outcome", value_name="count")
    long["fraction"] = long["count"] / long["n_patterns"]
    long["outcome"] = long["outcome"].map(names)
    fig = px.area(
        long,
        x="load",
        y="fraction",
        color="outcome",
        facet_col="learner",
        facet_col_wrap=3,
        color_discrete_map=OUTCOME_COLORS,
        category_orders={"outcome": list(OUTCOMES)},
        labels={"load": "load α = P/N", "fraction": "share of cues"},
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    return style(fig, "Final states by outcome")


def robustness_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df, "cue_fraction", "recall", title="Recall against cue corruption at fixed P", y_label="fraction recalled"
    )
    fig.add_vline(
        x=cfg.cue_fraction,
        line_dash="dot",
        line_color="#cccccc",
        annotation_text="training / capacity cue",
        annotation_position="top",
    )
    fig.update_xaxes(title="fraction of the cue flipped" if cfg.cue == "flip" else "fraction of the cue occluded")
    return fig.update_yaxes(range=[-0.02, 1.05])


def held(df: pd.DataFrame) -> pd.DataFrame:
    """Trajectories to one time axis per learner: each (seed, cue) ends when its seed's recall settled,
    so hold its last row to the learner's last recorded sweep before averaging over seeds and cues."""
    parts = []
    for learner, part in df.groupby("learner", sort=False):
        grid = pd.Index(sorted(part["sweep"].unique()), name="sweep")
        for (seed, cue), one in part.groupby(["seed", "cue"], sort=False):
            full = one.set_index("sweep").reindex(grid).ffill().reset_index()
            parts.append(full.assign(learner=learner, seed=seed, cue=cue))
    return pd.concat(parts, ignore_index=True) if parts else df


def overlap_chart(df: pd.DataFrame, cfg) -> go.Figure:
    df = held(df)
    fig = line_with_band(
        df, "sweep", "overlap", title="Overlap m = s·ξ/N with the stored pattern", y_label="overlap with target"
    )
    fig.add_hline(y=0.98, line_dash="dot", line_color="#cccccc", annotation_text="recall threshold 0.98")
    return fig.update_xaxes(title="sweeps (async: N single-neuron updates; sync: parallel steps)")


def energy_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = held(df).dropna(subset=["energy_per_neuron"])
    if d.empty:
        return empty_figure("No energy to show: the autoencoder has no energy function.")
    g = d.groupby(["learner", "sweep"], sort=True)["energy_per_neuron"].mean().reset_index()
    fig = px.line(
        g,
        x="sweep",
        y="energy_per_neuron",
        color="learner",
        facet_col="learner",
        facet_col_wrap=2,
        facet_col_spacing=0.12,
        facet_row_spacing=0.16,
        color_discrete_map=color_map(g["learner"]),
        labels={"energy_per_neuron": "E / N", "sweep": "sweeps"},
        render_mode="svg",
    )
    fig.update_yaxes(matches=None, showticklabels=True, nticks=5)  # each rule its own scale, ticks that never collide
    fig.update_xaxes(showticklabels=True)
    fig.update_layout(height=260 * ((g["learner"].nunique() + 1) // 2))
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    return style(fig, "Energy per neuron (mean over seeds and cues)")


GAP = 2  # blank pixels between two panels of the image grid
FRAME = dict(color="#888888", width=1)  # the line around each of its panels


def image_grid(df: pd.DataFrame, cfg) -> go.Figure:
    """Rows: stored patterns; columns: stored, cue, and each learner's recalled state (black = +1), each
    panel framed, with square pixels and a gap to its neighbours. Drawn as ONE heatmap of the whole grid on
    one pair of axes: panels are placed GAP blank (NaN, transparent) pixels apart and framed by rectangles.
    Chromium drew 5 patterns x 7 panels as 35 heatmaps on 70 scale-anchored axes in 0.9 s, and draws this in
    0.35 s; the hover still names the pixel's row and column within its panel."""
    if df.empty:
        return empty_figure("No patterns to draw.")
    panels = list(dict.fromkeys(df["panel"]))
    patterns = sorted(df["pattern"].unique())
    h, w = int(df["row"].max()) + 1, int(df["col"].max()) + 1
    step_y, step_x = h + GAP, w + GAP
    mosaic = np.full((len(patterns) * step_y - GAP, len(panels) * step_x - GAP), np.nan)
    top = df["pattern"].map({q: k * step_y for k, q in enumerate(patterns)}).to_numpy()
    left = df["panel"].map({p: k * step_x for k, p in enumerate(panels)}).to_numpy()
    mosaic[top + df["row"].to_numpy(), left + df["col"].to_numpy()] = df["pixel"].to_numpy()
    rows, cols = np.indices(mosaic.shape)
    where = np.stack([rows % step_y, cols % step_x], axis=-1)  # (H, W, 2) the pixel's row and col in its panel
    heat = go.Heatmap(
        z=mosaic,
        zmin=-1,
        zmax=1,
        colorscale=GREYS,  # white = −1, black = +1
        showscale=False,
        customdata=where,
        hoverongaps=False,
        hovertemplate="row %{customdata[0]}, col %{customdata[1]}: %{z}<extra></extra>",
    )
    frames = [  # a rectangle around each panel, on the pixels' edges
        dict(type="rect", xref="x", yref="y", x0=x - 0.5, x1=x + w - 0.5, y0=y - 0.5, y1=y + h - 0.5, line=FRAME)
        for y in range(0, len(patterns) * step_y, step_y)
        for x in range(0, len(panels) * step_x, step_x)
    ]
    titles = [p.replace(" ", "<br>").replace("-", "-<br>") if len(panels) > 4 else p for p in panels]  # narrow columns
    heads = [
        dict(text=t, x=c * step_x + (w - 1) / 2, xref="x", y=1.0, yref="paper", yanchor="bottom", showarrow=False)
        for c, t in enumerate(titles)
    ]
    blank = dict(showgrid=False, zeroline=False, showticklabels=False, ticks="", constrain="domain")
    fig = go.Figure(heat)
    fig.update_layout(shapes=frames, annotations=heads, xaxis=blank, yaxis=blank | dict(autorange="reversed"))
    fig.update_yaxes(scaleanchor="x")  # square pixels
    side = max(60, LEGEND_WIDTH_PX // len(panels))  # a square panel's width on the narrowest page
    fig.update_layout(height=max(200, (side + 12) * len(patterns)))
    return style(fig, "Stored pattern, cue, and what each learner recalled (first seed)")


def weights_chart(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No weight matrix: choose a classical rule or the autoencoder.")
    learners = list(dict.fromkeys(df["learner"]))
    fig, _, _ = learner_grid(learners, 0.03, 0.1, max_cols=len(learners))  # one row
    for c, learner in enumerate(learners):
        part = df[df["learner"] == learner]
        z = part.pivot(index="i", columns="j", values="w")
        top = float(z.abs().to_numpy().max()) or 1.0
        heat = weight_heatmap(
            (z / top).to_numpy(),
            limit=1.0,
            show_scale=c == 0,
            hovertemplate="w[%{y},%{x}] / max|w| = %{z:.3f}<extra></extra>",
        )
        fig.add_trace(heat, row=1, col=c + 1)
        square_pixels(fig, 1, c + 1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, autorange="reversed")
    fig.update_layout(height=max(160, LEGEND_WIDTH_PX // len(learners)))  # square panels, no empty band
    return style(fig, "Weights w_ij / max|w| (first seed)")


def recall_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: each learner's network state as an image at every recorded sweep of one recall, from the
    noisy cue to where it settles (slider, play); a learner that settled earlier holds its last state."""
    if df.empty:
        return empty_figure("No recall frames in this run.")
    learners = list(dict.fromkeys(df["learner"]))
    every = sorted(float(t) for t in df["sweep"].unique())
    steps = [every[i] for i in snapshot_steps(len(every) - 1)]
    images, overlaps = {}, {}
    for (name, t), part in df.groupby(["learner", "sweep"], sort=False):
        images[name, float(t)] = part.pivot(index="row", columns="col", values="pixel").to_numpy()
        overlaps[name, float(t)] = float(part["overlap"].iloc[0])
    times = {name: sorted(t for n, t in images if n == name) for name in learners}

    def state(name: str, step: float) -> list:
        t = max([u for u in times[name] if u <= step], default=times[name][0])  # held after it settled
        hover = f"{name}, sweep {t:g}, overlap {overlaps[name, t]:.2f}<br>row %{{y}}, col %{{x}}: %{{z}}<extra></extra>"
        return [
            dict(
                type="heatmap",
                z=images[name, t],
                zmin=-1,
                zmax=1,
                colorscale=GREYS,
                showscale=False,
                hovertemplate=hover,
            )
        ]

    title = f"Recall from a noisy cue, sweep by sweep (seed {int(df['seed'].iloc[0])}, first pattern)"
    fig = animated(learners, steps, [state], step_label="sweep", title=title, height_per_row=300, max_cols=5)
    for i in range(len(learners)):
        square_pixels(fig, i // min(5, len(learners)) + 1, i % min(5, len(learners)) + 1)
    fig.update_xaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    return fig.update_yaxes(showticklabels=False, ticks="", showgrid=False, zeroline=False, autorange="reversed")
