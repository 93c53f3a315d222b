"""Experiment name -> (Config, run, charts, equations). Pages and the CLI both read it."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from brainsim import runtime  # noqa: F401  (sets torch's thread count once, before any experiment runs)

Tables = dict[str, pd.DataFrame]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Chart:
    """One figure on a page, built from exactly one table (which the page offers as CSV)."""

    title: str
    table: str
    build: Callable[[pd.DataFrame, Any], Any]  # (table, config) -> plotly Figure
    caption: str = ""


@dataclass(frozen=True)
class Equation:
    latex: str
    caption: str  # what it is and the reference, e.g. "Delta rule (Widrow & Hoff 1960)"


@dataclass(frozen=True)
class Experiment:
    name: str  # CLI name, e.g. "xor"
    title: str  # page title
    question: str  # the one question the page answers
    config: type  # frozen dataclass subclassing brainsim.config.BaseConfig
    run: Callable[..., Tables]  # run(config, progress=None) -> dict of tidy DataFrames
    charts: tuple[Chart, ...] = ()
    equations: tuple[Equation, ...] = ()
    metrics: Callable[[Tables, Any], list[tuple[str, str]]] | None = None  # headline numbers
    notes: str = ""  # markdown shown under the title: what to look for
    icon: str = ":material/science:"  # navigation icon (a Streamlit material icon name)
    url_path: str = ""  # the page's address, e.g. "single_neuron" (default: the experiment's name)
    validate_inputs: Callable[[Any], None] | None = None  # extra checks (e.g. files) raising ConfigError
    extras: dict = field(default_factory=dict)


# Module paths, imported lazily so `python -m brainsim list` stays fast.
_MODULES = {
    "xor": "brainsim.xor.experiment",
    "memory": "brainsim.memory.experiment",
    "arena": "brainsim.arena.experiment",
    "hopfield": "brainsim.hopfield.experiment",
    "working_memory": "brainsim.working_memory.experiment",
}


def names() -> list[str]:
    """Experiments whose module exists (pages not built yet are simply absent)."""
    out = []
    for name, mod in _MODULES.items():
        if importlib.util.find_spec(mod) is not None:
            out.append(name)
    return out


def get(name: str) -> Experiment:
    """The Experiment called `name`; raises KeyError with the known names."""
    if name not in _MODULES or importlib.util.find_spec(_MODULES[name]) is None:
        raise KeyError(name)
    return importlib.import_module(_MODULES[name]).EXPERIMENT
