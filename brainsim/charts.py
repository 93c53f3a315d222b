"""Pure figure builders: tidy DataFrame -> plotly Figure. One palette for the whole app:
brain-like learners in warm colours, backprop networks in cool ones, a learner always one colour."""

from __future__ import annotations

import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

# Warm: brain-like / local rules. Cool: backprop-trained networks. Grey: controls and references.
PALETTE = {
    # brain-like (warm)
    "delta rule": "#d62728",
    "single neuron (delta)": "#d62728",
    "single neuron (hebbian)": "#ff7f0e",
    "hebbian": "#ff7f0e",
    "oja": "#e6550d",
    "reward-modulated": "#bcbd22",
    "three-factor": "#bcbd22",
    "feedback alignment": "#e377c2",
    "hebbian features": "#8c564b",
    "hebbian + reward": "#c49c94",
    "storkey": "#d62728",
    "pseudo-inverse": "#8c564b",
    "modern hopfield": "#e377c2",
    "fast weights": "#ff7f0e",
    "two-timescale synapse": "#d62728",
    # backprop (cool)
    "backprop mlp": "#1f77b4",
    "backprop net": "#1f77b4",
    "cnn": "#17becf",
    "autoencoder": "#1f77b4",
    "rnn": "#9467bd",
    "gru": "#1f77b4",
    "lstm": "#17becf",
    # controls / references
    "feedforward": "#7f7f7f",
    "chance": "#7f7f7f",
    "theory": "#7f7f7f",
    "ebbinghaus 1885": "#7f7f7f",
}
_FALLBACK = px.colors.qualitative.Safe


def color_map(names) -> dict[str, str]:
    """Colour per learner name: fixed for known learners, stable hash-free fallback otherwise."""
    out, spare = {}, iter(_FALLBACK * 4)
    for n in sorted(set(map(str, names))):
        out[n] = PALETTE.get(n.lower()) or next(spare)
    return out


def style(fig: go.Figure, title: str | None = None) -> go.Figure:
    """Shared layout: white background, legend on top, compact margins."""
    fig.update_layout(
        template="plotly_white",
        margin=dict(l=10, r=10, t=90 if title else 50, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, title_text=""),
        title=dict(text=title, y=0.98, yanchor="top") if title else None,
    )
    return fig


def mean_band(df: pd.DataFrame, x: str, y: str, color: str = "learner", by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Mean and 95% normal confidence band of `y` over seeds, per (color, *by, x)."""
    keys = [color, *by, x]
    g = df.groupby(keys, sort=True, observed=True)[y]
    agg = g.agg(["mean", "std", "count"]).reset_index()
    sem = agg["std"].fillna(0.0) / agg["count"].clip(lower=1) ** 0.5
    agg["lo"] = agg["mean"] - 1.96 * sem
    agg["hi"] = agg["mean"] + 1.96 * sem
    return agg


def line_with_band(
    df: pd.DataFrame,
    x: str,
    y: str,
    color: str = "learner",
    *,
    facet: str | None = None,
    title: str | None = None,
    y_label: str | None = None,
    log_x: bool = False,
) -> go.Figure:
    """Mean line per `color` group with a shaded 95% band over seeds (if several seeds)."""
    by = (facet,) if facet else ()
    agg = mean_band(df, x, y, color, by)
    cmap = color_map(agg[color])
    fig = px.line(
        agg,
        x=x,
        y="mean",
        color=color,
        facet_col=facet,
        color_discrete_map=cmap,
        labels={"mean": y_label or y},
        log_x=log_x,
        markers=len(agg[x].unique()) <= 12,
    )
    if agg["count"].max() > 1:
        facets = agg[facet].unique() if facet else [None]
        for i, fv in enumerate(facets):
            for name, part in agg[agg[facet] == fv].groupby(color) if facet else agg.groupby(color):
                c = cmap[str(name)]
                fig.add_trace(
                    go.Scatter(
                        x=list(part[x]) + list(part[x])[::-1],
                        y=list(part["hi"]) + list(part["lo"])[::-1],
                        fill="toself",
                        fillcolor=c,
                        opacity=0.15,
                        line=dict(width=0),
                        hoverinfo="skip",
                        showlegend=False,
                        name=f"{name} band",
                    ),
                    row=1 if facet else None,
                    col=(i + 1) if facet else None,
                )
    return style(fig, title)


def empty_figure(message: str) -> go.Figure:
    """A blank figure with `message` in the middle (an empty trace keeps the axes' layout)."""
    fig = go.Figure(go.Scatter(x=[], y=[], showlegend=False))
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig)


def learner_grid(titles: list[str], h_space: float, v_space: float, max_cols: int = 3) -> tuple[go.Figure, int, int]:
    """One subplot per learner (or panel), `max_cols` to a row, each titled: (figure, rows, cols)."""
    cols = max(1, min(max_cols, len(titles)))
    rows = max(1, math.ceil(len(titles) / cols))
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=h_space, vertical_spacing=v_space
    )
    return fig, rows, cols


def weight_heatmap(
    z,
    *,
    limit: float | None = None,
    show_scale: bool = False,
    name: str | None = None,
    hovertemplate: str | None = None,
) -> go.Heatmap:
    """A weight matrix as a heatmap on one diverging scale centred on zero (red +, blue −), from
    −limit to +limit (default: the largest |w|)."""
    lim = limit if limit is not None else (float(abs(z).max()) or 1.0)
    return go.Heatmap(
        z=z, zmin=-lim, zmax=lim, colorscale="RdBu_r", showscale=show_scale, name=name, hovertemplate=hovertemplate
    )


GREYS = "Greys"  # the colour scale for images (patterns, digits, receptive fields)
