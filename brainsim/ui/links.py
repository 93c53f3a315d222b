"""Configs that arrive from outside the widgets: the URL query string and an uploaded JSON file;
and the URL kept in step with the settings so a copied link reproduces the run."""

from __future__ import annotations

import streamlit as st

from brainsim import config as cfgmod
from brainsim import registry, textio
from brainsim.config import ConfigError
from brainsim.ui.widgets import global_values, queue_config


def apply_link(name: str, cls: type) -> None:
    """If the URL carries a config we have not applied yet, queue it: the link's values are checked together,
    as one config over the defaults (not field by field against the current widgets); one sentence for each
    value that cannot apply (unknown field, out of range, a file this app does not offer, data too long for a
    link), and one more when the rest does not make a valid config, which then leaves the page as it was."""
    query = {k: st.query_params[k] for k in st.query_params}
    if not query or query == st.session_state.get("_brainsim.last_query"):
        return
    st.session_state["_brainsim.last_query"] = query
    if query.get("exp", name) != name:
        st.session_state["_brainsim.link_errors"] = [_other_page(query["exp"])]
        return
    values, errors = _link_values(cls, query)
    try:
        cfg = cfgmod.make(cls, values)
    except ConfigError as exc:  # fields valid alone but not together
        # a field refused above already says why the rest cannot stand (e.g. a refused file path)
        st.session_state["_brainsim.link_errors"] = errors or [f"{exc} The link was ignored."]
        return
    st.session_state["_brainsim.link_errors"] = errors
    queue_config(name, cfg, "Settings loaded from the link.")


def _other_page(exp: str) -> str:
    try:
        title = registry.get(exp).title
    except KeyError:
        return f"The link names an unknown experiment {textio.quote(exp)}; its settings were ignored."
    return f"The link is for the page '{title}'; its settings were not applied here, so open it on that page."


def _link_values(cls: type, query: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The link's values that may apply (each checked alone), and one sentence for each that cannot."""
    known = cfgmod.spec_map(cls)
    values, errors = {}, []
    omitted = [f for f in query.get(OMITTED, "").split(",") if f in known]
    if omitted:
        errors.append(
            f"The link could not carry {', '.join(repr(f) for f in omitted)} (over {LINK_MAX_CHARS} characters): "
            "load the config (JSON) saved where the link was made to restore it."
        )
    # a link shared before a field was renamed still applies (config's RENAMED: old name -> today's)
    fields = cfgmod.renamed_fields(cls, {k: v for k, v in query.items() if k not in ("exp", OMITTED)})
    for field_name, text in fields.items():
        spec = known.get(field_name)
        if spec is None:
            errors.append(f"The link names an unknown field {textio.quote(field_name)}; it was ignored.")
            continue
        try:
            cfgmod.check_field(spec, text)  # alone; together in apply_link ("local file" + its path)
        except ConfigError as exc:
            errors.append(f"{exc} The link's value was ignored.")
            continue
        if spec.widget == "file" and text.strip():  # only an upload this server holds or a data-folder file
            try:
                textio.app_files(text.strip(), textio.MAX_FILE_BYTES, spec.name)
            except ConfigError as exc:  # its sentence already says that nothing was read
                errors.append(str(exc))
                continue
        values[field_name] = text
    return values, errors


LINK_MAX_CHARS = 1500  # longer values (pasted data) stay out of the URL; the JSON config carries them
OMITTED = "omitted"  # the query key naming the fields a link left out for their length


def mirror_to_link(name: str, cfg) -> None:
    values = cfgmod.to_query(cfg)
    query = {"exp": name, **{k: v for k, v in values.items() if len(v) <= LINK_MAX_CHARS}}
    if long := [k for k, v in values.items() if len(v) > LINK_MAX_CHARS]:
        query[OMITTED] = ",".join(long)
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
