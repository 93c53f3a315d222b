"""Widgets from config fields and the session state behind them.

Widget state lives under keys "<experiment>.<field>" (and "global.seed" / "global.device"). Config
uploads and links are applied through a "pending" dict that `apply_pending()` writes into widget
state at the top of the next script run, before any widget exists, the only moment Streamlit
allows it.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

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
    return value


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
        step = spec.step or (1 if is_int else None)
        return container.number_input(
            spec.label, min_value=lo, max_value=hi, step=step, key=key, help=help_text, format=None if is_int else "%g"
        )
    step = spec.step or (1 if is_int else (hi - lo) / 100)
    return container.slider(
        spec.label, min_value=lo, max_value=hi, step=int(step) if is_int else float(step), key=key, help=help_text
    )


def _upload_into(spec: FieldSpec, key: str, container) -> None:
    """A bounded file uploader above a text field (its file becomes the pasted text) or a file field (an
    upload token, textio.UPLOADS); a file too big or unreadable is one sentence under it."""
    text = spec.widget == "text"
    max_bytes = 4 * spec.max_chars if text else textio.MAX_FILE_BYTES
    mb, types, limit = -(-max_bytes >> 20), (["csv", "txt"] if text else None), textio.size_text(max_bytes)
    label = f"Load {spec.label} from a file" if text else f"Upload a file for {spec.label} (up to {limit})"
    file = container.file_uploader(label, type=types, key=f"{key}.file", help=f"At most {limit}", max_upload_size=mb)
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


def global_controls() -> None:
    """Seed and device, drawn on the sidebar of every page (home and each experiment page)."""
    textio.serve_app_files()  # this script run reads only uploads and the data folder, never a typed path
    apply_pending()
    st.sidebar.header("Global")
    for spec in GLOBAL_SPECS:
        widget(spec, state_key(None, spec))


def global_values() -> dict[str, Any]:
    return {s.name: st.session_state.get(state_key(None, s), s.default) for s in GLOBAL_SPECS}
