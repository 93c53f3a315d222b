"""A finished run on the page: divergence warning, headline metrics, every chart with its table as
CSV, and the tables no chart draws."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from brainsim import registry
from brainsim.export import csv_bytes


def download_csv(label: str, df: pd.DataFrame, file_name: str, key: str) -> None:
    st.download_button(
        label,
        data=csv_bytes(df),
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        help=f"{len(df)} rows, exactly the data behind the chart.",
    )


def show_results(name: str, cfg, tables: dict[str, pd.DataFrame]) -> None:
    exp = registry.get(name)
    diverged = sorted(
        {
            str(x)
            for df in tables.values()
            if "diverged" in df and "learner" in df
            for x in df.loc[df["diverged"].astype(bool), "learner"]
        }
    )
    if diverged:
        st.warning(
            f"Training diverged (NaN or infinite values) for: {', '.join(diverged)}. Those learners "
            "stopped; their rows are marked diverged=True. Try a smaller learning rate."
        )
    if exp.metrics:
        items = exp.metrics(tables, cfg)
        cols = st.columns(min(len(items), 4) or 1)
        for i, (label, value) in enumerate(items):
            cols[i % len(cols)].metric(label, value)
    for i, chart in enumerate(exp.charts):
        df = tables.get(chart.table)
        if df is None or df.empty:
            continue
        st.subheader(chart.title)
        st.plotly_chart(chart.build(df, cfg), key=f"{name}.chart.{i}")
        if chart.caption:
            st.caption(chart.caption)
        download_csv(f"Download CSV: {chart.table}", df, f"{name}_{chart.table}.csv", key=f"{name}.dl.chart.{i}")
    if "summary" in tables:
        st.subheader("Summary")
        st.dataframe(tables["summary"], hide_index=True)
        if "summary" not in {c.table for c in exp.charts}:
            download_csv("Download CSV: summary", tables["summary"], f"{name}_summary.csv", key=f"{name}.dl.summary")
    charted = {c.table for c in exp.charts} | {"summary"}
    rest = [t for t in tables if t not in charted]
    if rest:
        with st.expander("More tables"):
            for t in rest:
                st.markdown(f"**{t}** ({len(tables[t])} rows)")
                st.dataframe(tables[t].head(200), hide_index=True)
                download_csv(f"Download CSV: {t}", tables[t], f"{name}_{t}.csv", key=f"{name}.dl.{t}")
