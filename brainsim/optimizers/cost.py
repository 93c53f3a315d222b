"""What an optimizers run costs: work units of its loops, and seconds per unit (see brainsim.cost)."""

from __future__ import annotations

import math

from brainsim.cost import linear
from brainsim.optimizers import perturbation
from brainsim.optimizers.descent import ZEROTH

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {
    "run": 0.495,
    "path_steps": 0.000357,
    "probes": 4.87e-07,
    "perturb_steps": 0.000273,
    "perturb_elements": 6.33e-09,
    "mlp": 9.95e-11,
    "neuron_steps": 0.000485,
}


def terms(cfg) -> dict[str, float]:
    """Work units: every learner's steps on the surface (one batch of all seeds; zeroth-order probes per
    step), the perturbation race's updates (measured learning times: backprop ≈ 2.5 (N + 2) updates at
    criterion 0.05, node perturbation ≈ backprop's × (M + 2), weight perturbation ≈ 1.3 × backprop's × (MN + 2),
    each capped at max_updates) and the tensor elements each update
    touches, the deep MLPs' forward and backward passes, and the neuron's training steps."""
    learners = len(cfg.learners)
    zeroth = [n for n in cfg.learners if n in ZEROTH]
    probes = sum(2 * cfg.pairs if n == "evolution strategies" else 2 for n in zeroth) * cfg.steps * 16
    steps = elements = 0.0
    g = len(perturbation.LR_GRID) * perturbation.REPLICAS
    n = cfg.n_inputs
    backprop = 2.5 * (n + 2) * math.log(1 / cfg.criterion) / math.log(20)  # measured: ~15 updates at N = 4
    for m in perturbation.outputs_sweep(cfg.max_outputs):
        est = {"backprop": backprop, "node": backprop * (m + 2), "weight": 1.3 * backprop * (m * n + 2)}
        for method, t in est.items():
            t = min(t, cfg.max_updates)
            steps += t
            elements += t * g * m * n * (3 if method == "weight" else 1)
    return {
        "run": 1.0,
        "path_steps": learners * cfg.steps,
        "probes": probes,
        "perturb_steps": cfg.seeds * steps,
        "perturb_elements": cfg.seeds * elements,
        "mlp": cfg.seeds * 18 * cfg.depth * cfg.width * cfg.width * 128 * 3,
        "neuron_steps": cfg.seeds * 2 * cfg.loss_steps,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
