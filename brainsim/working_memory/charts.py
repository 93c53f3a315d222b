"""Figures of the working-memory page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from brainsim.charts import color_map, line_with_band, style


def _empty(title: str, message: str) -> go.Figure:
    """A figure that says why it is empty (and still has one trace, so it renders)."""
    fig = go.Figure(go.Scatter(x=[], y=[], mode="markers", showlegend=False))
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, title)


def _chance_line(fig: go.Figure, df: pd.DataFrame) -> go.Figure:
    if "chance" in df and len(df):
        fig.add_hline(
            y=float(df["chance"].iloc[0]),
            line_dash="dot",
            line_color="#7f7f7f",
            annotation_text="chance",
            annotation_position="bottom right",
        )
    return fig


def accuracy_vs_delay(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return _empty("Accuracy vs delay", "No learner for this task: fast weights need associative retrieval.")
    fig = line_with_band(df, "delay", "accuracy", title=f"Accuracy vs delay ({cfg.task})", y_label="test accuracy")
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title="delay (distractor steps)")
    return _chance_line(fig, df)


def accuracy_vs_pairs(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return _empty("Accuracy vs pairs", "Select fast weights, or the associative-retrieval task.")
    fig = line_with_band(
        df, "pairs", "accuracy", title="Associative retrieval: accuracy vs number of pairs", y_label="test accuracy"
    )
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title="key-value pairs in the sequence")
    return _chance_line(fig, df)


def training_curves(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return _empty("Training curves", "No trained learner selected.")
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
        return _empty("Hidden state", "No trained learner selected.")
    learners = list(dict.fromkeys(df["learner"]))
    fig = make_subplots(rows=len(learners), cols=1, shared_xaxes=True, subplot_titles=learners, vertical_spacing=0.08)
    for i, name in enumerate(learners, start=1):
        part = df[df["learner"] == name]
        grid = part.pivot(index="unit", columns="t", values="activation")  # (H, T)
        ticks = part.drop_duplicates("t").sort_values("t")["token"].tolist()
        fig.add_trace(
            go.Heatmap(
                z=grid.values,
                x=[f"{t}:{tok}" for t, tok in enumerate(ticks)],
                y=grid.index,
                colorscale="RdBu",
                zmid=0,
                zmin=-1,
                zmax=1,
                showscale=i == 1,
                colorbar=dict(title="h"),
            ),
            row=i,
            col=1,
        )
        fig.update_yaxes(title="unit", row=i, col=1)
    fig.update_layout(height=max(300, 200 * len(learners)))
    return style(fig, f"Hidden state over one sequence (delay {int(df['delay'].iloc[0])})")


def snapshots(df: pd.DataFrame, cfg) -> go.Figure:
    if df.empty:
        return _empty("Fast-weight store", "No snapshot.")
    moments = list(dict.fromkeys(df["moment"]))
    fig = make_subplots(
        rows=1,
        cols=len(moments),
        shared_yaxes=True,
        subplot_titles=[f"{m} (t={int(df[df['moment'] == m]['t'].iloc[0])})" for m in moments],
    )
    zmax = float(df["strength"].abs().max()) or 1.0
    for i, m in enumerate(moments, start=1):
        grid = df[df["moment"] == m].pivot(index="value", columns="key", values="strength")  # (V, V)
        fig.add_trace(
            go.Heatmap(
                z=grid.values,
                x=grid.columns,
                y=grid.index,
                colorscale="RdBu",
                zmid=0,
                zmin=-zmax,
                zmax=zmax,
                showscale=i == len(moments),
                colorbar=dict(title="c·A·e"),
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(title="key", row=1, col=i)
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
    fig.add_hline(
        y=1.0 / cfg.vocab,
        line_dash="dot",
        line_color="#7f7f7f",
        annotation_text="chance",
        annotation_position="bottom right",
    )
    fig.update_yaxes(range=[0, 1.02])
    return fig
