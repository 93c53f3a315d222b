"""The Sweep page: one experiment over one or two settings and several seeds, drawn as a line with seed bands
(one field) or a heatmap (two); every combined table downloadable as CSV. Points run in the app's shared
worker processes (brainsim.workers), exactly as `python -m brainsim run` runs them; sweeps over the page's
size are refused with one sentence pointing to `python -m brainsim sweep`, which has no limit and resumes.
"""

from __future__ import annotations

import io
import shlex
import time

import pandas as pd
import streamlit as st

from brainsim import config as cfgmod
from brainsim import cost, registry, workers
from brainsim.cli import parse_sets
from brainsim.config import ConfigError, FieldSpec
from brainsim.export import csv_bytes
from brainsim.sweep import grid, runner, summary
from brainsim.sweep.store import Result
from brainsim.ui.widgets import global_controls, global_values

MAX_POINTS = 64  # points (grid x seeds) one page sweep may run
BUDGET_S = 4 * cost.BUDGET_S  # its estimated CPU-core seconds in all (the sum of each point's cost estimate)
POLL_S = 0.2
KEEP_POINTS = 4 * MAX_POINTS  # finished points a session keeps, so going back to a sweep costs nothing
QUESTION = "How does a result change across a grid of settings and seeds, for any experiment?"


def page() -> None:
    global_controls()
    st.title("Sweeps")
    st.markdown(f"**{QUESTION}**")
    st.markdown(
        f"Pick an experiment, one or two settings to vary and a number of seeds; each point is one ordinary run "
        f"(the same CSV bytes as the command line). The page runs up to {MAX_POINTS} points and "
        f"{cost.describe(BUDGET_S)} of estimated CPU time; larger sweeps run from the command line "
        "(`python -m brainsim sweep`), locally or on a Ray cluster, and resume after an interruption."
    )
    name = st.selectbox("Experiment", registry.names(), format_func=lambda n: registry.get(n).title, key="sweep.exp")
    exp = registry.get(name)
    plan, command = sweep_form(exp)
    if plan is None:
        st.info("Choose one or two settings to sweep, above.")
        return
    if isinstance(plan, str):
        st.error(plan)
        return
    points, fields = plan
    with st.expander("Run this sweep from the command line"):
        st.code(command, language="bash")
    problem = size_problem(exp, points, command)
    if problem:
        st.error(problem)
        return
    results = run_points(name, points)
    show_results(name, points, fields, results)


def sweepable(cls: type) -> list[FieldSpec]:
    """Fields a sweep can vary: numbers, choices and switches (not seed/device, not lists or free text)."""
    return [
        s
        for s in cfgmod.specs(cls)
        if not s.is_global and (s.kind in (int, float, bool) or (s.kind is str and s.choices))
    ]


def sweep_form(exp) -> tuple:
    """Widgets for the fields, their values, seeds and fixed settings -> ((points, fields) or error, CLI command)."""
    specs = {s.name: s for s in sweepable(exp.config)}
    chosen = st.multiselect("Settings to sweep (one or two)", list(specs), max_selections=2, key=f"sweep.{exp.name}.f")
    texts = {f: values_widget(exp.name, specs[f]) for f in chosen}
    left, right = st.columns(2)
    seeds = left.number_input("Seeds per point", 1, 20, 3, key=f"sweep.{exp.name}.seeds")
    fixed = right.text_area(
        "Fixed settings, one FIELD=VALUE per line", key=f"sweep.{exp.name}.set", height=68, placeholder="epochs=50"
    )
    sets = [line.strip() for line in fixed.splitlines() if line.strip()]
    glob = global_values()
    cli = ["python -m brainsim sweep", exp.name, *(f"--grid {shlex.quote(f'{f}={t}')}" for f, t in texts.items())]
    cli += [f"--seeds {seeds}", *(f"--set {shlex.quote(s)}" for s in sets), f"--set seed={glob['seed']}"]
    command = " ".join([*cli, f"--out results/{exp.name}_sweep"])
    if not chosen:
        return None, command
    try:
        base = cfgmod.make(exp.config, {**glob, **parse_sets(sets)})
        fields = grid.parse_grid(exp.config, [f"{f}={t}" for f, t in texts.items()])
        return (grid.expand(exp.name, exp.config, base, fields, seeds=int(seeds)), list(fields)), command
    except ConfigError as exc:
        return str(exc), command


def values_widget(name: str, spec: FieldSpec) -> str:
    """One swept field's values as --grid text: FROM:TO:COUNT[:log] for numbers, a ';' list otherwise."""
    key = f"sweep.{name}.{spec.name}"
    if spec.kind is bool:
        picked = st.multiselect(spec.label, [True, False], default=[True, False], key=key)
        return ";".join(cfgmod.format_value(v) for v in picked)
    if spec.choices:
        picked = st.multiselect(spec.label, list(spec.choices), default=list(spec.choices[:4]), key=key)
        return ";".join(picked)
    lo_default, hi_default = _span(spec)
    cols = st.columns(4)
    step = 1.0 if spec.kind is int else None
    lo = cols[0].number_input(f"{spec.label}: from", value=lo_default, step=step, key=f"{key}.lo", format="%g")
    hi = cols[1].number_input(f"{spec.label}: to", value=hi_default, step=step, key=f"{key}.hi", format="%g")
    count = cols[2].number_input("values", 1, 12, 4, key=f"{key}.n")
    log = cols[3].checkbox("log spacing", value=lo_default > 0 and hi_default >= 20 * lo_default, key=f"{key}.log")
    fmt = (lambda v: str(int(v))) if spec.kind is int else (lambda v: f"{v:g}")
    return f"{fmt(lo)}:{fmt(hi)}:{int(count)}" + (":log" if log else "")


def _span(spec: FieldSpec) -> tuple[float, float]:
    """A first range around the default, inside the declared bounds: default/4 to default*4."""
    d = float(spec.default)
    lo, hi = (d / 4, d * 4) if d > 0 else (0.0, 1.0)
    lo = max(lo, spec.lo) if spec.lo is not None else lo
    hi = min(hi, spec.hi) if spec.hi is not None else hi
    if spec.kind is int:
        lo, hi = float(max(round(lo), spec.lo or 0)), float(round(hi))
    return lo, max(hi, lo)


def size_problem(exp, points: list[grid.Point], command: str) -> str | None:
    """One sentence when the sweep is over the page's size, else None."""
    seconds = sum(cost.estimate(exp, p.config) or 0.0 for p in points)
    if len(points) <= MAX_POINTS and seconds <= BUDGET_S:
        return None
    return (
        f"This sweep has {len(points)} points estimated at {cost.describe(seconds)} of CPU time, over this page's "
        f"limit of {MAX_POINTS} points and {cost.describe(BUDGET_S)}: fewer values or seeds, or run it from the "
        f"command line, which has no limit and resumes: {command}"
    )


def run_points(name: str, points: list[grid.Point]) -> dict[str, Result]:
    """Every point's result, from this session's store or the shared workers, with a progress bar."""
    store = st.session_state.setdefault("sweep.results", {})
    todo = [p for p in {p.key: p for p in points}.values() if p.key not in store]
    if not todo:
        return {p.key: store[p.key] for p in points}
    bar, start = st.progress(0.0, text=f"0 of {len(todo)} points"), time.perf_counter()
    jobs = {p.key: workers.submit(name, p.config_json) for p in todo}
    try:
        while jobs:
            for key, job in list(jobs.items()):
                if job.wait(0 if len(jobs) > 1 else POLL_S):
                    store[key] = _result(job)
                    del jobs[key]
            done = len(todo) - len(jobs)
            rate = done / max(time.perf_counter() - start, 1e-9)
            left = f", {cost.describe(len(jobs) / rate)} left" if 0 < done < len(todo) else ""
            bar.progress(done / len(todo), text=f"{done} of {len(todo)} points, {rate:.2f} points/s{left}")
            st.session_state.get("_brainsim.poll")  # a changed widget interrupts the wait here
            time.sleep(POLL_S if jobs else 0)
    finally:
        for job in jobs.values():
            job.release()
        bar.empty()
    for old in list(store)[: max(0, len(store) - KEEP_POINTS)]:  # a session keeps its latest points only
        if old not in jobs and old not in {p.key for p in points}:
            del store[old]
    return {p.key: store[p.key] for p in points}


def _result(job) -> Result:
    try:
        tables = job.result()
        return Result({t: csv_bytes(df) for t, df in tables.items()})
    except (ConfigError, workers.RunFailed) as exc:
        return Result({}, str(exc))
    finally:
        job.release()


def show_results(name: str, points: list[grid.Point], fields: list[str], results: dict[str, Result]) -> None:
    """The chart of a chosen summary value and every table as CSV."""
    failed = [r.error for r in results.values() if not r.ok]
    if failed:
        st.warning(f"{len(failed)} of {len(results)} points failed, the first with: {failed[0]}")
    files = runner.combine(points, results)
    tables = {t: pd.read_csv(io.BytesIO(b)) for t, b in files.items()}
    chart_options = [t for t, df in tables.items() if summary.numeric_columns(df, runner.leading_names(points))]
    if chart_options:
        draw_summary(tables, fields, chart_options, runner.leading_names(points))
    st.subheader("Tables")
    st.caption("Each table holds every point's rows, with the swept settings and the seed as the first columns.")
    for table, data in files.items():
        st.download_button(
            f"Download CSV: {table}",
            data=data,
            file_name=f"{name}_sweep_{table}.csv",
            mime="text/csv",
            key=f"sweep.dl.{table}",
            on_click="ignore",
            help=f"{len(tables[table])} rows.",
        )
    doc = runner.describe(name, points, results, {"grid": {f: [] for f in fields}})
    st.download_button("Download sweep.json", doc, f"{name}_sweep.json", "application/json", on_click="ignore")


def draw_summary(tables: dict[str, pd.DataFrame], fields: list[str], options: list[str], lead: list[str]) -> None:
    """Pick a table, a numeric column and an aggregate; draw the line (one field) or heatmap (two)."""
    st.subheader("Summary value")
    cols = st.columns(3)
    table = cols[0].selectbox("Table", options, index=options.index("summary") if "summary" in options else 0)
    df = tables[table]
    numeric = summary.numeric_columns(df, lead)
    first = next((i for i, c in enumerate(numeric) if c not in summary.STEP_COLUMNS), 0)  # a measure, not a step
    column = cols[1].selectbox("Column", numeric, index=first, key=f"sweep.col.{table}")
    how = cols[2].radio("Aggregate per point", summary.AGGREGATES, horizontal=True, key="sweep.how")
    values = summary.summarize(df, fields, column, how)
    label = f"{column} ({how})"
    if len(fields) == 1:
        x = values[fields[0]]
        log_x = pd.api.types.is_numeric_dtype(x) and x.min() > 0 and x.max() >= 20 * x.min()
        fig = summary.line_figure(values, fields[0], label, log_x=bool(log_x))
    else:
        if summary.GROUP_COLUMN in values and values[summary.GROUP_COLUMN].nunique() > 1:
            learner = st.selectbox("Learner", sorted(values[summary.GROUP_COLUMN].unique()), key="sweep.learner")
            values = values[values[summary.GROUP_COLUMN] == learner]
        fig = summary.heatmap_figure(values, fields[0], fields[1], label)
    st.plotly_chart(fig, key="sweep.chart", theme=None)
    st.caption(
        "Line: mean over seeds with a 95% band. Heatmap: mean over seeds. Each point's value is the "
        f"{how} of '{column}' over its rows" + (" at its last step." if how == "final" else ".")
    )
