"""Figures of the gradient-vs-perturbation page: each builds one plotly figure from one tidy table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from brainsim.charts import color_map, empty_figure, line_with_band, style
from brainsim.optimizers import surfaces
from brainsim.optimizers.landscape import GRID
from brainsim.timeline import controls, snapshot_steps, with_frames

THEORY = "#7f7f7f"
FLOOR = 1e-12  # gaps below this are drawn at it (log axes)
PATH_POINTS = 200  # points of a path drawn in a frame at most (a long run is thinned, the frame's step kept)


def paths_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: the first seed's path of every learner over log-spaced contours of the surface, drawn up to
    the step on the slider (at most timeline.MAX_FRAMES frames, starting at the last step; the play button
    walks them). The contour, the minima and the start stay put; only the paths move, axes fixed to the box."""
    surface = surfaces.make(cfg)
    first = df[df["seed"] == df["seed"].min()]
    if first.empty:
        return empty_figure("No learner ran.")
    last = int(first["step"].max())
    paths = {  # name -> (x, y, loss) arrays indexed by step
        name: part.set_index("step").reindex(range(last + 1))[["x", "y", "loss"]].to_numpy().T
        for name, part in first.groupby("learner", sort=False)
    }
    cmap = color_map(list(paths))
    steps = snapshot_steps(last)
    kept = snapshot_steps(last, PATH_POINTS)  # a long run's path thinned to these steps (and the frame's own)
    fig = go.Figure(_contour(surface))
    for name in paths:
        for tr in _path_at(name, paths[name], last, kept, cmap[name]):
            fig.add_trace(tr)
    moving = list(range(1, len(fig.data)))
    if surface.minima:
        mx, my = zip(*surface.minima)
        fig.add_trace(
            go.Scatter(x=mx, y=my, mode="markers", name="minimum", marker=dict(symbol="star", size=14, color="#2ca02c"))
        )
    start = first[first["step"] == 0].iloc[0]
    fig.add_trace(
        go.Scatter(
            x=[start["x"]],
            y=[start["y"]],
            mode="markers",
            name="start",
            marker=dict(symbol="x", size=12, color="black"),
        )
    )
    frames = [
        dict(
            name=str(s),
            data=[_moved(tr) for name in paths for tr in _path_at(name, paths[name], s, kept, cmap[name])],
            traces=moving,
        )
        for s in steps
    ]
    x0, x1, y0, y1 = surface.box
    fig.update_xaxes(range=[x0, x1], title="x", autorange=False)
    fig.update_yaxes(range=[y0, y1], title="y", autorange=False)
    fig.update_layout(height=560, **controls(steps, "step"))
    styled = style(fig, f"Paths on the {surface.name} surface, step by step (seed {int(start['seed'])})")
    styled.update_layout(margin=dict(b=110))
    return with_frames(styled, frames)


def _contour(surface) -> go.Contour:
    xs, ys, z = surfaces.grid(surface, GRID)
    z = z.numpy()
    level = np.log10(z - np.nanmin(z) + 1e-3)  # log levels show narrow valleys (Rosenbrock) and flat basins alike
    return go.Contour(
        x=xs.numpy(),
        y=ys.numpy(),
        z=level,
        colorscale="Greys",
        showscale=False,
        ncontours=25,
        opacity=0.6,
        hovertemplate="x=%{x:.2f}, y=%{y:.2f}<extra></extra>",
    )


def _moved(trace: dict) -> dict:
    """What a frame changes in a path trace (plotly merges it into the trace): its points and hover."""
    return {k: trace[k] for k in ("type", "x", "y", "hovertemplate")}


def _path_at(name: str, xyl: np.ndarray, step: int, kept: list[int], color: str) -> list[dict]:
    """Two traces (dicts): the learner's path over steps 0..step (thinned to `kept`) and where it is at step
    (nothing once it has diverged: its positions are NaN from then on). xyl: (3, steps + 1) x, y and loss."""
    upto = np.array([t for t in kept if t < step] + [step])
    x, y, loss = xyl[:, upto]
    x, y = x.astype(np.float32), y.astype(np.float32)  # half the bytes of 50 frames; the hover shows 3 decimals
    line = dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines+markers",
        marker=dict(size=3, color=color),
        line=dict(color=color, width=2),
        name=name,
        legendgroup=name,
        hovertemplate=name + ": x=%{x:.3f}, y=%{y:.3f}<extra></extra>",
    )
    head = dict(
        type="scatter",
        x=x[-1:],
        y=y[-1:],
        mode="markers",
        marker=dict(size=11, color=color, line=dict(color="white", width=1.5)),
        name=name,
        legendgroup=name,
        showlegend=False,
        hovertemplate=f"{name}, step {step}: f = {loss[-1]:.4g}<extra></extra>",
    )
    return [line, head]


def loss_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Gap to the minimum f − f* against step, mean and band over seeds, log scale."""
    d = df.assign(gap=df["gap"].clip(lower=FLOOR))
    fig = line_with_band(d, "step", "gap", title="Loss above the minimum", y_label="f − f*")
    fig.add_hline(y=cfg.epsilon, line_dash="dot", line_color=THEORY, annotation_text=f"ε = {cfg.epsilon:g}")
    return fig.update_yaxes(type="log")


def reach_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Steps each learner needed to come within ε of the minimum (mean over the seeds that got there)."""
    g = df.groupby("learner", sort=False).agg(
        steps=("steps_to_epsilon", "mean"), reached=("steps_to_epsilon", "count"), seeds=("seed", "count")
    )
    g = g.reset_index()
    g["label"] = [f"{r}/{s} seeds" for r, s in zip(g["reached"], g["seeds"])]
    if g["steps"].isna().all():
        return empty_figure(f"No learner came within ε = {cfg.epsilon:g} in {cfg.steps} steps.")
    fig = px.bar(g, x="learner", y="steps", color="learner", text="label", color_discrete_map=color_map(g["learner"]))
    fig.update_layout(showlegend=False)
    return style(fig, f"Steps to reach f − f* ≤ {cfg.epsilon:g}").update_yaxes(title="steps (mean over seeds reached)")


def rates_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Measured per-step rates (markers) against theory (lines) over the condition number."""
    fig = go.Figure()
    cmap = color_map(df["method"])
    for method, part in df.groupby("method", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["kappa"],
                y=part["theory_rate"],
                mode="lines",
                name=f"{method}: theory",
                line=dict(color=cmap[method], dash="dot"),
            )
        )
        fig.add_trace(
            go.Scatter(
                x=part["kappa"],
                y=part["measured_rate"],
                mode="markers",
                name=f"{method}: measured",
                marker=dict(color=cmap[method], size=9),
            )
        )
    fig.update_xaxes(type="log", title="condition number κ = L/μ")
    fig.update_yaxes(title="per-step contraction of ‖θ − θ*‖")
    return style(fig, "Convergence rate at the optimal settings")


def step_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """GD's measured rate against step size, the theory max(|1 − ημ|, |1 − ηL|) and the 2/L limit."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=df["lr_times_L"], y=df["theory_rate"], mode="lines", name="theory", line=dict(color=THEORY, dash="dot")
        )
    )
    fig.add_trace(
        go.Scatter(
            x=df["lr_times_L"],
            y=df["measured_rate"],
            mode="markers",
            name="measured (gd)",
            marker=dict(color=color_map(["gd"])["gd"], size=9),
        )
    )
    fig.add_hline(y=1.0, line_dash="dot", line_color="#cccccc")
    fig.add_vline(x=2.0, line_dash="dash", line_color="#d62728", annotation_text="η = 2/L")
    fig.update_xaxes(title="step size η·L")
    fig.update_yaxes(title="per-step factor (> 1 diverges)")
    return style(fig, f"Gradient descent on the quadratic, κ = {cfg.kappa:g}")


def perturbation_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Updates to the criterion against the number of weights MN, per learner (log-log)."""
    fig = line_with_band(
        df.rename(columns={"method": "learner"}),
        "n_weights",
        "updates_to_criterion",
        title="Learning time as the network grows",
        y_label="weight updates to criterion",
        log_x=True,
    )
    return fig.update_yaxes(type="log").update_xaxes(title="weights MN (N inputs fixed, M outputs grow)")


def ratio_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Learning-time ratio to backprop against the number of outputs M, with slope-1 guides."""
    fig = line_with_band(
        df.rename(columns={"method": "learner"}),
        "n_outputs",
        "time_ratio",
        title="Slower than backprop by …",
        y_label="learning time ÷ backprop's",
        log_x=True,
    )
    m = np.array(sorted(df["n_outputs"].unique()), dtype=float)
    for name, part in df.groupby("method"):
        anchor = part[part["n_outputs"] == m[0]]["time_ratio"].mean()
        fig.add_trace(
            go.Scatter(
                x=m,
                y=anchor * m / m[0],
                mode="lines",
                name=f"∝ M ({name})",
                line=dict(color=THEORY, dash="dot", width=1),
                showlegend=name == "node perturbation",
            )
        )
    return fig.update_yaxes(type="log").update_xaxes(title="outputs M")


def activation_chart(df: pd.DataFrame, cfg) -> go.Figure:
    long = df.melt(id_vars=["activation", "a"], value_vars=["f", "f_prime"], var_name="curve", value_name="value")
    long["curve"] = long["curve"].map({"f": "f(a)", "f_prime": "f′(a)"})
    fig = px.line(
        long,
        x="a",
        y="value",
        color="activation",
        facet_col="curve",
        facet_col_spacing=0.07,
        color_discrete_map=color_map(long["activation"]),
        render_mode="svg",
    )
    return style(fig, "Activations and their derivatives").update_xaxes(title="pre-activation a")


def gradient_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df.rename(columns={"activation": "learner"}),
        "layer",
        "grad_norm",
        facet="init",
        title=f"Gradient norm per layer at initialisation (depth {cfg.depth})",
        y_label="‖∂L/∂W‖",
    )
    return fig.update_yaxes(type="log").update_layout(legend_title_text="activation")


def loss_gradient_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = px.line(df, x="z", y="grad_z", color="loss", color_discrete_map=color_map(df["loss"]), render_mode="svg")
    fig.add_vrect(
        x0=-8,
        x1=-2,
        fillcolor="#d62728",
        opacity=0.07,
        line_width=0,
        annotation_text="confidently wrong",
        annotation_position="top left",
    )
    fig.update_xaxes(title="output pre-activation z (target 1, p = σ(z))")
    return style(fig, "Gradient reaching the output").update_yaxes(title="|∂loss/∂z|")


def loss_training_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(
        df.rename(columns={"loss": "learner"}),
        "step",
        "error_rate",
        title="A confidently wrong neuron learning",
        y_label="error rate",
    )
    return fig.update_layout(legend_title_text="loss").update_yaxes(range=[-0.02, 1.02])
