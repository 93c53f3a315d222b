"""What an xor run costs: work units of its training loops, and seconds per unit (see brainsim.cost)."""

from __future__ import annotations

import math

from brainsim.cost import linear

MLP = "backprop mlp"

# seconds of one core per unit, fitted by brainsim.cost.calibrate (see terms)
COEF = {
    "run": 0.419,
    "epochs": 5.1e-05,
    "seed_epochs": 9.06e-06,
    "neuron_work": 8.95e-08,
    "mlp_steps": 0.000645,
    "mlp_work": 1.03e-08,
}


def terms(cfg) -> dict[str, float]:
    """Work units: every learner runs every epoch on all seeds at once (S); the neurons take one full-batch
    step per epoch, the MLP ceil(n / batch) steps of S x batch x hidden; curves are logged at <= 150 epochs."""
    n = cfg.n_points if cfg.noise > 0 else 4  # training points per seed
    s, e = cfg.seeds, cfg.epochs
    mlp = MLP in cfg.learners
    neurons = len(cfg.learners) - mlp
    batch = n if cfg.optimizer == "gd" else min(cfg.batch_size, n)
    logged = min(e + 1, 150)
    return {
        "run": 1.0,
        "epochs": len(cfg.learners) * e,
        "seed_epochs": len(cfg.learners) * e * s,
        "neuron_work": neurons * (e + logged) * s * n,
        "mlp_steps": mlp * e * math.ceil(n / batch),
        "mlp_work": mlp * (e + logged) * s * n * cfg.hidden,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
