"""Experiment name -> (Config, run, charts, equations, title, question, icon, address).

The app's navigation and home page, the CLI and the generic tests all read it, so an experiment is
wired once: in its package's experiment.py and one line of _MODULES below."""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas and torch (brainsim.runtime) load with an experiment, not with the registry
    import pandas as pd

Tables = dict[str, "pd.DataFrame"]
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Chart:
    """One figure on a page, built from exactly one table (which the page offers as CSV)."""

    title: str
    table: str
    build: Callable[[pd.DataFrame, Any], Any]  # (table, config) -> plotly Figure
    caption: str = ""
    expanded: bool = False  # drawn when the page opens; the others wait, folded, until the user opens them


@dataclass(frozen=True)
class Equation:
    latex: str
    caption: str  # what it is and the reference, e.g. "Delta rule (Widrow & Hoff 1960)"


@dataclass(frozen=True)
class More:
    """A "train N more" button: raise the iterative field `field` by `step` (the page reruns the longer run)."""

    field: str  # the config field counting training iterations, e.g. "epochs"
    step: int = 10  # how many more per press
    label: str = "epochs"  # what is counted, for the button: "Train 10 more epochs"
    note: str = ""  # one sentence when a longer run is not exactly a continuation (e.g. a schedule over the total)


@dataclass(frozen=True)
class Experiment:
    name: str  # CLI name, e.g. "xor"
    title: str  # page title, navigation label and home-page link
    question: str  # the one question the page answers (shown on the page and on the home page)
    config: type  # frozen dataclass subclassing brainsim.config.BaseConfig
    run: Callable[..., Tables]  # run(config, progress=None) -> dict of tidy DataFrames
    charts: tuple[Chart, ...] = ()
    equations: tuple[Equation, ...] = ()
    metrics: Callable[[Tables, Any], list[tuple[str, ...]]] | None = None  # (label, short value[, caption]) each
    notes: str = ""  # markdown shown under the title: what to look for
    icon: str = ":material/science:"  # navigation icon (a Streamlit material icon name)
    url_path: str = ""  # the page's address, e.g. "single_neuron" for /single_neuron (default: the name)
    validate_inputs: Callable[[Any], None] | None = None  # extra checks (e.g. files) raising ConfigError
    cost: Callable[[Any], float] | None = None  # estimated seconds of run(config) on one core (<package>/cost.py)
    live: Any = None  # brainsim.live.LiveCurve: the curve drawn while a run is in flight (rows via live.report)
    more: More | None = None  # a "train N more" button on the page (iterative training only)

    def __post_init__(self):
        if not self.url_path:
            object.__setattr__(self, "url_path", self.name)

    def execute(self, cfg, progress: Progress | None = None) -> Tables:
        """`run(cfg, progress)` as the CLI and the app's workers call it: the tables, each timing table
        recording the torch thread count it was measured with (results are identical bytes for a given
        thread count; see runtime.threads)."""
        from brainsim import runtime

        tables = self.run(cfg, progress=progress)
        timing = tables.get("timing")
        if timing is not None and "threads" not in timing:
            tables["timing"] = timing.assign(threads=runtime.threads())
        return tables

    def first_look(self, tables: Tables) -> dict[int, bool]:
        """Chart index -> whether it is open when the page opens, for the charts whose table has rows: those
        marked expanded, or else the first. The page draws the open ones; the worker that ran the config builds
        their figures (brainsim.figspecs), the server the others' when a user opens them."""
        present = [i for i, c in enumerate(self.charts) if (df := tables.get(c.table)) is not None and not df.empty]
        marked = {i for i in present if self.charts[i].expanded} or set(present[:1])
        return {i: i in marked for i in present}


# Module paths, imported on first use: a CLI run imports only its own experiment.
_MODULES = {
    "xor": "brainsim.xor.experiment",
    "memory": "brainsim.memory.experiment",
    "arena": "brainsim.arena.experiment",
    "hopfield": "brainsim.hopfield.experiment",
    "working_memory": "brainsim.working_memory.experiment",
    "overfitting": "brainsim.overfitting.experiment",
    "features": "brainsim.features.experiment",
    "optimizers": "brainsim.optimizers.experiment",
    "continual": "brainsim.continual.experiment",
}


def names() -> list[str]:
    """Every experiment, in the order of the navigation."""
    return list(_MODULES)


def get(name: str) -> Experiment:
    """The Experiment called `name`; raises KeyError for an unknown name."""
    return importlib.import_module(_MODULES[name]).EXPERIMENT


@dataclass(frozen=True)
class Card:
    """What the navigation, the home page and `brainsim list` show of an experiment, read without importing it."""

    title: str
    question: str
    icon: str = ":material/science:"
    url_path: str = ""


_CARD_FIELDS = ("title", "question", "icon", "url_path")


@functools.cache
def card(name: str) -> Card:
    """`name`'s title, question, icon and address read from its experiment module's source, without importing
    it (nor torch): the app's home page and navigation, and `python -m brainsim list`, in a fraction of a
    second. Falls back to importing it when a title or question is not a plain string literal. Read once per
    process: every script run builds the navigation from the nine cards (40-60 ms of parsing each time)."""
    try:
        spec = importlib.util.find_spec(_MODULES[name])
        with open(spec.origin, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Experiment":
                words = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg in _CARD_FIELDS}
                if all(isinstance(words.get(k), str) for k in ("title", "question")):
                    words.setdefault("url_path", name)
                    return Card(**words)
    except (OSError, SyntaxError, ValueError, TypeError, AttributeError):
        pass
    exp = get(name)
    return Card(exp.title, exp.question, exp.icon, exp.url_path)


def describe(name: str) -> tuple[str, str]:
    """(title, question) of `name`, without importing it (see `card`)."""
    found = card(name)
    return found.title, found.question
