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
    """Chart i of the experiment's page as plain JSON, or None where the page draws nothing (an empty or
    missing table), where a builder gives something other than a plotly Figure, or where it raises (the
    server then builds that one itself and shows what goes wrong as it always has)."""
    exp = registry.get(name)
    cfg = cfgmod.from_json(exp.config, config_json)
    out: list[dict | None] = []
    for chart in exp.charts:
        df = tables.get(chart.table)
        fig = None
        if df is not None and not df.empty:
            try:
                fig = chart.build(df, cfg)
            except Exception:  # noqa: BLE001 - left to the server, which reports it on the page
                _LOG.warning("chart %r of %s not prebuilt", chart.title, name, exc_info=True)
        out.append(plain(fig) if type(fig) is go.Figure else None)
    return out
