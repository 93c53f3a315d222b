"""What an arena run costs: work units of its training loops, and seconds per unit (see brainsim.cost)."""

from __future__ import annotations

import math

from brainsim.cost import linear

DIGITS = (1797, 64, 10, (8, 8))  # rows, features, classes, image shape of the embedded digits
LOCAL_FEATURES = 784  # a local image file is assumed MNIST-sized (28 x 28) until it is loaded
CNN_CHANNELS = (8, 16)

# seconds of one core per unit, fitted by brainsim.cost.calibrate (see terms)
COEF = {"run": 0.0451, "epochs": 0.00077, "steps": 0.000214, "cnn_steps": 0.00239, "flops": 8.98e-11}


def shape(cfg) -> tuple[int, int, int, tuple[int, int] | None]:
    """(rows, features, classes, image shape) of the task, without loading it."""
    if cfg.task == "digits":
        return DIGITS
    if cfg.task == "local file":
        side = int(math.isqrt(LOCAL_FEATURES))
        return cfg.max_samples, LOCAL_FEATURES, 10, (side, side)
    if cfg.task == "csv text":
        lines = [r for r in cfg.csv_text.splitlines() if r.strip()]
        cols = max(2, lines[0].count(",") + 1) if lines else 2
        return max(1, len(lines) - 1), cols - 1, 10, None
    return cfg.n_samples, 2, 3, None


def flops_per_sample(name: str, cfg, d: int, c: int, image: tuple[int, int] | None) -> float:
    """Multiply-adds of one forward pass of learner `name` (a backward pass costs about twice that)."""
    h = cfg.hidden_width
    if name == "delta rule":
        return d * c
    if name == "backprop mlp":
        return d * h + (cfg.hidden_layers - 1) * h * h + h * c
    if name == "cnn" and image is not None:
        y, x = image
        c1, c2 = CNN_CHANNELS
        return y * x * c1 * 9 + (y // 2) * (x // 2) * c1 * c2 * 9 + c2 * (y // 4) * (x // 4) * h + h * c
    return d * h + h * c


def terms(cfg) -> dict[str, float]:
    """Work units: per seed and learner, every epoch takes ceil(n_train / batch) steps (fixed cost each) and
    touches every training sample forward and backward, then evaluates train and test sets."""
    rows, d, c, image = shape(cfg)
    n_train = max(1, int(rows * cfg.train_fraction)) if cfg.task != "local file" else rows
    batch = n_train if cfg.optimizer == "gd" else min(cfg.batch_size, n_train)
    runs = cfg.seeds * (cfg.epochs + cfg.extra_epochs)
    steps = runs * math.ceil(n_train / batch)
    flops = sum(flops_per_sample(name, cfg, d, c, image) for name in cfg.learners) * runs * (3 * n_train + rows)
    return {
        "run": 1.0,
        "epochs": runs * len(cfg.learners),
        "steps": steps * sum(name != "cnn" for name in cfg.learners),
        "cnn_steps": steps * ("cnn" in cfg.learners),
        "flops": flops,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
