"""Trained learners -> the run's tidy tables: curves, boundary, summary, timing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from brainsim.xor.data import XorData
from brainsim.xor.neurons import readout

if TYPE_CHECKING:
    from brainsim.xor.training import Learner, Trained

CURVE_COLUMNS = [
    "learner",
    "seed",
    "epoch",
    "samples_seen",
    "weight_updates",
    "train_loss",
    "train_accuracy",
    "test_accuracy",
    "diverged",
]
BOUNDARY_COLUMNS = ["learner", "seed", "kind", "x1", "x2", "p_class1", "label"]
TIMING_COLUMNS = ["learner", "seeds", "epochs", "wall_s", "wall_s_per_epoch"]
GRID = 41  # decision-boundary grid resolution per axis


@dataclass(frozen=True)
class Summary:
    """One learner's row of the summary table: final accuracies over seeds, speed and cost."""

    learner: str
    seeds: int
    final_train_accuracy_mean: float
    final_train_accuracy_min: float
    final_train_accuracy_max: float
    final_test_accuracy_mean: float
    solved_fraction: float  # seeds that reached 100% training accuracy
    epochs_to_solve_median: float  # over the solved seeds; NaN if none
    weight_updates: int
    n_parameters: int
    diverged_seeds: int
    diverged: bool


def summarise(trained: Trained) -> Summary:
    """The summary row of one trained learner, from its curve rows."""
    log = trained.log
    df = pd.DataFrame(log.rows, columns=CURVE_COLUMNS)
    last = df.groupby("seed").tail(1)
    solved = df[df["train_accuracy"] >= 1.0].groupby("seed")["epoch"].min()
    n_div = sum(d is not None for d in log.diverged_at)
    n_seeds = len(log.seeds)
    return Summary(
        learner=trained.learner.name,
        seeds=n_seeds,
        final_train_accuracy_mean=last["train_accuracy"].mean(),
        final_train_accuracy_min=last["train_accuracy"].min(),
        final_train_accuracy_max=last["train_accuracy"].max(),
        final_test_accuracy_mean=last["test_accuracy"].mean(),
        solved_fraction=len(solved) / n_seeds,
        epochs_to_solve_median=float(solved.median()) if len(solved) else float("nan"),
        weight_updates=trained.updates,
        n_parameters=trained.learner.model.n_parameters(),
        diverged_seeds=n_div,
        diverged=n_div > 0,
    )


def boundary_rows(learner: Learner, data: XorData, seed: int) -> list[tuple]:
    """P(class 1) on a GRID × GRID grid over the input square for the first seed (`seed`), plus
    that seed's training points: rows with columns BOUNDARY_COLUMNS."""
    g = np.linspace(-0.5, 1.5, GRID, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    xs = torch.as_tensor(2 * pts - 1, device=data.x_train.device)  # (G², 2)
    with torch.no_grad():  # the first seed's weights alone, so its map does not depend on the other seeds
        p = readout(learner.model.seed_logits(xs, 0), learner.output)[:, 0].cpu().numpy()
    p = np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)
    rows = [(learner.name, seed, "grid", float(a), float(b), float(c), -1) for (a, b), c in zip(pts, p)]
    raw, y = data.x_train_raw[0].cpu().numpy(), data.y_train_raw[0].cpu().numpy()
    rows += [(learner.name, seed, "point", float(a), float(b), float("nan"), int(c)) for (a, b), c in zip(raw, y)]
    return rows


def build(results: list[Trained], data: XorData, seeds: list[int], epochs: int) -> dict[str, pd.DataFrame]:
    """The run's four tables from its trained learners."""
    curves = [row for r in results for row in r.log.rows]
    boundary = [row for r in results for row in boundary_rows(r.learner, data, seeds[0])]
    timing = [(r.learner.name, len(seeds), epochs, r.wall_s, r.wall_s / epochs) for r in results]
    return {
        "curves": pd.DataFrame(curves, columns=CURVE_COLUMNS),
        "boundary": pd.DataFrame(boundary, columns=BOUNDARY_COLUMNS),
        "summary": pd.DataFrame([summarise(r) for r in results]),
        "timing": pd.DataFrame(timing, columns=TIMING_COLUMNS),
    }
