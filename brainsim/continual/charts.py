"""Figures of the continual-learning page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from brainsim.charts import color_map, empty_figure, learner_grid, mean_band, style, vlines
from brainsim.timeline import animated, snapshot_steps

TASK_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


def _learners(df: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(df["learner"]))  # run order


def matrix_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """R[i, j] per learner, mean over seeds: rows = after training task i, columns = tested on task j."""
    if df.empty:
        return empty_figure("No learner ran.")
    names = _learners(df)
    fig, rows, cols = learner_grid(names, 0.06, 0.12)
    t = int(df["task"].max())
    big = t <= 8  # write the numbers in the cells only while they fit
    for k, name in enumerate(names):
        m = df[df["learner"] == name].groupby(["after_task", "task"])["accuracy"].mean().unstack()
        fig.add_trace(
            go.Heatmap(
                z=m.to_numpy(),
                x=list(m.columns),
                y=list(m.index),
                zmin=0,
                zmax=1,
                colorscale="Viridis",
                showscale=k == 0,
                colorbar=dict(title="accuracy", len=0.6),
                text=m.round(2).to_numpy() if big else None,
                texttemplate="%{text}" if big else None,
                hovertemplate="after task %{y}<br>task %{x}: %{z:.2f}<extra>" + name + "</extra>",
            ),
            row=k // cols + 1,
            col=k % cols + 1,
        )
    fig.update_yaxes(autorange="reversed", dtick=1, title_text="after task")
    fig.update_xaxes(dtick=1, title_text="tested on task")
    fig.update_layout(height=260 * rows)
    return style(fig, "Accuracy matrix R[i, j]: test accuracy on task j after training task i")


def curves_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Accuracy on each task over training, one panel per learner (mean over seeds), task boundaries dotted."""
    if df.empty:
        return empty_figure("No learner ran.")
    names = _learners(df)
    fig, rows, cols = learner_grid(names, 0.05, 0.1)
    agg = df.groupby(["learner", "task", "step"], sort=True)["accuracy"].mean().reset_index()
    bounds = df[df["step"] > 0].groupby("training_task")["step"].max().sort_index().to_numpy()[:-1]
    tasks = sorted(agg["task"].unique())
    panels = [(k // cols + 1, k % cols + 1) for k in range(len(names))]  # (row, col) of each learner
    traces, cells = [], []  # added in one call: one add_trace per line took 25 ms each
    for k, name in enumerate(names):
        part = agg[agg["learner"] == name]
        for task in tasks:
            line = part[part["task"] == task]
            traces.append(
                go.Scatter(
                    x=line["step"],
                    y=line["accuracy"],
                    mode="lines",
                    name=f"task {task}",
                    legendgroup=f"task {task}",
                    showlegend=k == 0,
                    line=dict(color=TASK_COLORS[(task - 1) % len(TASK_COLORS)], width=2),
                )
            )
            cells.append(panels[k])
    fig.add_traces(traces, rows=[r for r, _ in cells], cols=[c for _, c in cells])
    vlines(fig, [float(b) for b in bounds], panels)
    fig.update_yaxes(range=[0, 1.05])
    fig.update_xaxes(title_text="optimizer step")
    fig.update_layout(height=250 * rows)
    return style(fig, "Test accuracy on each task during training (dotted: a new task starts)")


def tasks_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline over the curves table: at each evaluation (at most timeline.MAX_FRAMES, evenly spaced), one
    panel per learner with a bar per task seen so far (the one in training outlined), mean over seeds, and a
    dashed line at their average."""
    if df.empty:
        return empty_figure("No learner ran.")
    names = _learners(df)
    every = sorted(int(s) for s in df["step"].unique())
    steps = [every[i] for i in snapshot_steps(len(every) - 1)]
    acc = df.groupby(["learner", "step", "task"])["accuracy"].mean()
    training = df.groupby("step")["training_task"].max()
    tasks = sorted(int(t) for t in df["task"].unique())
    n_seeds = df["seed"].nunique()

    def panel(name: str, step: int) -> list:
        now = int(training[step])
        y = [float(acc[name, step, t]) if t <= now else None for t in tasks]
        seen = [v for v in y if v is not None]
        bars = dict(
            type="bar",
            x=tasks,
            y=y,
            marker=dict(
                color=[TASK_COLORS[(t - 1) % len(TASK_COLORS)] for t in tasks],
                line=dict(color="#222222", width=[2.5 if t == now else 0 for t in tasks]),
            ),
            hovertemplate=name + ", task %{x}: %{y:.2f}<extra></extra>",
        )
        mean = sum(seen) / len(seen)
        average = dict(
            type="scatter",
            x=[tasks[0] - 0.5, tasks[-1] + 0.5],
            y=[mean, mean],
            mode="lines",
            line=dict(color="#333333", dash="dash", width=1.5),
            hovertemplate=f"{name}: average over tasks 1–{now} {mean:.2f}<extra></extra>",
        )
        return [bars, average]

    seeds = f"mean over {n_seeds} seeds" if n_seeds > 1 else f"seed {int(df['seed'].iloc[0])}"
    title = f"Accuracy on the tasks seen so far, {seeds}"
    fig = animated(names, steps, [panel], step_label="optimizer step", title=title, height_per_row=270)
    fig.update_xaxes(range=[tasks[0] - 0.5, tasks[-1] + 0.5], dtick=1, autorange=False)
    cols = min(4, len(names))  # animated's grid: 4 learners to a row
    for k in range(1, 2 * len(names)):
        if f"xaxis{k}" not in fig.layout:
            break
        if k > len(names):  # a grid cell after the last learner: no empty axes
            fig.layout[f"xaxis{k}"].visible = fig.layout[f"yaxis{k}"].visible = False
        elif k + cols > len(names):  # the lowest panel of its column (above, the title would meet a panel's)
            fig.layout[f"xaxis{k}"].title.text = "task"
    fig.update_yaxes(range=[0, 1.05], autorange=False)
    for s in fig.layout.sliders[0].steps:  # the slider's steps named step:task in training (e.g. 84:t2)
        s.label = f"{s.label}:t{int(training[int(s.label)])}"
    return fig


def final_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Average accuracy over all tasks after the last one, per learner: mean, 95% band and each seed."""
    return _bars(df, "average_accuracy", "Average accuracy after the last task", "average accuracy", (0, 1.05))


def transfer_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Backward transfer (0 = no forgetting, negative = forgetting) per learner."""
    fig = _bars(df, "bwt", "Backward transfer BWT (0: nothing forgotten; −1: everything)", "BWT", None)
    return fig.add_hline(y=0, line_color="#7f7f7f")


def _bars(df: pd.DataFrame, y: str, title: str, y_label: str, y_range) -> go.Figure:
    if df.empty:
        return empty_figure("No learner ran.")
    names = _learners(df)
    agg = mean_band(df, "seed", y).groupby("learner")  # per learner and seed: the seed's value
    stats = df.groupby("learner")[y].agg(["mean", "std", "count"]).reindex(names)
    half = 1.96 * stats["std"].fillna(0.0) / stats["count"].clip(lower=1) ** 0.5
    cmap = color_map(names)
    fig = go.Figure(
        go.Bar(
            x=names,
            y=stats["mean"],
            error_y=dict(type="data", array=half, visible=bool(stats["count"].max() > 1)),
            marker_color=[cmap[n] for n in names],
            showlegend=False,
            hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )
    for name in names:
        seeds = agg.get_group(name)
        fig.add_trace(
            go.Scatter(
                x=[name] * len(seeds),
                y=seeds["mean"],
                mode="markers",
                marker=dict(color="#333333", size=6),
                showlegend=False,
                hovertemplate="seed %{text}: %{y:.3f}<extra></extra>",
                text=seeds["seed"],
            )
        )
    fig.update_yaxes(title_text=y_label, range=y_range)
    fig.update_xaxes(title_text="")
    return style(fig, title)
