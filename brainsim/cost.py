"""What a run will cost before it runs: seconds estimated from the loops a config will make.

Each experiment package has a `cost.py` whose `terms(cfg)` counts the work units of the loops its run
makes (steps, samples x widths, events x synapses ...) and whose `COEF` turns them into seconds:

    seconds = Σ_k COEF[k] · terms(cfg)[k]

The coefficients are seconds of one CPU core per unit, fitted (non-negative least squares on relative
error) to runs measured with `measure` on the development machine, single-threaded as
`runtime.configure()` sets it (AMD EPYC, one torch thread); `calibrate` prints estimate against measured
time for a list of configs and `fit` solves its rows for the coefficients. A run on a busy server takes
longer in wall time; CPU time is what the estimate predicts.

The app refuses, before running, a config estimated over BUDGET_S with one sentence naming the settings
that drive the cost (`budget_problem`); the CLI runs it, warns with the estimate and shows time left.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from typing import Any

from brainsim import config as cfgmod
from brainsim.config import ConfigError

BUDGET_S = 60.0  # the app's budget for one run, seconds on one core of the server
DRIVER_RATIO = 1.3  # a setting drives the cost when its default would make the run this much cheaper


def linear(terms: dict[str, float], coef: dict[str, float]) -> float:
    """Σ_k coef[k] · terms[k]: seconds from work units (a term without a coefficient costs nothing)."""
    return sum(coef.get(k, 0.0) * float(v) for k, v in terms.items())


def estimate(exp, cfg) -> float | None:
    """Estimated seconds of `exp.run(cfg)` on one core, or None when the experiment declares no cost."""
    return None if exp.cost is None else float(exp.cost(cfg))


def drivers(exp, cfg, limit: int = 3) -> list[str]:
    """The settings that drive the cost: the fields whose default value would make the run cheapest,
    most expensive first (at most `limit`, each cutting the estimate by at least DRIVER_RATIO)."""
    total = estimate(exp, cfg) or 0.0
    defaults = exp.config()
    gains = []
    for spec in cfgmod.specs(type(cfg)):
        default = getattr(defaults, spec.name)
        if spec.is_global or getattr(cfg, spec.name) == default:
            continue
        try:
            cheaper = estimate(exp, dataclasses.replace(cfg, **{spec.name: default}))
        except ConfigError:  # the default alone does not fit the other settings
            continue
        if cheaper is not None and total > DRIVER_RATIO * cheaper:
            gains.append((total / max(cheaper, 1e-9), spec.name))
    return [name for _, name in sorted(gains, reverse=True)[:limit]]


def describe(seconds: float) -> str:
    """'40 s', '7 min', '2.5 h': an estimate as a person reads it."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def budget_problem(exp, cfg, command: str = "", budget: float = BUDGET_S) -> str | None:
    """One sentence when the run is estimated over `budget` seconds (the app then refuses it), else None;
    it names the settings that drive the cost and ends with `command`, the CLI line that runs it anyway."""
    seconds = estimate(exp, cfg)
    if seconds is None or seconds <= budget:
        return None
    names = drivers(exp, cfg)
    quoted = [f"'{n}'" for n in names]
    lower = f"move {_join(quoted)} back toward the default" if names else "choose smaller settings"
    return (
        f"This run would take about {describe(seconds)} (estimated), over this page's budget of "
        f"{budget:.0f} s: {lower}, or run it from the command line, which has no budget"
        + (f": {command}" if command else ".")
    )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def measure(exp, cfg) -> float:
    """CPU seconds of one `exp.run(cfg)` in this process (call runtime.configure() first)."""
    start = time.process_time()
    exp.run(cfg)
    return time.process_time() - start


def calibrate(exp, settings: Iterable[dict[str, Any]], out: Callable[[str], None] = print) -> list[tuple]:
    """Run each setting of `exp`, print estimate vs measured CPU seconds; returns (config, estimate,
    measured) rows, from which the coefficients of its cost.py can be refitted against its terms(cfg)."""
    rows = []
    for values in settings:
        cfg = cfgmod.make(exp.config, values)
        est, took = estimate(exp, cfg), measure(exp, cfg)
        rows.append((cfg, est, took))
        out(f"{exp.name} {values}: estimated {est:.2f} s, measured {took:.2f} s, ratio {est / max(took, 1e-9):.2f}")
    return rows


def fit(rows: Iterable[tuple], terms: Callable[[Any], dict[str, float]], digits: int = 3) -> dict[str, float]:
    """Coefficients c_k >= 0 that minimise the relative error of the estimate over measured runs,
    Σ_i (Σ_k c_k t_ik / m_i − 1)², with t_ik = terms(config_i)[k] and m_i the measured seconds (the rows
    `calibrate` returns: (config, estimate, measured)); rounded to `digits` significant figures."""
    import numpy as np
    from scipy.optimize import nnls  # scikit-learn's dependency; only calibration needs it

    rows = list(rows)
    keys = list(terms(rows[0][0]))
    a = np.array([[terms(cfg)[k] / took for k in keys] for cfg, _, took in rows])
    scale = np.maximum(np.abs(a).max(0), 1e-30)  # columns of comparable size, for the solver
    coef, _ = nnls(a / scale, np.ones(len(rows)))
    return {k: float(f"{c / s:.{digits}g}") for k, c, s in zip(keys, coef, scale)}
