"""Widgets from config fields and the session state behind them.

Widget state lives under keys "<experiment>.<field>" (and "global.seed" / "global.device"). Config
uploads and links are applied through a "pending" dict that `apply_pending()` writes into widget
state at the top of the next script run, before any widget exists, the only moment Streamlit
allows it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from brainsim import config as cfgmod
from brainsim import textio
from brainsim.config import BaseConfig, ConfigError, FieldSpec

PENDING = "_brainsim.pending"
GLOBAL_SPECS = cfgmod.specs(BaseConfig)


def state_key(experiment: str | None, spec: FieldSpec) -> str:
    return f"global.{spec.name}" if spec.is_global else f"{experiment}.{spec.name}"


def _to_widget(spec: FieldSpec, value: Any) -> Any:
    """Config value -> what the field's widget holds."""
    if spec.kind is tuple:
        return list(value) if spec.choices else ", ".join(cfgmod.format_value(v) for v in value)
    return float(value) if spec.kind is float else value


def apply_pending() -> None:
    """Write values queued by an upload or a link into widget state; call before any widget."""
    pending = st.session_state.pop(PENDING, None)
    if pending:
        for key, value in pending.items():
            st.session_state[key] = value
        st.session_state["_brainsim.flash"] = pending.get("_flash")


def queue_config(experiment: str, cfg, flash: str) -> None:
    """Queue every field of `cfg` for the next run and rerun now."""
    pending = {state_key(experiment, s): _to_widget(s, getattr(cfg, s.name)) for s in cfgmod.specs(type(cfg))}
    pending["_flash"] = flash
    # also keep the persistent copy in step (see _persist)
    st.session_state[f"_store.{experiment}"] = {k: v for k, v in pending.items() if not k.startswith(("_", "global."))}
    st.session_state[PENDING] = pending
    st.rerun()


def restore(experiment: str) -> None:
    """Streamlit drops the state of widgets not drawn on a run (another page was shown); put it back."""
    for key, value in st.session_state.get(f"_store.{experiment}", {}).items():
        if key not in st.session_state:
            st.session_state[key] = value


def persist(experiment: str, specs: list[FieldSpec]) -> None:
    st.session_state[f"_store.{experiment}"] = {
        state_key(experiment, s): st.session_state[state_key(experiment, s)]
        for s in specs
        if not s.is_global and state_key(experiment, s) in st.session_state
    }


def sidebar_fields(experiment: str, specs: list[FieldSpec]) -> dict[str, Any]:
    """Draw an experiment's fields, return their raw values. A field declared with shown_when comes right
    under the field it depends on, only while it applies (hidden otherwise, its value kept); then the
    other advanced fields in an "Advanced" expander."""
    st.sidebar.header("Parameters")
    names = {s.name for s in specs}
    dependents: dict[str, list[FieldSpec]] = {}
    for s in specs:
        anchor = next(iter(s.shown_when or {}), None)
        if anchor in names:
            dependents.setdefault(anchor, []).append(s)
    placed = {s.name for group in dependents.values() for s in group}
    values: dict[str, Any] = {}

    def draw(s: FieldSpec, container) -> None:
        values[s.name] = widget(s, state_key(experiment, s), container=container)
        for dep in dependents.get(s.name, []):
            if dep.applies(values):
                draw(dep, container)
            else:
                values[dep.name] = st.session_state.get(state_key(experiment, dep), _to_widget(dep, dep.default))

    for s in specs:
        if not s.advanced and s.name not in placed:
            draw(s, st.sidebar)
    advanced = [s for s in specs if s.advanced and s.name not in placed]
    if advanced:
        with st.sidebar.expander("Advanced"):
            for s in advanced:
                draw(s, st)
    return values


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
        return container.text_input(_ranged(spec, "each "), key=key, help=help_text)
    if spec.kind is str:
        if spec.choices:
            if spec.widget == "radio":
                return container.radio(spec.label, options=list(spec.choices), key=key, help=help_text, horizontal=True)
            return container.selectbox(spec.label, options=list(spec.choices), key=key, help=help_text)
        if spec.widget in ("text", "file"):  # a file field: an upload or the data folder, never a typed path
            _upload_into(spec, key, container)
            if spec.widget == "file":
                options, show = textio.file_options(st.session_state[key]), textio.describe_choice
                return container.selectbox(spec.label, options, key=key, format_func=show, help=help_text)
            return container.text_area(spec.label, key=key, help=help_text, height=120)
        return container.text_input(spec.label, key=key, help=help_text)
    # numbers
    is_int = spec.kind is int
    lo = None if spec.lo is None else (int(spec.lo) if is_int else float(spec.lo))
    hi = None if spec.hi is None else (int(spec.hi) if is_int else float(spec.hi))
    if spec.widget == "number" or lo is None or hi is None:
        return _number(spec, key, container, help_text)
    step = spec.step or (1 if is_int else (hi - lo) / 100)
    return container.slider(
        _ranged(spec), min_value=lo, max_value=hi, step=int(step) if is_int else float(step), key=key, help=help_text
    )


_GOOD, _BAD = "_brainsim.good.", "_brainsim.bad."  # + widget key: its last valid value; its refusal sentence


def _number(spec: FieldSpec, key: str, container, help_text: str) -> Any:
    """A number box with its range in the label. It has no min/max of its own (the browser would clamp an
    entry, or silently refuse it): an empty or out-of-range entry is refused here, in one sentence under
    the box, and the box goes back to its last valid value."""
    is_int = spec.kind is int
    step = spec.step or (1 if is_int else 0.01)
    container.number_input(
        _ranged(spec),
        value=None,  # the value lives in session state; None lets a cleared box reach _keep_valid
        step=int(step) if is_int else float(step),
        key=key,
        help=help_text,
        format=None if is_int else "%g",
        on_change=_keep_valid,
        args=(spec, key),
    )
    problem = st.session_state.pop(_BAD + key, None)
    if problem:
        container.error(problem)
    st.session_state[_GOOD + key] = st.session_state[key]
    return st.session_state[key]


def _keep_valid(spec: FieldSpec, key: str) -> None:
    """on_change of a number box: an empty or out-of-range entry is put back to the last valid value."""
    value = st.session_state.get(key)
    try:
        if value is not None:
            cfgmod.check_field(spec, value)
            return
    except ConfigError:
        pass
    kept = st.session_state.get(_GOOD + key, _to_widget(spec, spec.default))
    st.session_state[key] = kept
    what = "was left empty" if value is None else f"cannot be {_num(value)}"
    st.session_state[_BAD + key] = f"'{spec.label}' {what}: enter {spec.allowed()} (kept {_num(kept)})."


def _ranged(spec: FieldSpec, each: str = "") -> str:
    """A number's label with its range, which a slider does not show and a number box cannot: 'lr (1e-05 to 10)'
    ('delays (each 0 to 40)' for a list of numbers)."""
    words = cfgmod.range_words(spec).removeprefix("from ")
    return f"{spec.label} ({each}{words})" if words else spec.label


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _upload_into(spec: FieldSpec, key: str, container) -> None:
    """A bounded file uploader above a text field (its file becomes the pasted text) or a file field (an
    upload token, textio.UPLOADS); a file too big or unreadable is one sentence under it."""
    text = spec.widget == "text"
    max_bytes = 4 * spec.max_chars if text else textio.MAX_FILE_BYTES
    mb, types, limit = -(-max_bytes >> 20), (["csv", "txt"] if text else None), textio.size_text(max_bytes)
    if text:  # the limit that counts is the field's characters; Streamlit's own (whole MB) is just above it
        limit = f"{spec.max_chars:,} characters"
    label = (
        f"Load {spec.label} from a file (up to {limit})" if text else f"Upload a file for {spec.label} (up to {limit})"
    )
    file = container.file_uploader(label, type=types, key=f"{key}.file", help=f"At most {limit}.", max_upload_size=mb)
    if file is None or st.session_state.get(f"{key}.file_done") == file.file_id:
        return
    st.session_state[f"{key}.file_done"] = file.file_id
    try:
        value = (textio.upload_text if text else textio.upload_file)(file.name, file.getvalue(), spec)
    except ConfigError as exc:
        container.error(str(exc))
        return
    st.session_state[PENDING] = {key: value, "_flash": f"Loaded {file.name} into '{spec.name}'."}
    st.rerun()


HOME_QUERY, GLOBAL_STORE, PAGE = "_brainsim.home_query", "_store.global", "_brainsim.page"


def global_controls(home: bool = False) -> None:
    """Seed and device, drawn on the sidebar of every page (home and each experiment page). Streamlit drops a
    widget's value when another page opens, so a copy kept outside widget state is written back into them
    on the first run of each newly opened page; the home page also keeps them in its URL (an experiment
    page's URL carries them with its config)."""
    textio.serve_app_files()  # this script run reads only uploads and the data folder, never a typed path
    queued = st.session_state.get(PENDING) or {}  # a link's or an upload's values win over the copy
    apply_pending()
    page = get_script_run_ctx().page_script_hash
    if st.session_state.get(PAGE) != page:  # a page switch: this page's widgets start afresh
        st.session_state[PAGE] = page
        for key, value in st.session_state.get(GLOBAL_STORE, {}).items():
            if key not in queued:
                st.session_state[key] = value
    if home:
        _apply_home_link()
    st.sidebar.header("Global")
    for spec in GLOBAL_SPECS:
        widget(spec, state_key(None, spec))
    st.session_state[GLOBAL_STORE] = {state_key(None, s): st.session_state[state_key(None, s)] for s in GLOBAL_SPECS}
    if home:
        query = {s.name: cfgmod.format_value(v) for s, v in zip(GLOBAL_SPECS, global_values().values())}
        if {k: st.query_params[k] for k in st.query_params} != query:
            st.query_params.from_dict(query)
        st.session_state[HOME_QUERY] = query


def _apply_home_link() -> None:
    """A home-page link's seed and device (?seed=5&device=cpu), once per new query; a bad value is one error."""
    query = {k: st.query_params[k] for k in st.query_params}
    if not query or query == st.session_state.get(HOME_QUERY):
        return
    for spec in GLOBAL_SPECS:
        if spec.name in query:
            try:
                st.session_state[state_key(None, spec)] = cfgmod.check_field(spec, query[spec.name])
            except ConfigError as exc:
                st.error(f"{exc} The link's value was ignored.")


def global_values() -> dict[str, Any]:
    return {s.name: st.session_state.get(state_key(None, s), s.default) for s in GLOBAL_SPECS}
