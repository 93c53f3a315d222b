"""Results of the associative-memory run as tidy tables: column names, row builders and the summary."""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields

import numpy as np
import pandas as pd
import torch

from brainsim.hopfield.recall import OUTCOMES
from brainsim.hopfield.storage import THEORY
from brainsim.timeline import snapshot_steps

CAPACITY_COLUMNS = [
    "learner",
    "seed",
    "load",
    "n_patterns",
    "recall",
    "mean_overlap",
    "stable",  # fraction of stored patterns kept (overlap ≥ 0.98) when the dynamics start on them
    *(f"n_{o.replace(' ', '_')}" for o in OUTCOMES),
    "n_unsettled",
    "diverged",
]
ROBUSTNESS_COLUMNS = ["learner", "seed", "cue_fraction", "recall", "mean_overlap", "diverged"]
TRAJECTORY_COLUMNS = ["learner", "seed", "cue", "sweep", "overlap", "energy_per_neuron"]
IMAGE_COLUMNS = ["panel", "pattern", "row", "col", "pixel"]
WEIGHT_COLUMNS = ["learner", "seed", "i", "j", "w"]
FRAME_COLUMNS = ["learner", "seed", "cue", "sweep", "overlap", "row", "col", "pixel"]


@dataclass
class Cost:
    """One row of the timing table: what one learner's storage and recall cost in one phase."""

    learner: str
    phase: str
    first_seed: int
    networks: int
    patterns_stored: int
    store_s: float
    field_rows: int  # cue rows whose full field W s was computed (2 N² operations each)
    wall_s: float
    field_columns: int  # weight columns added by incremental field updates (2 N operations each)


def timing_table(costs: list[Cost]) -> pd.DataFrame:
    return pd.DataFrame([astuple(c) for c in costs], columns=[f.name for f in fields(Cost)])


def pixel_rows(panel: str, states: torch.Tensor, h: int, w: int) -> list[tuple]:
    """One row per pixel of each state drawn as an h×w image."""
    arr = states.reshape(-1, h, w).cpu().numpy().astype(int)
    return [
        (panel, int(q), int(r), int(c), int(arr[q, r, c]))
        for q in range(arr.shape[0])
        for r in range(h)
        for c in range(w)
    ]


def frame_rows(learner: str, seed: int, history: torch.Tensor, times, target: torch.Tensor, h: int, w: int) -> list:
    """The recall timeline of one cue: its state as an h×w image at up to timeline.MAX_FRAMES recorded
    frames, from the cue (frame 0) to the last frame at which the state changed. history (T, N)."""
    changed = (history[1:] != history[:-1]).any(1)
    last = int(changed.nonzero().max()) + 1 if bool(changed.any()) else 0
    rows = []
    for t in snapshot_steps(last):
        m = round(float((history[t] * target).sum() / target.numel()), 6)
        img = history[t].reshape(h, w).cpu().numpy().round(4)  # ±1, or the modern network's continuous state
        rows += [(learner, seed, 0, float(times[t]), m, r, c, float(img[r, c])) for r in range(h) for c in range(w)]
    return rows


def weight_rows(learner: str, seed: int, w: torch.Tensor | None, max_n: int) -> list[tuple]:
    """One row per weight of the top-left block of at most max_n neurons (none without a weight matrix)."""
    if w is None:
        return []
    q = min(w.shape[0], max_n)
    wq = w[:q, :q].cpu().numpy()
    ii, jj = np.meshgrid(np.arange(q), np.arange(q), indexing="ij")
    return [(learner, seed, int(a), int(b), float(v)) for a, b, v in zip(ii.ravel(), jj.ravel(), wq.ravel())]


def critical_load(loads: np.ndarray, recall: np.ndarray, level: float = 0.5) -> tuple[float, str]:
    """Load where mean recall first falls through `level`, linearly interpolated, and how it was found."""
    if recall[0] < level:
        return float(loads[0]), "below swept range"
    for i in range(1, len(loads)):
        if recall[i] < level:
            a0, a1, r0, r1 = loads[i - 1], loads[i], recall[i - 1], recall[i]
            return float(a0 + (r0 - level) * (a1 - a0) / (r0 - r1)), "interpolated"
    return float(loads[-1]), "above swept range"


def summary_table(
    learners: list[str], n: int, p: int, capacity: pd.DataFrame, recalled: dict, n_weights: dict, diverged: dict
) -> pd.DataFrame:
    """Per learner: the load where noisy-cue recall (capacity) and pattern stability fall through one half,
    the theory for the measure it predicts (THEORY) and the error against it (NaN when the measured load
    is censored at the end of the swept range), and recall at the chosen P."""
    rows = []
    for learner in learners:
        part = capacity[capacity["learner"] == learner]
        found = {}
        for measure in ("recall", "stable"):
            curve = part.groupby("load", sort=True)[measure].mean()
            found[measure] = critical_load(curve.index.to_numpy(), curve.to_numpy())
        alpha, how = found["recall"]
        theory, measure = THEORY.get(learner, (float("nan"), ""))
        measured, measured_how = found.get(measure, (float("nan"), ""))
        rows.append(
            {
                "learner": learner,
                "n_neurons": n,
                "capacity_load": alpha,
                "capacity_patterns": alpha * n,
                "estimate": how,
                "stable_load": found["stable"][0],
                "stable_estimate": found["stable"][1],
                "theory_load": theory,
                "theory_measure": measure,
                "error_vs_theory": measured - theory if measured_how == "interpolated" else float("nan"),
                "recall_at_p": recalled[learner],
                "n_patterns_p": p,
                "n_weights": n_weights[learner],
                "diverged": bool(part["diverged"].any() or diverged[learner]),
            }
        )
    return pd.DataFrame(rows)
