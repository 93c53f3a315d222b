"""Configs that arrive from outside the widgets: the URL query string and an uploaded JSON file;
and the URL kept in step with the settings so a copied link reproduces the run."""

from __future__ import annotations

import streamlit as st

from brainsim import config as cfgmod
from brainsim import textio
from brainsim.config import ConfigError
from brainsim.ui.widgets import global_values, queue_config


def apply_link(name: str, cls: type) -> None:
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
            errors.append(f"The link names an unknown field {textio.quote(field_name)}; it was ignored.")
            continue
        try:
            cfgmod.check_field(known[field_name], text)  # alone; together below ("local file" + its path)
            values[field_name] = text
        except ConfigError as exc:
            errors.append(f"{exc} The link's value was ignored.")
    st.session_state["_brainsim.link_errors"] = errors
    try:
        cfg = cfgmod.make(cls, values)
    except ConfigError as exc:  # fields valid alone but not together
        st.session_state["_brainsim.link_errors"] = errors + [f"{exc} The link was ignored."]
        return
    queue_config(name, cfg, "Settings loaded from the link.")


LINK_MAX_CHARS = 1500  # longer values (pasted data) stay out of the URL; the JSON config carries them


def mirror_to_link(name: str, cfg) -> None:
    query = {"exp": name, **{k: v for k, v in cfgmod.to_query(cfg).items() if len(v) <= LINK_MAX_CHARS}}
    if {k: st.query_params[k] for k in st.query_params} != query:
        st.query_params.from_dict(query)
    st.session_state["_brainsim.last_query"] = query


def config_upload(name: str, cls: type) -> None:
    with st.sidebar.expander("Load / save config"):
        file = st.file_uploader(
            "Load config (JSON)",
            type=["json"],
            key=f"{name}.upload",
            help=f"A saved config restores every setting. At most {cfgmod.MAX_JSON_BYTES >> 10} KB.",
            max_upload_size=1,
        )
        if file is not None and st.session_state.get(f"{name}.upload_done") != file.file_id:
            st.session_state[f"{name}.upload_done"] = file.file_id
            try:
                cfg = cfgmod.from_json(cls, file.getvalue(), experiment=name)
            except ConfigError as exc:
                st.error(f"Config not loaded: {exc}")
            else:
                queue_config(name, cfg, f"Settings loaded from {file.name}.")
        if st.button("Reset to defaults", key=f"{name}.reset"):
            queue_config(name, cls(**global_values()), "Settings reset to defaults.")
