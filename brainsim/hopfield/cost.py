"""What a Hopfield run costs: work units of its recall sweeps and autoencoder training, and seconds per
unit (see brainsim.cost)."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.hopfield import sweeps
from brainsim.hopfield.storage import CLASSIC

# seconds of one core per unit, fitted by brainsim.cost.calibrate (see terms)
COEF = {"run": 0.3, "loops": 1.07e-06, "recall": 0.0297, "modern": 0.0, "storage": 0.0, "train": 0.0512}


def terms(cfg) -> dict[str, float]:
    """Work units: every load of the sweep and every fixed-P view (robustness levels, trajectories) stores
    patterns with each learner and runs every cue to a fixed point (sweeps.work_gflop's recall GFLOP, per
    classic learner); the modern network attends over P patterns; the autoencoder trains for ae_epochs."""
    plan = sweeps.plan(cfg)
    recall, train = sweeps.work_gflop(cfg, plan)
    n, p, sweep = plan.n, plan.p, plan.sweep
    classic = sum(name in CLASSIC for name in cfg.learners)
    cues = cfg.seeds * (sum(sweep) + 12 * p)
    views = cfg.seeds * (len(sweep) + 12)
    sweeps_run = min(cfg.max_sweeps, 10) * (n if cfg.update == "async" else 1)
    return {
        "run": 1.0,
        "loops": views * len(cfg.learners) * sweeps_run,
        "recall": recall * classic,
        "modern": ("modern hopfield" in cfg.learners) * cues * n * max(sweep + [p]) * 10 / 1e9,
        "storage": classic * cfg.seeds * (sum(s * n * n for s in sweep) + p * n * n) / 1e9,
        "train": train,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
