"""What a receptive-field run costs: work units of its training loops, probes and tables, and seconds per
unit (see brainsim.cost)."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.features.backprop import PROBE_SIDE
from brainsim.features.data import TRAIN_FRACTION

DIGITS_TRAIN, DIGITS_PIXELS = 1347, 64  # the embedded digits' training split
FILE_PIXELS = 784  # a local file is costed as MNIST (28x28) before it is read
LOCAL, BACKPROP = ("oja", "sanger", "competitive"), ("backprop mlp", "cnn", "autoencoder")

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {
    "run": 0.0,
    "local_steps": 0.000163,
    "local_work": 0.0,
    "backprop_steps": 0.00124,
    "backprop_work": 8.56e-10,
    "probes": 0.0,
    "probe_work": 2.98e-06,
    "rows": 0.0,
}


def terms(cfg) -> dict[str, float]:
    """Work units: mini-batch updates of the local rules and of the backprop nets (each a fixed overhead plus
    multiply-adds over the samples), one linear probe per learner and seed (L-BFGS over samples x features),
    and the table rows written (receptive fields, feature maps, alignment per epoch)."""
    n = DIGITS_TRAIN if cfg.data == "digits" else int(cfg.max_samples * TRAIN_FRACTION)
    d = DIGITS_PIXELS if cfg.data == "digits" else FILE_PIXELS
    on = {name: float(name in cfg.learners) for name in (*LOCAL, *BACKPROP)}
    batches = -(-n // cfg.batch_size)
    units = {
        "oja": 1,
        "sanger": cfg.components,
        "competitive": cfg.hidden,
        "backprop mlp": cfg.hidden,
        "autoencoder": cfg.components,
    }
    conv = cfg.filters * cfg.kernel**2 * d  # multiply-adds of the CNN's convolution per image
    feats = {**units, "cnn": cfg.filters * PROBE_SIDE**2}
    s = cfg.seeds
    return {
        "run": 1.0,
        "local_steps": s * cfg.hebb_epochs * batches * sum(on[k] for k in LOCAL),
        "local_work": s * cfg.hebb_epochs * n * d * sum(on[k] * units[k] for k in LOCAL),
        "backprop_steps": s * cfg.epochs * batches * sum(on[k] for k in BACKPROP),
        "backprop_work": s
        * cfg.epochs
        * n
        * (on["backprop mlp"] * d * cfg.hidden + on["cnn"] * conv + on["autoencoder"] * 2 * d * cfg.components),
        "probes": s * len(cfg.learners) + 2,
        "probe_work": (s * sum(on[k] * feats[k] for k in on) + d + cfg.components) * n,
        "rows": s * d * (sum(on[k] * units[k] for k in units) + cfg.components)
        + s * (cfg.hebb_epochs * (1 + 2 * cfg.components) + cfg.epochs * cfg.components)
        + s * on["cnn"] * (cfg.filters * cfg.kernel**2 + (cfg.filters + 1) * d),
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
