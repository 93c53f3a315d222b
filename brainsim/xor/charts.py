"""Pure figure builders for the xor page: tidy table -> plotly Figure."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim.charts import color_map, learner_grid, line_with_band, style


def accuracy_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df,
        "epoch",
        "train_accuracy",
        title="Training accuracy (mean and 95% band over seeds)",
        y_label="train accuracy",
    )
    fig.add_hline(y=0.75, line_dash="dot", line_color="grey", annotation_text="75%")
    return fig.update_yaxes(range=[0, 1.05])


def loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    return line_with_band(
        df, "epoch", "train_loss", title="Training loss (mean and 95% band over seeds)", y_label="train loss"
    )


def boundary_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """One panel per learner: P(class 1) over the input square, with the training points on top."""
    learners = list(dict.fromkeys(df["learner"]))
    fig, _, cols = learner_grid(learners, h_space=0.04, v_space=0.1)
    for i, name in enumerate(learners, start=1):
        row, col = (i - 1) // cols + 1, (i - 1) % cols + 1
        grid = df[(df["learner"] == name) & (df["kind"] == "grid")]
        z = grid.pivot(index="x2", columns="x1", values="p_class1")
        fig.add_trace(
            go.Heatmap(
                x=z.columns,
                y=z.index,
                z=z.values,
                zmin=0,
                zmax=1,
                colorscale="RdBu_r",
                showscale=i == len(learners),
                colorbar=dict(title="P(1)"),
            ),
            row=row,
            col=col,
        )
        pts = df[(df["learner"] == name) & (df["kind"] == "point")]
        fig.add_trace(
            go.Scatter(
                x=pts["x1"],
                y=pts["x2"],
                mode="markers",
                showlegend=False,
                marker=dict(
                    color=pts["label"],
                    colorscale=[[0, "#2166ac"], [1, "#b2182b"]],
                    size=9 if len(pts) <= 8 else 5,
                    line=dict(color="white", width=1),
                ),
            ),
            row=row,
            col=col,
        )
    fig.update_yaxes(matches="y")  # one input square: the panels share their axes
    fig.update_xaxes(matches="x")
    fig.update_layout(height=330)
    return style(fig, f"Decision boundaries, seed {int(df['seed'].iloc[0])} (colour = P(class 1))")


def summary_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = px.bar(
        df,
        x="learner",
        y="final_train_accuracy_mean",
        color="learner",
        color_discrete_map=color_map(df["learner"]),
        error_y=df["final_train_accuracy_max"] - df["final_train_accuracy_mean"],
        error_y_minus=df["final_train_accuracy_mean"] - df["final_train_accuracy_min"],
        labels={"final_train_accuracy_mean": "final train accuracy"},
    )
    return style(fig, "Final accuracy (bars: mean; whiskers: min to max over seeds)").update_yaxes(range=[0, 1.05])


def metrics(tables: dict[str, pd.DataFrame], cfg) -> list[tuple[str, str]]:
    """Headline per learner: mean final training accuracy and the fraction of seeds that solved the task."""
    return [
        (row.learner, f"{row.final_train_accuracy_mean:.0%} (solved {row.solved_fraction:.0%} of seeds)")
        for row in tables["summary"].itertuples()
    ]
