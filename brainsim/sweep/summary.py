"""One number per sweep point (and learner) from any numeric column of a combined table, and the Sweep page's
two figures: a line over one swept field with a band over seeds, or a heatmap over two.

    mean    the column's mean over the point's rows
    median  their median
    final   the mean over the rows at the point's last step (its largest epoch / step / t ...), or its last row
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from brainsim import charts

AGGREGATES = ("mean", "median", "final")
STEP_COLUMNS = ("epoch", "step", "t", "t_h", "trial", "samples_seen", "samples", "delay", "delay_h", "sweep")
GROUP_COLUMN = "learner"  # kept apart in the summary when the table has it


def seed_column(df: pd.DataFrame) -> str:
    """The leading seed column of a combined table (sweep_seed when the table has its own seed)."""
    return "sweep_seed" if "sweep_seed" in df else "seed"


def numeric_columns(df: pd.DataFrame, lead: list[str]) -> list[str]:
    """Columns a summary can be taken of: numeric, not a leading column nor the table's own seed."""
    skip = {*lead, *(f"sweep_{n}" for n in lead), "seed", "seeds"}
    return [c for c in df.columns if c not in skip and pd.api.types.is_numeric_dtype(df[c]) and df[c].dtype != bool]


def summarize(df: pd.DataFrame, fields: list[str], column: str, how: str) -> pd.DataFrame:
    """One row per (swept values, seed[, learner]) with `value`, the point's `how` of `column`."""
    keys = [*fields, seed_column(df), *([GROUP_COLUMN] if GROUP_COLUMN in df else [])]
    data = df.dropna(subset=[column])
    if how == "final":
        step = next((c for c in STEP_COLUMNS if c in data and c not in fields), None)
        if step is not None:
            last = data.groupby(keys, sort=False)[step].transform("max")
            data = data[data[step] == last]
        else:
            data = data.groupby(keys, sort=False).tail(1)
        how = "mean"
    out = data.groupby(keys, sort=True)[column].agg(how).reset_index()
    return out.rename(columns={column: "value"})


def line_figure(summary: pd.DataFrame, field: str, label: str, log_x: bool = False) -> go.Figure:
    """The summary against one swept field: mean over seeds with a 95% band, one line per learner."""
    if summary.empty:
        return charts.empty_figure("No finished points to draw.")
    df = summary if GROUP_COLUMN in summary else summary.assign(**{GROUP_COLUMN: label})
    return charts.line_with_band(df, x=field, y="value", color=GROUP_COLUMN, y_label=label, log_x=log_x)


def heatmap_figure(summary: pd.DataFrame, x: str, y: str, label: str) -> go.Figure:
    """The summary over two swept fields, averaged over seeds (and learners, when the table has several)."""
    if summary.empty:
        return charts.empty_figure("No finished points to draw.")
    grid = summary.groupby([y, x], sort=True)["value"].mean().unstack(x)
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[str(v) for v in grid.columns],
            y=[str(v) for v in grid.index],
            colorscale="Viridis",
            colorbar=dict(title=dict(text=label, side="right")),
            hovertemplate=f"{x}=%{{x}}<br>{y}=%{{y}}<br>{label}=%{{z:.4g}}<extra></extra>",
        )
    )
    fig.update_xaxes(type="category", title_text=charts.label(x))
    fig.update_yaxes(type="category", title_text=charts.label(y))
    return charts.style(fig)
