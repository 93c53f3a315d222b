"""A finished run on the page: divergence warning, headline metrics, every chart with its table as
CSV (one button per table), a zip of every table with the config, and the tables no chart draws."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from brainsim import config as cfgmod
from brainsim import registry
from brainsim.export import csv_bytes, file_name, zip_bytes

DETAILS = "\n---\n"  # in an experiment's NOTES: what follows goes in an expander under the intro


def show_notes(notes: str) -> None:
    """The intro and its "What to look for" list; details (measured figures, caveats) in an expander."""
    head, _, details = notes.partition(DETAILS)
    st.markdown(head)
    if details.strip():
        with st.expander("More about this experiment: measured figures and caveats"):
            st.markdown(details)


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


@st.cache_resource(show_spinner=False, max_entries=256)
def _figure(name: str, config_json: str, index: int, _df: pd.DataFrame, _cfg):
    """Chart `index` of `name`'s page for this config, built once and shared read-only by every session:
    a config's tables are the same bytes every time (tests/test_determinism.py), so are its figures, and
    a cached rerun, a page revisited or a second visitor does not rebuild them (issue 19)."""
    return registry.get(name).charts[index].build(_df, _cfg)


def show_results(name: str, cfg, tables: dict[str, pd.DataFrame]) -> None:
    exp = registry.get(name)
    config_json = cfgmod.to_json(cfg, experiment=name)
    diverged = _diverged(tables)
    if diverged:
        st.warning(
            f"Training diverged (NaN or infinite values) for: {', '.join(diverged)}. Those learners "
            "stopped; their rows are marked diverged=True. Try a smaller learning rate."
        )
    if exp.metrics:
        show_metrics(exp.metrics(tables, cfg))
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
    offered = set()
    for i, chart in enumerate(exp.charts):
        df = tables.get(chart.table)
        if df is None or df.empty:
            continue
        st.subheader(chart.title)
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
    if "summary" in tables:
        st.subheader("Summary")
        st.dataframe(tables["summary"], hide_index=True)
        if "summary" not in offered:
            download_csv(name, cfg, "summary", tables["summary"])
    rest = [t for t in tables if t not in {c.table for c in exp.charts} | {"summary"}]
    if rest:
        with st.expander("More tables"):
            for t in rest:
                st.markdown(f"**{t}** ({len(tables[t])} rows)")
                st.dataframe(tables[t].head(200), hide_index=True)
                download_csv(name, cfg, t, tables[t])
