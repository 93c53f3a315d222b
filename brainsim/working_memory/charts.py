"""Figures of the working-memory page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from brainsim.charts import color_map, empty_figure, learner_grid, line_with_band, style, weight_heatmap
from brainsim.timeline import animated, snapshot_steps


def _chance_line(fig: go.Figure, chance: float) -> go.Figure:
    """A dotted line at the accuracy of guessing."""
    fig.add_hline(
        y=chance, line_dash="dot", line_color="#7f7f7f", annotation_text="chance", annotation_position="bottom right"
    )
    return fig


def _accuracy_vs(df: pd.DataFrame, x: str, title: str, x_title: str) -> go.Figure:
    """Mean held-out accuracy (95% band over seeds) against `x`, per learner, with chance dotted."""
    fig = line_with_band(df, x, "accuracy", title=title, y_label="test accuracy")
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title=x_title)
    return _chance_line(fig, float(df["chance"].iloc[0]))


def accuracy_vs_delay(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No learner for this task: fast weights need associative retrieval.")
    return _accuracy_vs(df, "delay", f"Accuracy vs delay ({cfg.task})", "delay (distractor steps)")


def accuracy_vs_pairs(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("Select fast weights, or the associative-retrieval task.")
    title = "Associative retrieval: accuracy vs number of pairs"
    return _accuracy_vs(df, "pairs", title, "key-value pairs in the sequence")


def training_curves(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No trained learner selected.")
    fig = line_with_band(
        df,
        "samples",
        "accuracy",
        facet="delay",
        title="Training: held-out accuracy vs samples",
        y_label="test accuracy",
    )
    fig.for_each_annotation(lambda a: a.update(text=a.text.replace("delay=", "delay ")))
    fig.update_xaxes(title="sequences seen")
    return fig


def hidden_states(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No trained learner selected.")
    learners = list(dict.fromkeys(df["learner"]))
    fig, _, _ = learner_grid(learners, h_space=0.0, v_space=0.08, max_cols=1)
    for i, name in enumerate(learners, start=1):
        part = df[df["learner"] == name]
        grid = part.pivot(index="unit", columns="t", values="activation")  # (H, T)
        ticks = part.drop_duplicates("t").sort_values("t")["token"].tolist()
        heat = weight_heatmap(grid.values, limit=1.0, show_scale=i == 1, name=name)
        heat.update(x=[f"{t}:{tok}" for t, tok in enumerate(ticks)], y=grid.index, colorbar=dict(title="h"))
        fig.add_trace(heat, row=i, col=1)
        fig.update_yaxes(title="unit", row=i, col=1)
    fig.update_layout(height=max(300, 200 * len(learners)))
    return style(fig, f"Hidden state over one sequence (delay {int(df['delay'].iloc[0])})")


def snapshots(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return empty_figure("No snapshot.")
    moments = list(dict.fromkeys(df["moment"]))
    titles = [f"{m} (t={int(df[df['moment'] == m]['t'].iloc[0])})" for m in moments]
    fig, _, _ = learner_grid(titles, h_space=0.2 / len(moments), v_space=0.0, max_cols=len(moments))
    zmax = float(df["strength"].abs().max()) or 1.0
    for i, m in enumerate(moments, start=1):
        grid = df[df["moment"] == m].pivot(index="value", columns="key", values="strength")  # (V, V)
        heat = weight_heatmap(grid.values, limit=zmax, show_scale=i == len(moments), name=m)
        heat.update(x=grid.columns, y=grid.index, colorbar=dict(title="c·A·e"))
        fig.add_trace(heat, row=1, col=i)
        fig.update_xaxes(title="key", row=1, col=i)
    fig.update_yaxes(matches="y")  # one value axis for every moment
    fig.update_yaxes(title="value", row=1, col=1)
    return style(fig, "Fast-weight store in symbol space (one sequence)")


def trace_decay(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(learner=df["lam"].map(lambda v: f"λ={v:g}"))
    fig = line_with_band(
        d, "delay", "signal", title="Fast-weight trace: measured signal vs λ^D", y_label="signal c·r / η"
    )
    cmap = color_map(d["learner"])
    theory = d.drop_duplicates(["learner", "delay"])
    for name, part in theory.groupby("learner", sort=True):
        fig.add_trace(
            go.Scatter(
                x=part["delay"],
                y=part["theory"],
                mode="lines",
                line=dict(dash="dash", color=cmap[name]),
                name=f"{name} theory λ^D",
                showlegend=False,
            )
        )
    fig.update_xaxes(title="delay D (steps since the write)")
    return fig


def decay_accuracy(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(learner=df["lam"].map(lambda v: f"λ={v:g}"))
    fig = line_with_band(
        d, "delay", "accuracy", title=f"Fast weights: retrieval of {cfg.pairs} pairs vs delay", y_label="test accuracy"
    )
    fig.update_yaxes(range=[0, 1.02])
    return _chance_line(fig, 1.0 / cfg.vocab)


def _token_labels(fig: go.Figure, tokens: dict[int, str]) -> go.Figure:
    """The slider's steps named step:input (e.g. 7:d2) instead of the bare step."""
    for s in fig.layout.sliders[0].steps:
        s.label = f"{s.label}:{tokens[int(s.label)]}"
    return fig


def hidden_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: every trained network's hidden units (bars, one per unit) at each step of the sequence."""
    if df.empty:
        return empty_figure("No trained learner selected.")
    learners = list(dict.fromkeys(df["learner"]))
    steps = [sorted(df["t"].unique())[i] for i in snapshot_steps(df["t"].nunique() - 1)]
    parts = {key: part.sort_values("unit") for key, part in df.groupby(["learner", "t"], sort=False)}
    top = float(df["activation"].abs().max()) or 1.0

    def bars(name: str, t: int) -> list:
        part = parts[name, t]
        return [
            dict(
                type="bar",
                x=part["unit"].to_numpy(),
                y=part["activation"].to_numpy(),
                marker=dict(color=part["activation"].to_numpy(), colorscale="RdBu_r", cmin=-top, cmax=top),
                hovertemplate=name + ", unit %{x}: h = %{y:.3f}<extra></extra>",
            )
        ]

    title = f"Hidden state across the trial (delay {int(df['delay'].iloc[0])}, seed {int(df['seed'].iloc[0])})"
    fig = animated(learners, [int(t) for t in steps], [bars], step_label="step", title=title, max_cols=2)
    fig.update_yaxes(range=[-1.05 * top, 1.05 * top], title="h")
    fig.update_xaxes(title="unit")
    return _token_labels(fig, dict(zip(df["t"], df["token"])))


def store_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: the fast-weight store in symbol space after each written step (one heatmap, slider, play)."""
    if df.empty:
        return empty_figure("No store frames.")
    steps = sorted(int(t) for t in df["t"].unique())
    parts = {int(t): part.pivot(index="value", columns="key", values="strength") for t, part in df.groupby("t")}
    top = float(df["strength"].abs().max()) or 1.0

    def store(_: str, t: int) -> list:
        grid = parts[t]
        heat = weight_heatmap(grid.to_numpy(), limit=top, show_scale=True, name="store")
        heat.update(x=grid.columns, y=grid.index, colorbar=dict(title="c·A·e"))
        return [heat.to_plotly_json()]

    title = f"Fast-weight store while the sequence is written (seed {int(df['seed'].iloc[0])})"
    fig = animated(["store A in symbol space"], steps, [store], step_label="step", title=title, height_per_row=420)
    fig.update_xaxes(title="key")
    fig.update_yaxes(title="value", scaleanchor="x", constrain="domain")
    return _token_labels(fig, dict(zip(df["t"], df["token"])))
