"""Figures of the overfitting page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim.charts import color_map, empty_figure, line_with_band, style

SPLITS = {"train": "training set (noisy labels)", "test": "test set (clean labels)"}


def _by_split(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Curves long over the split: one row per learner, seed, epoch and split (training or test)."""
    parts = [df.assign(split=SPLITS[s], value=df[f"{s}_{metric}"]) for s in SPLITS]
    return pd.concat(parts, ignore_index=True)[["learner", "seed", "epoch", "split", "value"]]


def _stop_marks(fig: go.Figure, curves: pd.DataFrame, summary: pd.DataFrame | None, col: int | None) -> None:
    """A star per learner at the mean epoch early stopping picks (best validation accuracy) and the mean test
    accuracy there."""
    cmap = color_map(curves["learner"])
    for learner, part in curves.groupby("learner", sort=False):
        stops = part.loc[part.groupby("seed")["val_accuracy"].idxmax(), ["seed", "epoch"]]
        at = part.merge(stops, on=["seed", "epoch"])
        fig.add_trace(
            go.Scatter(
                x=[stops["epoch"].mean()],
                y=[at["test_accuracy"].mean()],
                mode="markers",
                marker=dict(symbol="star", size=14, color=cmap[learner], line=dict(width=1, color="black")),
                name=f"{learner}: early stop",
                legendgroup=learner,
                showlegend=False,
                hovertemplate=f"{learner}: early stopping picks epoch %{{x:.0f}} (mean), test accuracy %{{y:.3f}}"
                "<extra></extra>",
            ),
            row=1 if col else None,
            col=col,
        )


def accuracy_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Training and test accuracy against epochs, one panel each; stars where early stopping would stop."""
    long = _by_split(df, "accuracy")
    fig = line_with_band(long, "epoch", "value", facet="split", title="Accuracy against epochs", y_label="accuracy")
    titles = [a.text for a in fig.layout.annotations]  # facet titles, left to right
    test_col = next((i + 1 for i, t in enumerate(titles) if SPLITS["test"] in t), 1)
    _stop_marks(fig, df, None, test_col)
    return fig.update_yaxes(range=[0, 1.02])


def loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    long = _by_split(df, "loss")
    return line_with_band(long, "epoch", "value", facet="split", title="Cross-entropy loss", y_label="loss")


def gap_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df,
        "epoch",
        "generalisation_gap",
        title="Generalisation gap: training minus test accuracy",
        y_label="training − test accuracy",
    )
    fig.add_hline(y=0, line_dash="dot", line_color="#7f7f7f")
    return fig


def noise_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.dropna(subset=["noisy_fit"])
    if d.empty:
        return empty_figure("No mislabelled training images: set label noise above 0.")
    fig = line_with_band(
        d,
        "epoch",
        "noisy_fit",
        title="Memorised noise: mislabelled training images fitted to their wrong label",
        y_label="share of wrong labels fitted",
    )
    return fig.update_yaxes(range=[0, 1.02])


def final_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Final test accuracy per learner (mean and 95% interval over seeds), early stopping included."""
    g = df.groupby("learner", sort=False)["final_test_accuracy"].agg(["mean", "std", "count"]).reset_index()
    g["ci"] = 1.96 * g["std"].fillna(0.0) / g["count"].clip(lower=1) ** 0.5
    fig = px.bar(
        g,
        x="learner",
        y="mean",
        error_y="ci",
        color="learner",
        color_discrete_map=color_map(g["learner"]),
        labels={"mean": "final test accuracy", "learner": ""},
    )
    lo = max(0.0, float((g["mean"] - g["ci"]).min()) - 0.1)
    fig.update_yaxes(range=[lo, 1.0])
    return style(fig.update_layout(showlegend=False), "Final test accuracy (early stopping: at its epoch)")


def sweep_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df[df["sweep"] == cfg.sweep] if cfg.sweep != "none" else df.iloc[0:0]
    if d.empty:
        return empty_figure("Choose a sweep (width or training set size) to train over sizes.")
    x = "hidden_width" if cfg.sweep == "width" else "n_train"
    long = pd.concat(
        [
            d.assign(curve=d["learner"] + ", training", value=d["final_train_accuracy"]),
            d.assign(curve=d["learner"] + ", test", value=d["final_test_accuracy"]),
        ],
        ignore_index=True,
    )
    fig = line_with_band(
        long, x, "value", color="curve", title=f"Final accuracy against {cfg.sweep}", y_label="accuracy", log_x=True
    )
    fig.update_xaxes(title="hidden width (units)" if x == "hidden_width" else "training images")
    return fig.update_yaxes(range=[0, 1.02])


def sweep_loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Final test loss against the swept size: where double descent, if any, shows first."""
    d = df[df["sweep"] == cfg.sweep] if cfg.sweep != "none" else df.iloc[0:0]
    if d.empty:
        return empty_figure("Choose a sweep (width or training set size) to train over sizes.")
    x = "hidden_width" if cfg.sweep == "width" else "n_train"
    fig = line_with_band(
        d, x, "final_test_loss", title=f"Final test loss against {cfg.sweep}", y_label="test loss", log_x=True
    )
    return fig.update_xaxes(title="hidden width (units)" if x == "hidden_width" else "training images")
