"""The "train N more" button of a page whose training is iterative (Experiment(more=More(...))).

Pressing it raises the declared field in the page's widget state, as a user moving its slider would, so the
rerun computes the longer run and the link and the config JSON carry the new value. Runs are deterministic,
so the longer run is the same numbers as continuing the shown one for N more, except where the experiment
declares a note saying why not (e.g. a learning-rate schedule spread over the total): its help text then
says that instead of claiming a continuation."""

from __future__ import annotations

import streamlit as st

from brainsim import config as cfgmod
from brainsim import registry
from brainsim.config import FieldSpec
from brainsim.ui.widgets import state_key

CLAMPED = "_brainsim.more_clamped."  # + experiment: the sentence shown after a press that hit the field's maximum


def raised(spec: FieldSpec, value: int, step: int) -> tuple[int, str | None]:
    """(value + step, capped at the field's declared maximum; one sentence when capped, else None)."""
    want = int(value) + int(step)
    if spec.hi is not None and want > spec.hi:
        top = int(spec.hi)
        return top, f"'{spec.label}' is at most {top}; set to {top} instead of {want}."
    return want, None


def field_spec(name: str) -> FieldSpec:
    """The FieldSpec of the experiment's `more` field."""
    exp = registry.get(name)
    return next(s for s in cfgmod.specs(exp.config) if s.name == exp.more.field)


def _press(name: str, current: int) -> None:
    """on_click: raise the field's widget value (callbacks run before the rerun's widgets, where Streamlit allows
    writing a widget's state), and keep the page's persistent copy (widgets.persist) in step."""
    exp, spec = registry.get(name), field_spec(name)
    key = state_key(name, spec)
    value, clamped = raised(spec, st.session_state.get(key, current), exp.more.step)
    st.session_state[key] = value
    st.session_state.setdefault(f"_store.{name}", {})[key] = value
    if clamped:
        st.session_state[CLAMPED + name] = clamped


def more_button(name: str, cfg) -> None:
    """Under the results: a button that trains `step` more (a no-op for experiments without `more`)."""
    more = registry.get(name).more
    if more is None or cfg is None:
        return
    spec = field_spec(name)
    current = getattr(cfg, more.field)
    target = f"raises '{spec.label}' from {current} to {current + more.step} (at most {spec.hi:g})"
    if more.note:  # a longer run that is not the shown one continued: say what it is instead
        help_text = f"Train {more.step} more {more.label}: {target}. {more.note}"
    else:
        help_text = (
            f"Continue training from the current state for {more.step} more {more.label}: {target}. Runs are "
            f"deterministic, so this gives the same numbers as training {current + more.step} {more.label} at "
            "once, and the link and the config JSON reproduce it."
        )
    at_max = spec.hi is not None and current >= spec.hi
    st.button(
        f"Train {more.step} more {more.label}",
        key=f"{name}.more",
        on_click=_press,
        args=(name, current),
        help=help_text,
        icon=":material/fast_forward:",
        disabled=at_max,
    )
    if message := st.session_state.pop(CLAMPED + name, None):
        st.info(message)
    elif at_max:
        st.caption(f"'{spec.label}' is at its maximum ({spec.hi:g}).")
