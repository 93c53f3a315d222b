"""Figures of the memory-reinforcement page: one tidy table in, one plotly figure out."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from brainsim.charts import (
    color_map,
    empty_figure,
    hours_axis,
    learner_grid,
    line_with_band,
    mean_band,
    style,
    weight_heatmap,
)
from brainsim.memory.conditions import N_FIRST
from brainsim.memory.forgetting import LAW_NAMES
from brainsim.memory.schedule import label
from brainsim.memory.sim import SYN_NAME
from brainsim.memory.tables import EBB_SOURCE
from brainsim.timeline import animated, snapshot_steps

MEASURES = {  # trace measure -> (legend name, line): four clearly different looks, the same in every panel
    "strength_fast": ("fast trace", dict(color="#ff7f0e", dash="dot", width=2)),
    "strength_slow": ("slow trace", dict(color="#8c564b", dash="dash", width=2)),
    "strength": ("total trace", dict(color="#222222", dash="solid", width=2)),
    "recall": ("recall", dict(color="#2ca02c", dash="solid", width=3)),
}


def traces_chart(df: pd.DataFrame, cfg) -> go.Figure:
    """One panel per learner: mean trace strength (fast, slow, total) and recall over time (log axis in
    words), with presentation and reward ticks under each panel."""
    tests = df[df.event == "test"]
    learners = list(dict.fromkeys(tests["learner"]))
    if not learners:
        return empty_figure("No test of the traces.")
    fig = make_subplots(rows=len(learners), cols=1, subplot_titles=learners, shared_xaxes=True, vertical_spacing=0.12)
    for i, learner in enumerate(learners, start=1):
        part = tests[tests.learner == learner]
        for col, (name, line) in MEASURES.items():
            mean = part.dropna(subset=[col]).groupby("t_h", sort=True)[col].mean()
            if len(mean):
                trace = go.Scatter(x=mean.index, y=mean.values, mode="lines", name=name, line=line, legendgroup=name)
                trace.legendrank = 1 + list(MEASURES).index(col)
                fig.add_trace(trace.update(showlegend=name not in {t.name for t in fig.data}), row=i, col=1)
        _event_ticks(fig, df, i)
        fig.update_yaxes(title_text="strength / recall", row=i, col=1)
    lo, hi = tests["t_h"].min(), tests["t_h"].max()
    hours_axis(fig, lo, hi, "", row=None, col=None)
    fig.update_xaxes(title_text="time since first presentation", row=len(learners), col=1)
    fig.update_layout(height=300 * len(learners))
    return style(fig)


def _event_ticks(fig: go.Figure, df: pd.DataFrame, row: int) -> None:
    """Presentations (|) and rewards (★) of the schedule under the curves of panel `row`."""
    for kind, symbol, y in (("presentation", "line-ns-open", -0.1), ("reward", "star", -0.22)):
        ev = df[df.event == kind].drop_duplicates(["item", "t_h"])  # the same schedule in every seed
        if len(ev):
            marker = dict(symbol=symbol, size=11, color="#444", line=dict(width=2, color="#444"))
            trace = go.Scatter(x=ev["t_h"].clip(lower=1e-4), y=[y] * len(ev), mode="markers", name=kind, marker=marker)
            fig.add_trace(trace.update(legendgroup=kind, showlegend=row == 1), row=row, col=1)


def retention_chart(df: pd.DataFrame, cfg) -> go.Figure:
    d = df.assign(series=df["learner"] + " · " + df["condition"])
    fig = line_with_band(d, "delay_h", "recall", color="series", y_label="recall (1 = perfect, 0 = chance)", log_x=True)
    _recolor(fig, d["series"])
    return _delay_axis(fig, d["delay_h"])


def _delay_axis(fig: go.Figure, delays: pd.Series) -> go.Figure:
    """The delay axis in words (1 h, 1 day, 1 week), and coinciding series marked once dashes are set."""
    hours_axis(fig, delays.min(), delays.max(), "delay after last study presentation")
    return style(fig)


def _recolor(fig: go.Figure, series: pd.Series) -> None:
    """Series named 'learner · condition': learner's colour, dashed for the second condition."""
    base = color_map([s.split(" · ")[0] for s in series.unique()])
    conds = sorted({s.split(" · ", 1)[1] for s in series.unique()})
    for tr in fig.data:
        name = tr.legendgroup or tr.name or ""  # the series' own name, before any "(= other)" note
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
        hours_axis(fig, part["delay_h"].min(), part["delay_h"].max(), "delay", fine=len(sources) < 2, row=1, col=i + 1)
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
    return _delay_axis(fig, d["delay_h"])


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


def traces_timeline(df: pd.DataFrame, cfg) -> go.Figure:
    """Timeline: the tracked items' fast and slow trace strengths (two-timescale synapse, first seed) at up
    to timeline.MAX_FRAMES test samples of simulated time: bars now (top), the path in the fast-slow plane so
    far (bottom)."""
    tests = df[(df["event"] == "test") & (df["learner"] == SYN_NAME)]
    if tests.empty:
        return empty_figure("No traces of the synapse model in this run.")
    tests = tests[tests["seed"] == tests["seed"].iloc[0]]
    times = sorted(tests["t_s"].unique())
    times = [times[i] for i in snapshot_steps(len(times) - 1)]
    items = [f"item {int(i)}" for i in sorted(tests["item"].unique())]
    paths = {f"item {int(i)}": part.sort_values("t_s") for i, part in tests.groupby("item")}
    top = float(tests[["strength_fast", "strength_slow", "strength"]].abs().max().max()) or 1.0
    colours = {"fast": "#ff7f0e", "slow": "#1f77b4", "total": "#555555"}

    def bars(item: str, k: int) -> list:
        row = paths[item][paths[item]["t_s"] == times[k]].iloc[0]
        y = [row["strength_fast"], row["strength_slow"], row["strength"]]
        hover = f"{item}, {label(times[k])}: %{{x}} %{{y:.3f}}<extra></extra>"
        return [dict(type="bar", x=list(colours), y=y, marker=dict(color=list(colours.values())), hovertemplate=hover)]

    def plane(item: str, k: int) -> list:
        past = paths[item][paths[item]["t_s"] <= times[k]]
        line = dict(
            type="scatter",
            mode="lines",
            x=past["strength_fast"].to_numpy(),
            y=past["strength_slow"].to_numpy(),
            line=dict(color="#999999"),
            hoverinfo="skip",
        )
        now = dict(
            type="scatter",
            mode="markers",
            x=past["strength_fast"].to_numpy()[-1:],
            y=past["strength_slow"].to_numpy()[-1:],
            marker=dict(size=10, color=colours["slow"]),
            hovertemplate="fast %{x:.3f}, slow %{y:.3f}<extra></extra>",
        )
        return [line, now]

    title = f"Fast and slow traces over simulated time (seed {int(tests['seed'].iloc[0])})"
    fig = animated(items, list(range(len(times))), [bars, plane], step_label="time", title=title)
    for s in fig.layout.sliders[0].steps:
        s.label = label(times[int(s.label)])
    fig.layout.sliders[0].currentvalue.prefix = "after "
    fig.update_yaxes(range=[min(0.0, -0.05 * top), 1.05 * top], row=1)
    fig.update_yaxes(range=[min(0.0, -0.05 * top), 1.05 * top], title_text="slow", row=2, col=1)
    fig.update_xaxes(range=[min(0.0, -0.05 * top), 1.05 * top], title_text="fast", row=2)
    return fig
