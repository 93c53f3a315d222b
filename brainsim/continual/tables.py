"""Continual-learning measures and the run's tidy tables.

With R[i, j] the test accuracy on task j after training task i (T tasks):

    average accuracy  ACC = (1/T) Σ_j R[T, j]
    backward transfer BWT = (1/(T−1)) Σ_{j<T} (R[T, j] − R[j, j])          (Lopez-Paz & Ranzato 2017)
    forgetting        F   = (1/(T−1)) Σ_{j<T} max_{l<T} R[l, j] − R[T, j]   (Chaudhry et al. 2018)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from brainsim.continual.train import Trained

MATRIX_COLUMNS = ["learner", "seed", "after_task", "task", "task_label", "accuracy"]
CURVE_COLUMNS = ["learner", "seed", "step", "training_task", "task", "accuracy"]
SUMMARY_COLUMNS = [
    "learner",
    "seed",
    "average_accuracy",
    "bwt",
    "forgetting",
    "samples_seen",
    "weight_updates",
    "diverged",
]


def average_accuracy(r: np.ndarray) -> float:
    return float(r[-1].mean())


def backward_transfer(r: np.ndarray) -> float:
    t = r.shape[0]
    return float(np.mean([r[-1, j] - r[j, j] for j in range(t - 1)])) if t > 1 else 0.0


def forgetting(r: np.ndarray) -> float:
    t = r.shape[0]
    return float(np.mean([r[: t - 1, j].max() - r[-1, j] for j in range(t - 1)])) if t > 1 else 0.0


def build(res: Trained, seeds: list[int], labels: list[list[str]], batch: int) -> dict[str, pd.DataFrame]:
    """accuracy_matrix, curves and summary tables (tasks numbered from 1). Samples seen count the replayed
    minibatches too (from the second task on, one per step)."""
    matrix, summary = [], []
    for li, name in enumerate(res.names):
        for i, seed in enumerate(seeds):
            r = res.matrix[li, i]
            t = r.shape[0]
            matrix += [(name, seed, a + 1, j + 1, labels[i][j], r[a, j]) for a in range(t) for j in range(t)]
            seen = res.steps * batch + (res.steps * (t - 1) // t * batch if name == "replay" else 0)
            summary.append(
                (
                    name,
                    seed,
                    average_accuracy(r),
                    backward_transfer(r),
                    forgetting(r),
                    seen,
                    res.steps,
                    bool(res.diverged[li, i]),
                )
            )
    curves = [(res.names[li], seeds[i], step, tt + 1, j + 1, acc) for li, i, step, tt, j, acc in res.curve]
    return {
        "accuracy_matrix": pd.DataFrame(matrix, columns=MATRIX_COLUMNS),
        "curves": pd.DataFrame(curves, columns=CURVE_COLUMNS).sort_values(
            ["learner", "seed"], kind="stable", key=lambda c: c.map(_order(res.names)) if c.name == "learner" else c
        ),
        "summary": pd.DataFrame(summary, columns=SUMMARY_COLUMNS),
    }


def _order(names: list[str]) -> dict[str, int]:
    return {n: i for i, n in enumerate(names)}


def timing_table(res: Trained, n_seeds: int) -> pd.DataFrame:
    """The run's optimizer steps (each moves every learner on every seed at once), seconds spent training,
    evaluating and consolidating, and milliseconds per step."""
    row = (
        len(res.names),
        n_seeds,
        res.steps,
        res.train_s,
        res.eval_s,
        res.consolidate_s,
        1e3 * res.train_s / max(1, res.steps),
    )
    return pd.DataFrame(
        [row], columns=["learners", "seeds", "steps", "train_s", "eval_s", "consolidate_s", "ms_per_step"]
    )
