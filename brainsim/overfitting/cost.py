"""What an overfitting run costs: work units of its training loops, and seconds per unit (see brainsim.cost)."""

from __future__ import annotations

import math

from brainsim.cost import linear

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {
    "run": 0.0491,
    "steps": 0.000875,
    "member_steps": 0.000368,
    "epochs": 0.0,
    "mlp_mac": 1.29e-10,
    "cnn_images": 7.72e-06,
}


def jobs(cfg) -> list[tuple[str, int, int, int]]:
    """(architecture, networks, hidden width, training images) of every training call the run makes."""
    out = []
    for arch in ("mlp", "cnn"):
        k = sum(name.startswith(arch) for name in cfg.learners)
        if k:
            out.append((arch, k * cfg.seeds, cfg.hidden_width, cfg.n_train))
    if cfg.sweep == "width":
        out += [("mlp", cfg.seeds, w, cfg.n_train) for w in cfg.sweep_widths]
    elif cfg.sweep == "training set size":
        out += [(a, cfg.seeds, cfg.hidden_width, n) for n in cfg.sweep_sizes for a in ("mlp", "cnn")]
    return out


def _images(cfg, n: int) -> int:
    """Images one network processes per epoch: its training batches forward and backward (about 3 forward
    passes each) and the evaluation of training, validation and test sets."""
    return 3 * n + n + cfg.n_val + cfg.n_test


def member_epoch_images(cfg) -> float:
    return sum(m * cfg.epochs * _images(cfg, n) for _, m, _, n in jobs(cfg))


def terms(cfg) -> dict[str, float]:
    """Work units: optimizer steps (per call and per network: each step's fixed overhead and per-network
    dropout and bookkeeping), epochs (one evaluation each), the MLP's multiply-adds and the CNN's images."""
    t = dict.fromkeys(COEF, 0.0)
    t["run"] = 1.0
    for arch, m, width, n in jobs(cfg):
        batch = n if cfg.optimizer == "gd" else min(cfg.batch_size, n)
        steps = cfg.epochs * math.ceil(n / batch)
        t["steps"] += steps
        t["member_steps"] += steps * m
        t["epochs"] += cfg.epochs
        if arch == "mlp":
            t["mlp_mac"] += m * cfg.epochs * _images(cfg, n) * (64 + 10) * width
        else:
            t["cnn_images"] += m * cfg.epochs * _images(cfg, n)
    return t


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
