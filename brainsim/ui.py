"""The only streamlit-aware module: widgets from config fields, cached runs, charts and downloads.

`experiment_pages()` gives app.py one st.Page per registered experiment, whose body is
`experiment_page(name)`. Widget state lives under keys "<experiment>.<field>"
(and "global.seed" / "global.device"). Config uploads and URL links are applied through a
"pending" dict that `apply_pending()` writes into widget state at the top of the next script run,
before any widget exists, which is the only moment Streamlit allows it.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd
import streamlit as st

from brainsim import config as cfgmod
from brainsim import registry, runtime, textio
from brainsim.cli import command_line
from brainsim.config import BaseConfig, ConfigError, FieldSpec
from brainsim.export import csv_bytes

PENDING = "_brainsim.pending"
GLOBAL_SPECS = cfgmod.specs(BaseConfig)


# --------------------------------------------------------------------------- widget state


def _key(experiment: str | None, spec: FieldSpec) -> str:
    return f"global.{spec.name}" if spec.is_global else f"{experiment}.{spec.name}"


def _to_widget(spec: FieldSpec, value: Any) -> Any:
    """Config value -> what the field's widget holds."""
    if spec.kind is tuple:
        return list(value) if spec.choices else ", ".join(cfgmod.format_value(v) for v in value)
    return value


def apply_pending() -> None:
    """Write values queued by an upload or a link into widget state; call before any widget."""
    pending = st.session_state.pop(PENDING, None)
    if pending:
        for key, value in pending.items():
            st.session_state[key] = value
        st.session_state["_brainsim.flash"] = pending.get("_flash")


def _queue(experiment: str, cfg, flash: str) -> None:
    """Queue every field of `cfg` for the next run and rerun now."""
    pending = {_key(experiment, s): _to_widget(s, getattr(cfg, s.name)) for s in cfgmod.specs(type(cfg))}
    pending["_flash"] = flash
    # also keep the persistent copy in step (see _persist)
    st.session_state[f"_store.{experiment}"] = {k: v for k, v in pending.items() if not k.startswith(("_", "global."))}
    st.session_state[PENDING] = pending
    st.rerun()


def _restore(experiment: str) -> None:
    """Streamlit drops the state of widgets not drawn on a run (another page was shown); put it back."""
    for key, value in st.session_state.get(f"_store.{experiment}", {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


def _persist(experiment: str, specs: list[FieldSpec]) -> None:
    st.session_state[f"_store.{experiment}"] = {
        _key(experiment, s): st.session_state[_key(experiment, s)]
        for s in specs
        if not s.is_global and _key(experiment, s) in st.session_state
    }


def widget(spec: FieldSpec, key: str, container=st.sidebar) -> Any:
    """Draw the widget a field declares and return its raw value."""
    help_text = f"{spec.help} Allowed: {spec.allowed()}."
    if key not in st.session_state:
        st.session_state[key] = _to_widget(spec, spec.default)
    if spec.kind is bool:
        return container.checkbox(spec.label, key=key, help=help_text)
    if spec.kind is tuple:
        if spec.choices:
            return container.multiselect(spec.label, options=list(spec.choices), key=key, help=help_text)
        return container.text_input(spec.label, key=key, help=help_text)
    if spec.kind is str:
        if spec.choices:
            if spec.widget == "radio":
                return container.radio(spec.label, options=list(spec.choices), key=key, help=help_text, horizontal=True)
            return container.selectbox(spec.label, options=list(spec.choices), key=key, help=help_text)
        if spec.widget == "text":
            _text_file(spec, key, container)
            return container.text_area(spec.label, key=key, help=help_text, height=120)
        return container.text_input(spec.label, key=key, help=help_text)
    # numbers
    is_int = spec.kind is int
    lo = None if spec.lo is None else (int(spec.lo) if is_int else float(spec.lo))
    hi = None if spec.hi is None else (int(spec.hi) if is_int else float(spec.hi))
    if spec.widget == "number" or lo is None or hi is None:
        step = spec.step or (1 if is_int else None)
        return container.number_input(
            spec.label, min_value=lo, max_value=hi, step=step, key=key, help=help_text, format=None if is_int else "%g"
        )
    step = spec.step or (1 if is_int else (hi - lo) / 100)
    return container.slider(
        spec.label, min_value=lo, max_value=hi, step=int(step) if is_int else float(step), key=key, help=help_text
    )


def _text_file(spec: FieldSpec, key: str, container) -> None:
    """A file uploader that fills a pasted-data text field (e.g. a CSV of the user's own data)."""
    file = container.file_uploader(f"Load {spec.label} from a file", type=["csv", "txt"], key=f"{key}.file")
    if file is None or st.session_state.get(f"{key}.file_done") == file.file_id:
        return
    st.session_state[f"{key}.file_done"] = file.file_id
    try:
        text = textio.decode_text(file.getvalue(), f"File '{file.name}'")
    except ConfigError as exc:
        container.error(str(exc))
        return
    if len(text) > spec.max_chars:
        container.error(
            f"File '{file.name}' holds {len(text)} characters; at most {spec.max_chars} are allowed for '{spec.name}'."
        )
        return
    st.session_state[PENDING] = {key: text, "_flash": f"Loaded {file.name} into '{spec.name}'."}
    st.rerun()


def global_controls() -> None:
    """Seed and device, drawn on the sidebar of every page (home and each experiment page)."""
    apply_pending()
    st.sidebar.header("Global")
    for spec in GLOBAL_SPECS:
        widget(spec, _key(None, spec))


def global_values() -> dict[str, Any]:
    return {s.name: st.session_state.get(_key(None, s), s.default) for s in GLOBAL_SPECS}


# --------------------------------------------------------------------------- URL and uploads


def _from_link(name: str, cls: type) -> None:
    """If the URL carries a config we have not applied yet, queue it (one error per bad field)."""
    query = {k: st.query_params[k] for k in st.query_params}
    if not query or query == st.session_state.get("_brainsim.last_query") or query.get("exp", name) != name:
        return
    st.session_state["_brainsim.last_query"] = query
    known = cfgmod.spec_map(cls)
    values, errors = {}, []
    # a link shared before a field was renamed still applies (config's RENAMED: old name -> today's)
    fields = cfgmod.renamed_fields(cls, {k: v for k, v in query.items() if k != "exp"})
    for field_name, text in fields.items():
        if field_name not in known:
            errors.append(f"The link names an unknown field '{field_name}'; it was ignored.")
            continue
        try:
            cfgmod.make(cls, {field_name: text})
            values[field_name] = text
        except ConfigError as exc:
            errors.append(f"{exc} The link's value was ignored.")
    st.session_state["_brainsim.link_errors"] = errors
    try:
        cfg = cfgmod.make(cls, values)
    except ConfigError as exc:  # fields valid alone but not together
        st.session_state["_brainsim.link_errors"] = errors + [f"{exc} The link was ignored."]
        return
    _queue(name, cfg, "Settings loaded from the link.")


LINK_MAX_CHARS = 1500  # longer values (pasted data) stay out of the URL; the JSON config carries them


def _mirror_to_link(name: str, cfg) -> None:
    query = {"exp": name, **{k: v for k, v in cfgmod.to_query(cfg).items() if len(v) <= LINK_MAX_CHARS}}
    if {k: st.query_params[k] for k in st.query_params} != query:
        st.query_params.from_dict(query)
    st.session_state["_brainsim.last_query"] = query


def _upload(name: str, cls: type) -> None:
    with st.sidebar.expander("Load / save config"):
        file = st.file_uploader(
            "Load config (JSON)",
            type=["json"],
            key=f"{name}.upload",
            help="A file saved with 'Download config (JSON)'; restores every setting.",
        )
        if file is not None and st.session_state.get(f"{name}.upload_done") != file.file_id:
            st.session_state[f"{name}.upload_done"] = file.file_id
            try:
                cfg = cfgmod.from_json(cls, file.getvalue(), experiment=name)
            except ConfigError as exc:
                st.error(f"Config not loaded: {exc}")
            else:
                _queue(name, cfg, f"Settings loaded from {file.name}.")
        if st.button("Reset to defaults", key=f"{name}.reset"):
            _queue(name, cls(**global_values()), "Settings reset to defaults.")


# --------------------------------------------------------------------------- running


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_run(name: str, config_json: str) -> dict[str, pd.DataFrame]:
    """Run keyed by (experiment, config JSON). The progress bar is created and emptied in here,
    so a cache hit replays nothing visible (st.cache_data replays element calls on a hit)."""
    exp = registry.get(name)
    bar = st.empty()
    shown = [-1.0]

    def progress(fraction: float, message: str) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if fraction - shown[0] >= 0.02 or fraction >= 1.0:  # a few dozen updates, not thousands
            shown[0] = fraction
            bar.progress(fraction, text=message)

    try:
        return exp.run(cfgmod.from_json(exp.config, config_json), progress=progress)
    finally:
        bar.empty()


def run_with_progress(name: str, cfg) -> dict[str, pd.DataFrame]:
    """Cached run keyed by the config's JSON; a progress bar while an uncached run works."""
    return _cached_run(name, cfgmod.to_json(cfg))


# --------------------------------------------------------------------------- navigation


def experiment_pages() -> dict[str, st.Page]:
    """experiment name -> its page for st.navigation: title, icon and address (/url_path) come from
    the experiment's declaration, the body from experiment_page."""
    pages = {}
    for name in registry.names():
        exp = registry.get(name)
        pages[name] = st.Page(
            functools.partial(experiment_page, name), title=exp.title, icon=exp.icon, url_path=exp.url_path
        )
    return pages


# --------------------------------------------------------------------------- page


def sidebar_config(name: str):
    """Draw the experiment's widgets; return (config or None, error sentence or None)."""
    exp = registry.get(name)
    cls = exp.config
    _from_link(name, cls)
    _restore(name)
    for err in st.session_state.pop("_brainsim.link_errors", []) or []:
        st.error(err)
    flash = st.session_state.pop("_brainsim.flash", None)
    if flash:
        st.toast(flash)
    _upload(name, cls)
    specs = [s for s in cfgmod.specs(cls) if not s.is_global]
    st.sidebar.header("Parameters")
    values = {}
    advanced = [s for s in specs if s.advanced]
    for s in specs:
        if not s.advanced:
            values[s.name] = widget(s, _key(name, s))
    if advanced:
        with st.sidebar.expander("Advanced"):
            for s in advanced:
                values[s.name] = widget(s, _key(name, s), container=st)
    _persist(name, specs)
    values.update(global_values())
    try:
        cfg = cfgmod.make(cls, values)
    except ConfigError as exc:
        return None, str(exc)
    problem = input_problem(name, cfgmod.to_json(cfg)) if exp.validate_inputs else None
    return (None, problem) if problem else (cfg, None)


@st.cache_data(show_spinner=False, max_entries=64)
def input_problem(name: str, config_json: str) -> str | None:
    """The experiment's extra input checks (they may read a file), once per config rather than on
    every widget change: the error sentence, or None when the inputs are fine."""
    exp = registry.get(name)
    try:
        exp.validate_inputs(cfgmod.from_json(exp.config, config_json))
    except ConfigError as exc:
        return str(exc)
    return None


def _download(label: str, df: pd.DataFrame, file_name: str, key: str) -> None:
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
        _download(f"Download CSV: {chart.table}", df, f"{name}_{chart.table}.csv", key=f"{name}.dl.chart.{i}")
    if "summary" in tables:
        st.subheader("Summary")
        st.dataframe(tables["summary"], hide_index=True)
        if "summary" not in {c.table for c in exp.charts}:
            _download("Download CSV: summary", tables["summary"], f"{name}_summary.csv", key=f"{name}.dl.summary")
    charted = {c.table for c in exp.charts} | {"summary"}
    rest = [t for t in tables if t not in charted]
    if rest:
        with st.expander("More tables"):
            for t in rest:
                st.markdown(f"**{t}** ({len(tables[t])} rows)")
                st.dataframe(tables[t].head(200), hide_index=True)
                _download(f"Download CSV: {t}", tables[t], f"{name}_{t}.csv", key=f"{name}.dl.{t}")


def experiment_page(name: str) -> None:
    """A whole experiment page: title, question, equations, sidebar, cached run, charts, downloads."""
    exp = registry.get(name)
    global_controls()
    st.title(exp.title)
    st.markdown(f"**{exp.question}**")
    if exp.notes:
        st.markdown(exp.notes)
    cfg, error = sidebar_config(name)
    if exp.equations:
        with st.expander("Equations and references", expanded=False):
            for eq in exp.equations:
                st.latex(eq.latex)
                st.caption(eq.caption)
    if cfg is not None and cfg.device == "cuda" and runtime.resolve_device("cuda").type != "cuda":
        st.warning("Device 'cuda' was chosen but no CUDA GPU is available here; running on the CPU.")
    last_key = f"{name}.last_good"
    if error:
        st.error(error)
    else:
        try:
            tables = run_with_progress(name, cfg)
            st.session_state[last_key] = (cfg, tables)
        except ConfigError as exc:
            st.error(str(exc))
        except (RuntimeError, ValueError, MemoryError) as exc:  # a failure inside the model, not user input
            st.error(f"The run failed: {exc}")
    if last_key not in st.session_state:
        return
    shown_cfg, tables = st.session_state[last_key]
    if error or shown_cfg != cfg:
        st.info("Showing the last valid run; fix the setting above to update it.")
    else:
        _mirror_to_link(name, cfg)
    st.sidebar.download_button(
        "Download config (JSON)",
        data=cfgmod.to_json(shown_cfg, experiment=name),
        file_name=f"{name}_config.json",
        mime="application/json",
        on_click="ignore",
        key=f"{name}.dl.config",
    )
    show_results(name, shown_cfg, tables)
    with st.expander("Run this from the command line"):
        st.code(command_line(name, shown_cfg), language="bash")
