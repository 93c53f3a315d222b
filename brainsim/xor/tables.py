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
    from brainsim.xor.training import Trained

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
BOUNDARY_COLUMNS = ["learner", "seed", "kind", "unit", "epoch", "x1", "x2", "p_class1", "label"]
TIMING_COLUMNS = ["learner", "seeds", "epochs", "wall_s", "wall_s_per_epoch"]
GRID = 41  # decision-boundary grid resolution per axis
SQUARE = (-0.5, 1.5)  # the input square the boundary chart shows, in unit-square coordinates
FLAT = 0.02  # a map whose output varies by less than this over the square draws no line (w ≈ 0)


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


def segment(w: np.ndarray, b: float) -> list[tuple[float, float]]:
    """The two points where the line w·x + b = 0 crosses the border of the SQUARE (none if it misses it)."""
    lo, hi = SQUARE
    pts = []
    for axis in (0, 1):
        if abs(w[1 - axis]) < 1e-12:
            continue
        for v in (lo, hi):  # x[axis] = v on this edge; solve for the other coordinate
            u = -(b + w[axis] * v) / w[1 - axis]
            if lo - 1e-9 <= u <= hi + 1e-9:
                pts.append((v, u) if axis == 0 else (u, v))
    pts = list(dict.fromkeys((round(x, 9), round(y, 9)) for x, y in pts))
    if len(pts) < 2:
        return []
    far = max(pts[1:], key=lambda q: (q[0] - pts[0][0]) ** 2 + (q[1] - pts[0][1]) ** 2)
    return [pts[0], far] if far != pts[0] else []


def raw_line(w: np.ndarray, b: float, threshold: float = 0.0) -> tuple[np.ndarray, float]:
    """A unit's line w·x' + b = threshold in the ±1 coding x' = 2x − 1, rewritten for unit-square x."""
    return 2 * w, float(b - w.sum() - threshold)


def line_rows(name: str, seed: int, kind: str, unit: int, epoch: int, w: np.ndarray, b: float) -> list[tuple]:
    """Two boundary rows: the end points of the line w·x + b = 0 inside the SQUARE (none if it misses)."""
    return [(name, seed, kind, unit, epoch, float(x), float(y), float("nan"), -1) for x, y in segment(w, b)]


def neuron_lines(trained: Trained, s: int, seed: int, flat: bool) -> list[tuple]:
    """A single neuron's line w·x + b = θ (θ = 0 for a sigmoid output, 0.5 for a linear one) at the end,
    unless its output is flat over the square; plus the best line it passed through (the earliest
    logged epoch of highest training accuracy) when that beat the end or the end has no line."""
    learner, log = trained.learner, trained.log
    theta = 0.0 if learner.output == "sigmoid" else 0.5
    w, b = learner.model.w[s, 0].cpu().numpy(), float(learner.model.b[s, 0, 0])
    rows, epochs = [], [r[2] for r in log.rows if r[1] == seed]
    if not flat:
        rows += line_rows(learner.name, seed, "line", 0, epochs[-1], *raw_line(w, b, theta))
    acc = {r[2]: r[6] for r in log.rows if r[1] == seed and not r[8]}
    best = min(acc, key=lambda e: (-acc[e], e)) if acc else None
    if best is not None and best in log.weights and (flat or acc[best] > acc[epochs[-1]]):
        bw, bb = log.weights[best]
        rows += line_rows(learner.name, seed, "best line", 0, best, *raw_line(bw[s, 0].numpy(), float(bb[s]), theta))
    return rows


def unit_lines(trained: Trained, s: int, seed: int, epoch: int) -> list[tuple]:
    """Each hidden unit's line w1_j·x + b1_j = 0 of the MLP: where the unit's input changes sign."""
    model = trained.learner.model
    w1, b1 = model.w1[s].detach().cpu().numpy(), model.b1[s, 0].detach().cpu().numpy()  # (d, H), (H,)
    name = trained.learner.name
    return [
        row
        for j in range(w1.shape[1])
        for row in line_rows(name, seed, "unit line", j, epoch, *raw_line(w1[:, j], b1[j]))
    ]


def boundary_rows(trained: Trained, data: XorData, seeds: list[int], shown: int) -> list[tuple]:
    """For the shown seed (index `shown` of `seeds`): P(class 1) on a GRID × GRID grid over the input
    square, its training points with the learner's P at each, and the lines the learner draws: rows
    with columns BOUNDARY_COLUMNS."""
    learner, seed = trained.learner, seeds[shown]
    epoch = trained.log.rows[-1][2] if trained.log.rows else 0
    g = np.linspace(*SQUARE, GRID, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    raw, y = data.x_train_raw[shown].cpu().numpy(), data.y_train_raw[shown].cpu().numpy()
    xs = torch.as_tensor(2 * np.concatenate([pts, raw]) - 1, device=data.x_train.device)  # (G² + N, 2)
    with torch.no_grad():  # this seed's weights alone, so its map does not depend on the other seeds
        p = readout(learner.model.seed_logits(xs, shown), learner.output)[:, 0].cpu().numpy()
    p = np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)
    pg, pp = p[: len(pts)], p[len(pts) :]
    rows = [(learner.name, seed, "grid", -1, epoch, float(a), float(b), float(c), -1) for (a, b), c in zip(pts, pg)]
    rows += [
        (learner.name, seed, "point", -1, epoch, float(a), float(b), float(c), int(t))
        for (a, b), c, t in zip(raw, pp, y)
    ]
    if hasattr(learner.model, "w1"):
        return rows + unit_lines(trained, shown, seed, epoch)
    return rows + neuron_lines(trained, shown, seed, flat=float(pg.max() - pg.min()) < FLAT)


def build(
    results: list[Trained], data: XorData, seeds: list[int], epochs: int, shown: int = 0
) -> dict[str, pd.DataFrame]:
    """The run's tables from its trained learners; the boundary and snapshot tables are of seeds[shown]."""
    curves = [row for r in results for row in r.log.rows]
    boundary = [row for r in results for row in boundary_rows(r, data, seeds, shown)]
    timing = [(r.learner.name, len(seeds), epochs, r.wall_s, r.wall_s / epochs) for r in results]
    from brainsim.xor import snapshots  # imports this module's SQUARE

    return {
        "curves": pd.DataFrame(curves, columns=CURVE_COLUMNS),
        "boundary": pd.DataFrame(boundary, columns=BOUNDARY_COLUMNS),
        **snapshots.tables([r.snapshots for r in results if r.snapshots is not None]),
        "summary": pd.DataFrame([summarise(r) for r in results]),
        "timing": pd.DataFrame(timing, columns=TIMING_COLUMNS),
    }
