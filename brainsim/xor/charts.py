"""Pure figure builders for the xor page: tidy table -> plotly Figure."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim import network_diagram
from brainsim.charts import color_map, learner_grid, line_with_band, style
from brainsim.timeline import animated, region_trace
from brainsim.xor.tables import SQUARE


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


LINE_STYLES = {  # boundary-table kind -> (legend name, line style)
    "line": ("decision boundary w·x + b = 0", dict(color="black", width=3)),
    "best line": ("best line it passed through", dict(color="black", width=3, dash="dash")),
    "unit line": ("hidden unit's line w₁ⱼ·x + b₁ⱼ = 0", dict(color="#222222", width=2, dash="dot")),
}


def _panel_title(name: str, part: pd.DataFrame) -> str:
    """'learner, seed s' over 'k of n points right' and, for a single neuron, what its line is."""
    pts = part[part["kind"] == "point"]
    right = int(((pts["p_class1"] > 0.5) == (pts["label"] == 1)).sum())
    kinds = set(part["kind"])
    if "line" in kinds or "unit line" in kinds:
        extra = ""
    else:
        extra = ", ends flat"  # no line at the end: P = 0.5 everywhere (the dashed line, if any, is the best it had)
    return f"{name}<br>seed {int(part['seed'].iloc[0])}: {right} of {len(pts)} right{extra}"


def _add_lines(fig: go.Figure, part: pd.DataFrame, row: int, col: int, shown: set) -> None:
    """Each line of one panel as a two-point segment, one legend entry per kind of line."""
    for (kind, _unit), seg in part[part["kind"].isin(list(LINE_STYLES))].groupby(["kind", "unit"], sort=False):
        name, line = LINE_STYLES[kind]
        fig.add_trace(
            go.Scatter(
                x=seg["x1"],
                y=seg["x2"],
                mode="lines",
                line=line,
                name=name,
                legendgroup=kind,
                showlegend=kind not in shown,
            ),
            row=row,
            col=col,
        )
        shown.add(kind)


def boundary_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """One panel per learner: P(class 1) over the input square, the lines the learner draws (a single
    neuron's boundary, or the best line it passed through; the MLP's hidden units), and the training points."""
    learners = list(dict.fromkeys(df["learner"]))
    titles = [_panel_title(name, df[df["learner"] == name]) for name in learners]
    fig, rows, cols = learner_grid(titles, h_space=0.14, v_space=0.16, max_cols=2)  # two to a row: readable at 1024 px
    shown: set = set()
    for i, name in enumerate(learners, start=1):
        row, col = (i - 1) // cols + 1, (i - 1) % cols + 1
        part = df[df["learner"] == name]
        z = part[part["kind"] == "grid"].pivot(index="x2", columns="x1", values="p_class1")
        heat = go.Heatmap(x=z.columns, y=z.index, z=z.values, zmin=0, zmax=1, colorscale="RdBu_r")
        heat.update(showscale=i == len(learners), colorbar=dict(title="P(1)", thickness=14), hoverinfo="skip")
        fig.add_trace(heat, row=row, col=col)
        _add_lines(fig, part, row, col, shown)
        pts = part[part["kind"] == "point"]
        marker = dict(
            color=pts["label"],
            colorscale=[[0, "#2166ac"], [1, "#b2182b"]],
            size=11 if len(pts) <= 8 else 5,
            line=dict(color="white", width=1.5),
        )
        fig.add_trace(
            go.Scatter(x=pts["x1"], y=pts["x2"], mode="markers", showlegend=False, marker=marker), row=row, col=col
        )
    ticks = dict(range=list(SQUARE), constrain="domain", tickvals=[0, 0.5, 1])  # none at the corner: no collision
    fig.update_xaxes(matches="x", title_text="x₁", **ticks)
    fig.update_yaxes(matches="y", scaleanchor="x", title_text="x₂", **ticks)
    fig.update_layout(height=300 * rows)  # one input square, square pixels, in every panel
    return style(fig, "Decision boundaries (colour = P(class 1))")


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


def metrics(tables: dict[str, pd.DataFrame], cfg) -> list[tuple[str, str, str]]:
    """Headline per learner: mean final training accuracy (the value) and how many seeds solved the task."""
    return [
        (
            row.learner,
            f"{row.final_train_accuracy_mean:.0%}",
            f"train accuracy; solved in {round(row.solved_fraction * row.seeds)} of {row.seeds} seeds",
        )
        for row in tables["summary"].itertuples()
    ]


def regions_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: every learner's P(class 1) over the input square at each snapshot epoch (slider, play)."""
    learners = list(dict.fromkeys(df["learner"]))
    steps = sorted(int(e) for e in df["epoch"].unique())
    parts = {key: part for key, part in df.groupby(["learner", "epoch"], sort=False)}

    def regions(name: str, epoch: int) -> list:
        return [region_trace(parts[name, epoch], "p_class1", 0.0, 1.0, "RdBu_r", name == learners[-1])]

    title = f"Decision regions while training (seed {int(df['seed'].iloc[0])})"
    fig = animated(learners, steps, [regions], title=title, height_per_row=360)
    ticks = dict(range=list(SQUARE), constrain="domain", tickvals=[0, 0.5, 1])
    fig.update_xaxes(matches="x", **ticks)
    return fig.update_yaxes(matches="y", scaleanchor="x", **ticks)


def network_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: each learner's network drawn at each snapshot epoch (edge colour = sign, width = |w|)."""
    learners = list(dict.fromkeys(df["learner"]))
    steps = sorted(int(e) for e in df["epoch"].unique())
    parts = {key: part for key, part in df.groupby(["learner", "epoch"], sort=False)}
    scale = {n: float(df.loc[df["learner"] == n, "weight"].abs().max()) for n in learners}  # over the whole run
    pos = {n: network_diagram.layout(parts[n, steps[0]]) for n in learners}

    def network(name: str, epoch: int) -> list:
        return network_diagram.traces(parts[name, epoch], scale[name], pos[name])

    fig = animated(learners, steps, [network], title="The network while training (red +, blue −, width |w|)")
    return network_diagram.hide_axes(fig)
