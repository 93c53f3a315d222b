"""A page's figures as plain JSON, built in the worker process that ran the experiment.

The app's server has one interpreter lock for every session's page. Building a page's plotly figures from its
tables costs 1-4 s of it for a fresh config (issue 19's "rebuilt" column), so a worker builds them right after
the run, in parallel with the other sessions' work, and hands back plain dicts; the server only sends them
(brainsim.ui.results). The dicts are exactly what the server would make: the same builders, on the same tables
and config, through the same JSON encoding (plain())."""

from __future__ import annotations

import json
import logging

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from brainsim import config as cfgmod
from brainsim import registry

_LOG = logging.getLogger(__name__)


def plain(fig: go.Figure) -> dict:
    """The figure in plain JSON types, as st.plotly_chart would send it."""
    return json.loads(pio.to_json(fig.to_dict(), validate=False))


def page_figures(name: str, config_json: str, tables: dict[str, pd.DataFrame]) -> list[dict | None]:
    """Chart i of the experiment's page as plain JSON where the page opens with it drawn (Experiment.first_look);
    None for a folded chart (the server builds it if a user opens it: most never are, and the page waits for
    these), where the page draws nothing (an empty or missing table), where a builder gives something other
    than a plotly Figure, or where it raises (the server then builds that one itself and shows what goes wrong
    as it always has)."""
    exp = registry.get(name)
    cfg = cfgmod.from_json(exp.config, config_json)
    opened = exp.first_look(tables)
    out: list[dict | None] = []
    for i, chart in enumerate(exp.charts):
        df = tables.get(chart.table)
        fig = None
        if opened.get(i):
            try:
                fig = chart.build(df, cfg)
            except Exception:  # noqa: BLE001 - left to the server, which reports it on the page
                _LOG.warning("chart %r of %s not prebuilt", chart.title, name, exc_info=True)
        out.append(plain(fig) if type(fig) is go.Figure else None)
    return out


def warm_up() -> None:
    """Build and encode a small figure with the common trace types, subplots, a slider and the house style:
    plotly loads each trace type's validators on first use, which costs a fresh process's first page about
    a second (measured on xor's page: 2.1 s first, 1.25 s after)."""
    import plotly.express as px
    from plotly.subplots import make_subplots

    from brainsim.charts import style

    lines = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 1, 1, 0], "c": ["a", "a", "b", "b"]})
    # plotly express (narwhals' pandas), in SVG as every brainsim line chart draws
    plain(style(px.line(lines, x="x", y="y", color="c", facet_col="c", render_mode="svg")))

    fig = make_subplots(rows=1, cols=2, subplot_titles=("a", "b"))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines+markers", name="a"), row=1, col=1)
    fig.add_trace(go.Bar(x=[0, 1], y=[1, 2], error_y=dict(type="data", array=[0.1, 0.1])), row=1, col=1)
    fig.add_trace(go.Heatmap(z=[[0, 1], [1, 0]], colorscale="RdBu", colorbar=dict(title="z")), row=1, col=2)
    fig.frames = [go.Frame(data=[go.Scatter(x=[0], y=[0])], name="0")]
    step = dict(args=[["0"]], label="0", method="animate")
    fig.update_layout(
        sliders=[dict(steps=[step], currentvalue=dict(prefix="t "), pad=dict(t=10))],
        updatemenus=[dict(type="buttons", buttons=[step], pad=dict(r=10))],
    )
    plain(style(fig, "warm-up"))
