"""What a Hopfield run costs: work units of its recall sweeps and autoencoder training, and seconds per
unit (see brainsim.cost)."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.hopfield import sweeps
from brainsim.hopfield.dynamics import WINDOW
from brainsim.hopfield.storage import CLASSIC

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {
    "run": 0.0,
    "loops": 0.000206,
    "visits": 6.67e-08,
    "recall": 0.0222,
    "modern": 0.0161,
    "modern_steps": 0.0,
    "storage": 0.0,
    "train": 0.0193,
    "ae_steps": 0.00121,
}


def terms(cfg) -> dict[str, float]:
    """Work units: every load of the sweep and every fixed-P view (robustness levels, trajectories) stores
    patterns with each learner and runs every cue to a fixed point: sweeps.work_gflop's recall GFLOP per
    classic learner, which counts the capacity sweep's stability pass (the dynamics started on every stored
    pattern of every load) beside the cued recalls. Asynchronous recall also visits every neuron of every
    live cue in a random order each sweep (`visits`), in a loop of about N / WINDOW + 1 steps per sweep and
    recall call (`loops`: the capacity sweep's two calls per chunk of seeds, the fixed-P views' two). The
    modern network attends over P patterns, one step per network at a time; the autoencoders train for
    ae_epochs, one training loop per seed and bucket of similar P (storage.buckets: at most 3) and one at
    the fixed P."""
    plan = sweeps.plan(cfg)
    recall, train = sweeps.work_gflop(cfg, plan)
    n, p, sweep = plan.n, plan.p, plan.sweep
    classic = sum(name in CLASSIC for name in cfg.learners)
    cues = cfg.seeds * (2 * sum(sweep) + 12 * p)  # as sweeps.work_gflop counts them
    chunk = max(1, min(cfg.seeds, sweeps.CHUNK_BYTES // (len(sweep) * n * n * 4)))
    calls = 2 * -(-cfg.seeds // chunk) + 2  # recall calls per learner
    est_sweeps = min(cfg.max_sweeps, 10)
    is_async = cfg.update == "async"
    ae = "autoencoder" in cfg.learners
    modern = "modern hopfield" in cfg.learners
    return {
        "run": 1.0,
        "loops": len(cfg.learners) * calls * est_sweeps * (n / WINDOW + 1 if is_async else 1),
        "visits": is_async * classic * cues * n * est_sweeps,
        "recall": recall * classic,
        "modern": modern * cues * n * max(sweep + [p]) * 10 / 1e9,
        "modern_steps": modern * 2 * cfg.seeds * (len(sweep) + 1) * est_sweeps,  # one step per network and call
        "storage": classic * cfg.seeds * (sum(s * n * n for s in sweep) + p * n * n) / 1e9,
        "train": train,
        "ae_steps": ae * cfg.seeds * (min(len(sweep), 3) + 1) * cfg.ae_epochs,  # per seed: <= 3 buckets, fixed P
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
