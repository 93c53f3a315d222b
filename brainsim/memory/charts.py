"""Figures of the memory-reinforcement page: one tidy table in, one plotly figure out."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from brainsim.charts import color_map, empty_figure, learner_grid, line_with_band, mean_band, style, weight_heatmap
from brainsim.memory.conditions import N_FIRST
from brainsim.memory.forgetting import LAW_NAMES
from brainsim.memory.tables import EBB_SOURCE


def traces_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """Mean trace strength (fast, slow, total) and recall over time, with presentation/reward ticks."""
    tests = df[df.event == "test"]
    long = tests.melt(
        id_vars=["learner", "item", "seed", "t_h"],
        value_vars=["strength_fast", "strength_slow", "strength", "recall"],
        var_name="measure",
        value_name="value",
    ).dropna(subset=["value"])
    long["series"] = (
        long["learner"] + " · " + long["measure"].str.replace("strength_", "").str.replace("strength", "total trace")
    )
    agg = long.groupby(["series", "t_h"], sort=True, as_index=False)["value"].mean()
    fig = px.line(
        agg,
        x="t_h",
        y="value",
        color="series",
        log_x=True,
        labels={"t_h": "time since first presentation (h)", "value": "trace strength / recall"},
    )
    for kind, symbol, y in (("presentation", "line-ns-open", -0.08), ("reward", "star", -0.16)):
        ev = df[df.event == kind].drop_duplicates(["item", "t_h"])  # the same schedule in every seed
        if len(ev):
            fig.add_trace(
                go.Scatter(
                    x=ev["t_h"].clip(lower=1e-4),
                    y=[y] * len(ev),
                    mode="markers",
                    name=kind,
                    marker=dict(symbol=symbol, size=10, color="#444"),
                )
            )
    return style(fig)


def retention_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(series=df["learner"] + " · " + df["condition"])
    fig = line_with_band(d, "delay_h", "recall", color="series", y_label="recall (1 = perfect, 0 = chance)", log_x=True)
    _recolor(fig, d["series"])
    fig.update_xaxes(title="delay after last study presentation (h)")
    return fig


def _recolor(fig: go.Figure, series: pd.Series) -> None:
    """Series named 'learner · condition': learner's colour, dashed for the second condition."""
    base = color_map([s.split(" · ")[0] for s in series.unique()])
    conds = sorted({s.split(" · ", 1)[1] for s in series.unique()})
    for tr in fig.data:
        name = tr.name or ""
        if " · " not in name:
            continue
        learner, cond = name.split(" · ", 1)
        c = base.get(learner)
        if c is None:
            continue
        if tr.fill == "toself":
            tr.fillcolor = c
        else:
            tr.line.color = c
            tr.line.dash = "solid" if cond == conds[-1] else "dash"
            if hasattr(tr, "marker"):
                tr.marker.color = c


def forgetting_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """One panel per fitted curve (Ebbinghaus' savings unless switched off, the synapse model's recall and
    relative trace strength): its points and the five forgetting laws, log delay, each panel its own y axis."""
    if not getattr(cfg, "ebbinghaus_overlay", True):
        df = df[df.source != EBB_SOURCE]
    sources = list(dict.fromkeys(df["source"]))
    if not sources:
        return empty_figure("No curve to fit.")
    fig = make_subplots(rows=1, cols=len(sources), subplot_titles=sources, horizontal_spacing=0.08)
    colors = dict(zip(LAW_NAMES, ("#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e")))
    for i, source in enumerate(sources):
        part = df[df.source == source]
        for model, g in part.groupby("model", sort=False):
            data = model == "data"
            fig.add_trace(
                go.Scatter(
                    x=g["delay_h"],
                    y=g["value"],
                    mode="markers" if data else "lines",
                    name=model,
                    legendgroup=model,
                    showlegend=i == 0,
                    marker=dict(size=9, color="#444") if data else None,
                    line=None if data else dict(color=colors.get(model), width=2),
                ),
                row=1,
                col=i + 1,
            )
        fig.update_xaxes(type="log", title_text="delay (h)", row=1, col=i + 1)
    return style(fig)


def fits_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """The fits table as a table: source, law, parameters, SSE, AIC, AICc, ΔAICc."""
    cols = ["source", "model", "parameters", "sse", "aic", "aicc", "delta_aicc"]
    fmt = {"sse": "{:.5f}", "aic": "{:.2f}", "aicc": "{:.2f}", "delta_aicc": "{:.2f}"}
    cells = [[fmt[c].format(v) if c in fmt else str(v) for v in df[c]] for c in cols]
    fig = go.Figure(
        go.Table(
            columnwidth=[2.2, 1.4, 4.2, 0.9, 0.9, 0.9, 0.9],
            header=dict(values=["curve", "law", "parameters (t in h)", "SSE", "AIC", "AICc", "ΔAICc"]),
            cells=dict(values=cells, align="left"),
        )
    )
    fig.update_layout(height=80 + 28 * len(df), margin=dict(l=10, r=10, t=10, b=10))
    return fig


def spacing_chart(df: pd.DataFrame, cfg) -> go.Figure:
    agg = mean_band(df, "schedule", "recall", color="learner", by=("test",))
    agg["err"] = agg["hi"] - agg["mean"]
    fig = px.bar(
        agg,
        x="schedule",
        y="mean",
        color="learner",
        facet_col="test",
        barmode="group",
        error_y="err",
        color_discrete_map=color_map(agg["learner"]),
        labels={"mean": "recall"},
        category_orders={"test": ["short delay", "long delay"], "schedule": ["massed", "spaced", "expanding"]},
    )
    return style(fig)


def reward_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(series=df["learner"] + " · " + df["condition"])
    fig = line_with_band(d, "delay_h", "recall", color="series", y_label="recall", log_x=True)
    _recolor(fig, d["series"])
    fig.update_xaxes(title="delay after last study presentation (h)")
    return fig


def distal_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(tau_e=df["tau_e_s"].map(lambda v: f"τ_e = {v:g} s"))
    fig = line_with_band(d, "reward_delay_s", "recall", color="tau_e", y_label="recall of rewarded items", log_x=True)
    fig.update_xaxes(title="reward delay (s)")
    return fig


def interference_chart(df: pd.DataFrame, cfg) -> go.Figure:
    fig = line_with_band(df, "n_learned", "recall", color="learner", y_label=f"recall of the first {N_FIRST} items")
    fig.update_xaxes(title="items learned")
    return fig


def weights_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """One heatmap per weight component (fast, slow, backprop), post rows against pre columns."""
    comps = list(dict.fromkeys(df["component"]))
    if not comps:
        return empty_figure("No weights to show.")
    fig, _, _ = learner_grid(comps, h_space=0.2 / len(comps), v_space=0.3)
    for i, comp in enumerate(comps):
        z = df[df.component == comp].pivot(index="post", columns="pre", values="w").to_numpy()
        fig.add_trace(weight_heatmap(z, name=comp), row=1, col=i + 1)
        fig.update_yaxes(autorange="reversed", row=1, col=i + 1)
    return style(fig)
