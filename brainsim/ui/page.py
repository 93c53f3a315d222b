"""A whole experiment page and the navigation: sidebar config, cached run with progress, results."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from typing import TYPE_CHECKING

import streamlit as st

from brainsim import config as cfgmod
from brainsim import prepare, registry, runtime, workers
from brainsim.config import ConfigError
from brainsim.ui.links import apply_link, config_upload, mirror_to_link
from brainsim.ui.more import more_button
from brainsim.ui.widgets import global_controls, global_values, persist, restore, sidebar_fields

if TYPE_CHECKING:
    import pandas as pd

# An experiment page's own modules (pandas, plotly, the results and the live curve; 1 s of imports) are imported by
# the functions that draw it: the home page, the first page after a server start, is sent without them.


@st.cache_data(show_spinner=False, max_entries=128)
def _cached_run(name: str, config_json: str) -> dict[str, pd.DataFrame]:
    """Run keyed by (experiment, config JSON), in a worker process shared by every session (brainsim.workers):
    this script thread only waits and draws the progress bar and the live curve (brainsim.live) when the
    experiment declares one. The bar is created and emptied in here, so a cache hit replays nothing visible
    (st.cache_data replays element calls on a hit); the live figures are not recorded for replay at all
    (_unrecorded). Reading session state is one of Streamlit's yield points: a changed widget interrupts the
    wait with a rerun, and the run is cancelled unless another session waits for it too."""
    from brainsim import live
    from brainsim.ui.results import offer_figures, prebuilt

    bar, shown = st.empty(), -1.0
    curve = registry.get(name).live
    with _unrecorded():
        view = st.empty()
    drawn, drawn_at = 0, 0.0
    job = workers.submit(name, config_json, figures=True)
    try:
        while not job.wait(POLL_S):
            fraction, message = job.progress()
            if abs(fraction - shown) >= 0.02:  # a few dozen updates, not thousands
                shown = fraction
                bar.progress(fraction, text=message)
            if curve is not None and time.monotonic() - drawn_at >= LIVE_DRAW_S:
                rows = job.live_rows()
                if len(rows) != drawn:
                    drawn, drawn_at = len(rows), time.monotonic()
                    with _unrecorded():
                        view.plotly_chart(prebuilt(live.figure(curve, rows)), key=f"{name}.live.{drawn}", theme=None)
            st.session_state.get("_brainsim.poll")  # the yield point: a pending rerun interrupts here
        tables = job.result()
        offer_figures(name, config_json, job.figures())  # built by the worker, off this interpreter's lock
        return tables
    finally:
        job.release()
        bar.empty()
        with _unrecorded():
            view.empty()


@contextlib.contextmanager
def _unrecorded():
    """Elements drawn inside are not recorded for st.cache_data's replay: the live curve's dozens of figures
    would otherwise be kept with every cached run and replayed (then emptied) on every cache hit. Uses
    Streamlit's flag for "inside a cached function"; without it (another Streamlit) they are recorded."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import in_cached_function
    except ImportError:  # pragma: no cover - another Streamlit version
        yield
        return
    token = in_cached_function.set(False)
    try:
        yield
    finally:
        in_cached_function.reset(token)


@functools.lru_cache(maxsize=256)
def _command_line(name: str, cfg) -> str:
    """brainsim.cli.command_line, once per (name, frozen config)."""
    from brainsim.cli import command_line

    return command_line(name, cfg)


POLL_S = 0.2  # seconds between looks at a running job's progress
LIVE_DRAW_S = 0.3  # at most this often the live curve is redrawn (so at least twice a second while rows arrive)


def run_with_progress(name: str, cfg) -> dict[str, pd.DataFrame]:
    """Cached run keyed by the config's JSON; a progress bar while an uncached run works."""
    return _cached_run(name, cfgmod.to_json(cfg))


def experiment_pages() -> dict[str, st.Page]:
    """experiment name -> its page for st.navigation: title, icon and address (/url_path) come from
    the experiment's declaration (read from its source: no experiment, nor torch, is imported for the
    navigation), the body from experiment_page."""
    prepare.note_activity()  # a script is running: preparation steps wait (every page calls this first)
    _prepare_when_idle()
    pages = {}
    for name in registry.names():
        card = registry.card(name)
        pages[name] = st.Page(
            functools.partial(experiment_page, name), title=card.title, icon=card.icon, url_path=card.url_path
        )
    return pages


_PREPARING = threading.Lock()


def _prepare_when_idle() -> None:
    """Once per server process, start preparing this process and the workers on a background thread
    (brainsim.prepare.everywhere: every experiment and torch imported, plotly's first-use costs paid, a step at a
    time while the app is idle): the home page is sent without them, and the experiment page a visitor opens
    after reading it finds them done."""
    if _PREPARING.acquire(blocking=False):
        threading.Thread(target=prepare.everywhere, name="brainsim-prepare", daemon=True).start()


def sidebar_config(name: str):
    """Draw the experiment's widgets; return (config or None, error sentence or None)."""
    exp = registry.get(name)
    cls = exp.config
    apply_link(name, cls)
    restore(name)
    for err in st.session_state.pop("_brainsim.link_errors", []) or []:
        st.error(err)
    flash = st.session_state.pop("_brainsim.flash", None)
    if flash:
        st.toast(flash)
    config_upload(name, cls)
    specs = [s for s in cfgmod.specs(cls) if not s.is_global]
    values = sidebar_fields(name, specs)
    persist(name, specs)
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
    except Exception as exc:  # a reader or splitter failing on an odd input: one sentence, not a traceback
        return workers.failure_sentence(exc).replace("The run failed", "Reading the inputs failed")
    return None


def experiment_page(name: str) -> None:
    """A whole experiment page: title, question, equations, sidebar, cached run, charts, downloads."""
    from brainsim import cost
    from brainsim.ui.results import folded, show_notes, show_results

    runtime.configure()  # torch's set-up, for runs on this process's threads (BRAINSIM_WORKERS=0)
    exp = registry.get(name)
    global_controls()
    st.title(exp.title)
    st.markdown(f"**{exp.question}**")
    if exp.notes:
        show_notes(name, exp.notes)
    cfg, error = sidebar_config(name)
    if exp.equations:
        if box := folded("Equations and references", f"{name}.fold.equations"):
            for eq in exp.equations:
                box.latex(eq.latex)
                box.caption(eq.caption)
    if cfg is not None and cfg.device == "cuda" and runtime.resolve_device("cuda").type != "cuda":
        st.warning("Device 'cuda' was chosen but no CUDA GPU is available here; running on the CPU.")
    last_key = f"{name}.last_good"
    if error := error or cost.budget_problem(exp, cfg, _command_line(name, cfg)):  # over budget: refused, not run
        st.error(error)
    else:
        try:
            tables = run_with_progress(name, cfg)
            st.session_state[last_key] = (cfg, tables)
        except (ConfigError, workers.RunFailed) as exc:  # one sentence; the last good results stay below
            error = str(exc)
            st.error(error)
    if last_key not in st.session_state:
        return
    shown_cfg, tables = st.session_state[last_key]
    if error or shown_cfg != cfg:
        st.info("Showing the last valid run; fix the setting above to update it.")
    else:
        mirror_to_link(name, cfg)
    st.sidebar.download_button(
        "Download config (JSON)",
        data=cfgmod.to_json(shown_cfg, experiment=name, threads=runtime.threads()),
        file_name=f"{name}_config.json",
        mime="application/json",
        on_click="ignore",
        key=f"{name}.dl.config",
    )
    show_results(name, shown_cfg, tables)
    more_button(name, shown_cfg)  # "train N more" (Experiment(more=...)), under the results
    with st.expander("Run this from the command line"):
        st.code(_command_line(name, shown_cfg), language="bash")
