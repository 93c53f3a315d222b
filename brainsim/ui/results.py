"""A finished run on the page: divergence warning, headline metrics, every chart with its table as
CSV (one button per table), a zip of every table with the config, and the tables no chart draws."""

from __future__ import annotations

import collections
import dataclasses
import functools
import threading
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa
import streamlit as st

from brainsim import config as cfgmod
from brainsim import figspecs, registry
from brainsim.export import csv_bytes, file_name, zip_bytes

DETAILS = "\n---\n"  # in an experiment's NOTES: what follows goes in an expander under the intro


def folded(label: str, key: str, expanded: bool = False):
    """An expander whose body is sent only while it is open: the container to draw into, or None while it is
    folded. A folded section costs the browser nothing (an ordinary expander's body is drawn, hidden, on every
    visit: equations in KaTeX, tables in canvas grids); opening it reruns the script (st.expander's
    on_change="rerun"), which draws it."""
    box = st.expander(label, expanded=expanded, key=key, on_change="rerun")
    return box if box.open else None


def show_notes(name: str, notes: str) -> None:
    """The intro and its "What to look for" list; details (measured figures, caveats) in a fold."""
    head, _, details = notes.partition(DETAILS)
    st.markdown(head)
    if details.strip() and (
        box := folded("More about this experiment: measured figures and caveats", f"{name}.fold.notes")
    ):
        box.markdown(details)


def download_csv(name: str, cfg, table: str, df: pd.DataFrame) -> None:
    st.download_button(
        f"Download CSV: {table}",
        data=functools.partial(csv_bytes, df),  # written when clicked: a rerun does not format every table
        file_name=file_name(name, table, cfg),
        mime="text/csv",
        key=f"{name}.dl.{table}",
        on_click="ignore",
        help=f"{len(df)} rows, exactly the data behind the chart.",
    )


def show_metrics(items: list[tuple[str, ...]]) -> None:
    """Headline numbers: (label, short value[, caption]). Each box is as wide as its text and the row wraps,
    so neither label nor value is cut at any window width."""
    row = st.container(horizontal=True, gap="medium")
    for label, value, *caption in items:
        box = row.container(width="content", gap=None)
        box.metric(label, value, width="content")
        if caption:
            box.caption(caption[0])


def _diverged(tables: dict[str, pd.DataFrame]) -> list[str]:
    return sorted(
        {
            str(x)
            for df in tables.values()
            if "diverged" in df and "learner" in df
            for x in df.loc[df["diverged"].astype(bool), "learner"]
        }
    )


class _Built(go.Figure):
    """A finished figure whose plain dict is made once. st.plotly_chart asks a figure for to_dict() on every
    call, and plotly's deep-copies and re-encodes every array each time; then plotly.io.to_json walks any
    dict that orjson cannot write at once. That was most of a cached rerun's cost (issue 19). This one hands
    back, every time, the dict made when it was frozen, in plain JSON types, so the same spec string comes
    out at a fraction of the cost. Shared read-only: nothing may change the figure or the dict after freeze()."""

    _frozen: dict | None = None

    def to_dict(self) -> dict:
        return self._frozen if self._frozen is not None else super().to_dict()


def freeze(fig):
    """The figure, its dict made once from now on (a plotly Figure; anything else is returned as it is)."""
    if type(fig) is go.Figure:
        plain = figspecs.plain(fig)  # what st.plotly_chart would send
        fig.__class__ = _Built
        fig._frozen = plain
    return fig


def prebuilt(plain: dict) -> _Built:
    """A figure for st.plotly_chart made from a plain JSON figure dict (brainsim.live.figure), sent as it is:
    st.plotly_chart would otherwise validate a dict by building a plotly Figure from it, the cost avoided."""
    fig = _Built()
    fig._frozen = plain
    return fig


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(name: str, config_json: str, index: int, _df: pd.DataFrame, _cfg):
    """Chart `index` of `name`'s page for this config, built once and shared read-only by every session:
    a config's tables are the same bytes every time (tests/test_determinism.py), so are its figures, and
    a cached rerun, a page revisited or a second visitor does not rebuild them (issue 19)."""
    offered = _offered(name, _cfg, index)
    if offered is not None:
        return prebuilt(offered)
    return freeze(registry.get(name).charts[index].build(_df, _cfg))


_OFFERED: collections.OrderedDict[tuple[str, str], list] = collections.OrderedDict()
_OFFERED_LOCK = threading.Lock()
MAX_OFFERED = 16  # runs whose prebuilt figures wait to be shown (a page takes them on its next lines)


def offer_figures(name: str, run_json: str, figures: list | None) -> None:
    """Figures a worker built after the run keyed by `run_json` (brainsim.figspecs), for _figure to take
    instead of building them on the server's one interpreter."""
    if not figures:
        return
    with _OFFERED_LOCK:
        _OFFERED[(name, run_json)] = figures
        _OFFERED.move_to_end((name, run_json))
        while len(_OFFERED) > MAX_OFFERED:
            _OFFERED.popitem(last=False)


def _offered(name: str, cfg, index: int) -> dict | None:
    with _OFFERED_LOCK:
        figures = _OFFERED.get((name, cfgmod.to_json(cfg)))
    return figures[index] if figures is not None and index < len(figures) else None


@dataclasses.dataclass(frozen=True)
class _Prepared:
    """What a page shows besides its figures, made once per (experiment, config) like them (_figure)."""

    diverged: list[str]  # learners whose rows are marked diverged
    metrics: list[tuple[str, ...]]  # the headline numbers
    shown: dict[str, Any]  # table -> what st.dataframe draws (summary whole, the others' first 200 rows)


@st.cache_resource(show_spinner=False, max_entries=128)
def _prepared(name: str, config_json: str, _tables: dict[str, pd.DataFrame], _cfg) -> _Prepared:
    exp = registry.get(name)
    drawn = {c.table for c in exp.charts}
    shown = {
        t: _arrow(df if t == "summary" else df.head(200)) for t, df in _tables.items() if t not in drawn - {"summary"}
    }
    return _Prepared(_diverged(_tables), exp.metrics(_tables, _cfg) if exp.metrics else [], shown)


def _arrow(df: pd.DataFrame):
    """The Arrow table st.dataframe would convert `df` into on every rerun (the same bytes reach the browser);
    the DataFrame itself when Arrow cannot take it as it is (st.dataframe then applies its own fixes)."""
    try:
        return pa.Table.from_pandas(df)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
        return df


def chart_key(name: str, index: int) -> str:
    """The session-state key of chart `index`'s fold: True while it is open."""
    return f"{name}.open.{index}"


def _show_charts(name: str, cfg, config_json: str, tables: dict[str, pd.DataFrame]) -> set[str]:
    """Each chart in a fold of its own, with its caption and its table's CSV; a folded chart is neither built
    nor sent (st.expander's on_change="rerun" makes its open state known to the script). Returns the
    tables offered for download."""
    exp = registry.get(name)
    offered: set[str] = set()
    st.caption("Click a chart's title to open or fold it: only open charts are drawn, which keeps the page quick.")
    for i, expanded in exp.first_look(tables).items():  # drawing every chart cost 2-5 s a visit (issue 19)
        chart, df = exp.charts[i], tables[exp.charts[i].table]
        fold = folded(chart.title, chart_key(name, i), expanded)
        if fold is None:
            continue
        with fold:
            st.plotly_chart(
                _figure(name, config_json, i, df, cfg), key=f"{name}.chart.{i}", theme=None
            )  # brainsim.charts.style's fonts
            if chart.caption:
                st.caption(chart.caption)
            if chart.table in offered:
                st.caption(f"Data: the *{chart.table}* table, downloadable above.")
            else:
                download_csv(name, cfg, chart.table, df)
                offered.add(chart.table)
    return offered


def show_results(name: str, cfg, tables: dict[str, pd.DataFrame]) -> None:
    exp = registry.get(name)
    config_json = cfgmod.to_json(cfg, experiment=name)
    ready = _prepared(name, config_json, tables, cfg)
    if ready.diverged:
        st.warning(
            f"Training diverged (NaN or infinite values) for: {', '.join(ready.diverged)}. Those learners "
            "stopped; their rows are marked diverged=True. Try a smaller learning rate."
        )
    if exp.metrics:
        show_metrics(ready.metrics)
    st.download_button(
        "Download all (zip)",
        data=functools.partial(zip_bytes, name, cfg, tables),  # built when clicked, not on every rerun
        file_name=file_name(name, "all", cfg, ext="zip"),
        mime="application/zip",
        key=f"{name}.dl.zip",
        on_click="ignore",
        icon=":material/folder_zip:",
        help="Every table as CSV plus config.json, the same files as the command line's --out.",
    )
    offered = _show_charts(name, cfg, config_json, tables)
    if "summary" in tables:
        st.subheader("Summary")
        st.dataframe(ready.shown["summary"], hide_index=True)
        if "summary" not in offered:
            download_csv(name, cfg, "summary", tables["summary"])
    rest = [t for t in tables if t not in {c.table for c in exp.charts} | {"summary"}]
    if rest and (box := folded("More tables", f"{name}.fold.tables")):
        with box:
            for t in rest:
                st.markdown(f"**{t}** ({len(tables[t])} rows)")
                st.dataframe(ready.shown[t], hide_index=True)
                download_csv(name, cfg, t, tables[t])
