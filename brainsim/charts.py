"""Pure figure builders: tidy DataFrame -> plotly Figure. One palette for the whole app:
brain-like learners in warm colours, backprop networks in cool ones, a learner always one colour."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from brainsim.palette import PALETTE, color_map  # noqa: F401  (re-exported: pages import them from here)

# Column name -> axis title with its unit: style() puts these in place of raw column names.
LABELS = {
    "samples_seen": "Samples seen",
    "samples": "Sequences seen",
    "weight_updates": "Weight updates",
    "epoch": "Epoch",
    "train_accuracy": "Training accuracy",
    "test_accuracy": "Test accuracy",
    "accuracy": "Accuracy",
    "train_loss": "Training loss",
    "test_loss": "Test loss",
    "loss": "Loss",
    "final_train_accuracy_mean": "Final training accuracy",
    "wall_s": "Training wall time (s)",
    "t_h": "Time since first presentation (h)",
    "delay_h": "Delay (h)",
    "recall": "Recall",
    "n_learned": "Items learned",
    "reward_delay_s": "Reward delay (s)",
    "schedule": "Schedule",
    "load": "Load α = P/N",
    "sweep": "Sweeps",
    "overlap": "Overlap m with the target",
    "energy_per_neuron": "Energy per neuron E/N",
    "cue_fraction": "Fraction of the cue corrupted",
    "fraction": "Share",
    "pairs": "Key-value pairs",
    "signal": "Signal",
    "learner": "Learner",
    "x1": "x₁",
    "x2": "x₂",
}
FONT_PX = 14  # tick labels, legend and axis titles: readable from the back of a lecture room
TITLE_PX = 18
TITLE_CHARS = 52  # longest title line at TITLE_PX on the narrowest plot
LEGEND_WIDTH_PX = 560  # a conservative plot width (1024 px window, sidebar open) for laying out the legend
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _house_template() -> go.layout.Template:
    """plotly_white with the house axes: titles and tick labels at FONT_PX, margins that grow to fit them. A
    template's layout.xaxis applies to every x axis of a figure, so style() sets them once per figure instead of
    updating each axis (11 ms an axis through update_xaxes: a 35-panel image grid spent 1 s on it)."""
    template = go.layout.Template(pio.templates["plotly_white"])
    axes = dict(automargin=True, title=dict(standoff=8, font=dict(size=FONT_PX + 1)), tickfont=dict(size=FONT_PX))
    template.layout.xaxis.update(axes)
    template.layout.yaxis.update(axes)
    return template


HOUSE_TEMPLATE = "brainsim"
pio.templates[HOUSE_TEMPLATE] = _house_template()


def label(column: str) -> str:
    """The readable title of a column: LABELS, else the name with spaces, first letter capital."""
    text = LABELS.get(column, column.replace("_", " "))
    return text[:1].upper() + text[1:]


def _facet_title(text: str) -> str:
    """'learner=hebbian' -> 'hebbian'; 'delay=5' -> 'delay 5' (plotly express facet titles)."""
    key, sep, value = text.partition("=")
    if not sep or " " in key:
        return text
    return (
        value
        if key in ("learner", "set", "series", "source", "outcome", "test")
        else f"{key.replace('_', ' ')} {value}"
    )


def _legend_entries(fig: go.Figure) -> list[str]:
    """Names the legend shows: traces with showlegend True, or unset on a named scatter trace."""
    if fig.layout.showlegend is False:
        return []
    shown = [tr for tr in fig.data if tr.showlegend or (tr.showlegend is None and tr.type == "scatter" and tr.name)]
    return list(dict.fromkeys(tr.name for tr in shown if tr.name))


def legend_rows(names: list[str], width_px: float = LEGEND_WIDTH_PX) -> int:
    """Rows a horizontal legend of `names` takes in `width_px` (entries ~ 45 px + 8.5 px a character)."""
    rows, used = 0, width_px
    for n in names:
        w = 45 + 8.5 * len(n)
        if used + w > width_px:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def _top_title_lines(fig: go.Figure) -> int:
    """Lines of the subplot or facet titles just above the plot area, where a legend must not go."""
    top = [a for a in fig.layout.annotations if a.yref == "paper" and (a.y or 0) >= 0.99 and a.yanchor == "bottom"]
    return max((a.text or "").count("<br>") + 1 for a in top) if top else 0


def _readable_axes(fig: go.Figure) -> None:
    """Axis titles from LABELS (never a raw column name), sentence case; facet titles without 'name='."""
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        text = axis.title.text
        if not text:
            continue
        if text in LABELS or ("_" in text and " " not in text):  # a raw column name
            axis.title.text = label(text)
    for a in fig.layout.annotations:
        if a.text and a.yref == "paper":
            a.text = _facet_title(a.text)


def style(fig: go.Figure, title: str | None = None) -> go.Figure:
    """Shared layout: white background, fonts of FONT_PX, readable axis titles, coinciding lines made
    visible (distinct dashes, "= other" in the legend), and a legend on top that never covers the
    title or the subplot titles: the top margin is sized for its rows."""
    _readable_axes(fig)
    mark_overlaps(fig)
    entries = _legend_entries(fig)
    title = "<br>".join(textwrap.wrap(title, TITLE_CHARS)) if title else title  # plotly never wraps a title
    title_px = 16 + 24 * (title.count("<br>") + 1) if title else 0
    legend_px = 26 * legend_rows(entries) + (6 if entries else 0)
    top = title_px + legend_px + 24 * _top_title_lines(fig) + 16
    base = (fig.layout.meta or {}).get("base_height") if isinstance(fig.layout.meta, dict) else None
    base = base or fig.layout.height or 400  # the plot's own height: styling twice must not grow it twice
    height = base + top
    fig.update_layout(
        template=HOUSE_TEMPLATE,
        meta=dict(base_height=base),
        height=height,
        font=dict(size=FONT_PX),
        margin=dict(l=10, r=10, t=top, b=10),
        legend=dict(
            orientation="h",
            yref="container",
            yanchor="top",
            y=1 - (title_px + 4) / height,
            x=0,
            title_text="",
            font=dict(size=FONT_PX),
        ),
        title=dict(
            text=title,
            y=1 - (8 + 22 * title.count("<br>")) / height,  # plotly anchors a wrapped title by its first line
            yanchor="top",
            yref="container",
            font=dict(size=TITLE_PX),
        )
        if title
        else None,
    )
    for annotation in fig.layout.annotations:  # subplot and facet titles (make_subplots sets their size itself)
        annotation.font.size = FONT_PX + 1
    return fig


def dash_map(names) -> dict[str, str]:
    """A distinct dash style per name (sorted, cycling after six), so lines that coincide stay visible."""
    return {n: DASHES[i % len(DASHES)] for i, n in enumerate(sorted(set(map(str, names))))}


def _lines(fig: go.Figure) -> list:
    """Line traces with a legend name (bands, reference lines and markers-only traces left out)."""
    return [
        tr
        for tr in fig.data
        if tr.type == "scatter" and tr.name and tr.fill != "toself" and "lines" in (tr.mode or "lines")
    ]


def mark_overlaps(fig: go.Figure, rel_tol: float = 0.005) -> dict[str, str]:
    """Make coinciding lines visible: each legend name gets its own dash (unless the chart varies them), and
    a series whose every line lies on another's (within rel_tol of the y range, on the same axes)
    gets "(= other)" or "(≈ other)" in its legend name. Returns {series: the series it coincides with}."""
    lines = _lines(fig)
    names = list(dict.fromkeys(tr.name for tr in lines))
    if len(names) < 2:
        return {}
    if len({tr.line.dash or "solid" for tr in lines}) == 1:  # the chart does not vary dashes itself
        dashes = dash_map(names)
        for tr in lines:
            tr.line.dash = dashes[tr.name]
    ys = [v for tr in lines for v in (tr.y if tr.y is not None else ()) if v is not None and v == v]
    span = (max(ys) - min(ys)) if ys else 0.0
    same = {}
    if any(n.endswith(")") and (" (= " in n or " (≈ " in n) for n in names):
        return {}  # marked already
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if b in same:
                continue
            d = _distance(lines, a, b)
            if d is not None and d <= rel_tol * max(span, 1e-12):
                same[b] = ("=" if d <= 1e-9 * max(span, 1e-12) else "≈") + " " + a
    for tr in lines:
        if tr.name in same:
            tr.legendgroup = tr.legendgroup or tr.name
            sign, other = same[tr.name][0], same[tr.name][2:]
            prefix = tr.name.split(" · ")[0] + " · "
            short = other[len(prefix) :] if " · " in tr.name and other.startswith(prefix) else other
            tr.name = f"{tr.name} ({sign} {short})"
    return {k: v[2:] for k, v in same.items()}


def _distance(lines: list, a: str, b: str) -> float | None:
    """Largest |y_a − y_b| over the axes both series are drawn on (None if they never share x values)."""
    worst, shared = 0.0, False
    for ta in (t for t in lines if t.name == a):
        for tb in (t for t in lines if t.name == b and t.xaxis == ta.xaxis and t.yaxis == ta.yaxis):
            if ta.x is None or tb.x is None or len(ta.x) != len(tb.x) or list(ta.x) != list(tb.x):
                return None
            ya, yb = np.asarray(ta.y, dtype=float), np.asarray(tb.y, dtype=float)
            if len(ya) == 0 or not np.array_equal(np.isnan(ya), np.isnan(yb)):
                return None
            ok = ~np.isnan(ya)
            worst, shared = max(worst, float(np.max(np.abs(ya[ok] - yb[ok]), initial=0.0))), True
    return worst if shared else None


# Log-time ticks in words for axes in hours: (hours, label); the coarse ones always, the rest on short ranges.
_TIME_TICKS = (
    (1 / 3600, "1 s"),
    (10 / 3600, "10 s"),
    (1 / 60, "1 min"),
    (10 / 60, "10 min"),
    (1.0, "1 h"),
    (6.0, "6 h"),
    (24.0, "1 day"),
    (168.0, "1 week"),
    (720.0, "30 days"),
)
_COARSE = ("1 s", "1 min", "1 h", "1 day", "1 week")


def hours_axis(fig: go.Figure, lo: float, hi: float, title: str, fine: bool = True, **where) -> go.Figure:
    """A log time axis in hours with ticks that read '1 s', '1 min', '1 h', '1 day', '1 week' (never
    '100µ'); in-between ticks only when the range spans at most four decades (and `fine`), so labels never
    collide."""
    lo, hi = max(float(lo), 1e-6), max(float(hi), 10 * max(float(lo), 1e-6))
    dense = fine and math.log10(hi / lo) <= 4  # narrow panels pass fine=False
    keep = [(v, t) for v, t in _TIME_TICKS if lo / 1.5 <= v <= hi * 1.5 and (dense or t in _COARSE)]
    fig.update_xaxes(
        type="log", tickvals=[v for v, _ in keep], ticktext=[t for _, t in keep], title_text=title, **where
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
        facet_col_spacing=0.07,  # the last x tick of one panel clear of the first of the next
        color_discrete_map=cmap,
        labels={"mean": y_label or y},
        log_x=log_x,
        markers=len(agg[x].unique()) <= 12,
        render_mode="svg",  # "auto" turns to WebGL past 1,000 rows: 2x slower to draw in Chromium here
    )
    if agg["count"].max() > 1:
        facets = agg[facet].unique() if facet else [None]
        bands, cols = [], []  # added in one call (one add_trace each cost 5-25 ms)
        for i, fv in enumerate(facets):
            for name, part in agg[agg[facet] == fv].groupby(color) if facet else agg.groupby(color):
                c = cmap[str(name)]
                bands.append(
                    go.Scatter(
                        x=list(part[x]) + list(part[x])[::-1],
                        y=list(part["hi"]) + list(part["lo"])[::-1],
                        fill="toself",
                        mode="lines",
                        fillcolor=c,
                        opacity=0.15,
                        line=dict(width=0),
                        hoverinfo="skip",
                        showlegend=False,
                        name=f"{name} band",
                    )
                )
                cols.append(i + 1)
        if facet:
            fig.add_traces(bands, rows=[1] * len(bands), cols=cols)
        else:
            fig.add_traces(bands)
    return style(fig, title)


def thin(df: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most `limit` of df's rows for drawing, spread evenly over it (every k-th row, k = ceil(n / limit)).
    Chromium draws each marker of an SVG scatter as an element of its own: the arena's 5 panels of 400
    points took 1.4 s to draw, 0.4 s without the points and 0.7 s with 100 of them. The table's CSV keeps
    every row; say on the chart that it shows a sample."""
    if len(df) <= limit:
        return df
    return df.iloc[:: math.ceil(len(df) / limit)]


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


def vlines(fig: go.Figure, xs, cells, dash: str = "dot", color: str = "#999999") -> None:
    """Vertical lines at each x of `xs`, full height, in each subplot (row, col) of `cells`: what fig.add_vline
    draws, added as one list (add_vline re-validates every shape so far: 32 lines took 1 s)."""
    shapes = list(fig.layout.shapes)
    for row, col in cells:
        sub = fig.get_subplot(row, col)
        xref, yref = sub.xaxis.plotly_name.replace("axis", ""), sub.yaxis.plotly_name.replace("axis", "")
        line = dict(dash=dash, color=color)
        shapes += [dict(type="line", x0=x, x1=x, xref=xref, y0=0, y1=1, yref=f"{yref} domain", line=line) for x in xs]
    fig.layout.shapes = shapes


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


def square_pixels(fig: go.Figure, row: int, col: int) -> None:
    """One unit of y as long as one unit of x in subplot (row, col): square pixels, undistorted arrows."""
    sub = fig.get_subplot(row, col)
    sub.yaxis.scaleanchor = sub.yaxis.anchor
    sub.xaxis.constrain = "domain"
    sub.yaxis.constrain = "domain"


GREYS = "Greys"  # the colour scale for images (patterns, digits, receptive fields)
