"""Shared test helpers: the process set-up every entry point makes, and which experiments exist."""

from __future__ import annotations

import base64
import functools
import os

import numpy as np
import pytest

from brainsim import registry, runtime

runtime.configure()  # one torch thread, subnormals flushed: as the CLI and the app run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENTS = registry.names()


@pytest.fixture(params=EXPERIMENTS)
def experiment(request):
    return registry.get(request.param)


@functools.cache
def _default_run(name: str):
    exp = registry.get(name)
    return exp.run(exp.config())


def default_tables(name: str):
    """The default run of `name`, computed once per pytest worker and shared by the tests that only read it
    (copies, so no test can change another's). Determinism itself is checked against a fresh run."""
    return {table: df.copy() for table, df in _default_run(name).items()}


def open_every_chart(at, name: str):
    """Unfold every chart of `name`'s page before the AppTest's next run (the page draws only the charts marked
    expanded until a user opens the others: brainsim.ui.results)."""
    from brainsim.ui.results import chart_key

    for i in range(len(registry.get(name).charts)):
        at.session_state[chart_key(name, i)] = True
    return at


def heatmap_z(trace: dict) -> np.ndarray:
    """A heatmap's z from a figure dict: an array, or plotly's typed-array encoding {dtype, bdata, shape}."""
    z = trace["z"]
    if isinstance(z, dict):
        flat = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"])
        return flat.reshape([int(n) for n in str(z["shape"]).split(",")]).astype(float)
    return np.asarray(z, dtype=float)
