"""Turning trained networks and fast-weight measurements into the page's tidy tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from brainsim.working_memory.recurrent import KINDS

if TYPE_CHECKING:
    from brainsim.working_memory.experiment import WorkingMemoryConfig
    from brainsim.working_memory.retrieval import FastWeightResults
    from brainsim.working_memory.run import LearnerRun

LEARNERS = (*KINDS, "fast weights")  # every learner, in the tables' order
ACCURACY_COLUMNS = ["learner", "seed", "pairs", "delay", "accuracy", "chance", "diverged"]
CURVE_COLUMNS = ["learner", "seed", "pairs", "delay", "step", "samples", "loss", "accuracy", "diverged"]
HIDDEN_COLUMNS = ["learner", "seed", "delay", "t", "token", "unit", "activation"]
SUMMARY_COLUMNS = [
    "learner",
    "delay",
    "accuracy_mean",
    "accuracy_sd",
    "seeds",
    "chance",
    "train_samples",
    "weight_updates",
    "parameters",
    "diverged",
]
TIMING_COLUMNS = ["learner", "groups", "steps", "wall_s", "train_s", "network_steps_per_s"]


def accuracy_rows(r: LearnerRun, chance: float) -> list[dict]:
    """Final held-out accuracy of the network(s) of one trained module."""
    return [
        dict(
            learner=r.kind,
            seed=s,
            pairs=p,
            delay=d,
            accuracy=float(r.accuracy[g]),
            chance=chance,
            diverged=bool(r.result.diverged[g]),
        )
        for g, (s, p, d) in enumerate(r.groups)
    ]


def curve_rows(r: LearnerRun) -> list[dict]:
    """Held-out loss and accuracy during training, one row per network and evaluation."""
    rows = []
    for row in r.result.curve:
        s, p, d = r.groups[row["group"]]
        rows.append(
            dict(
                learner=r.kind,
                seed=s,
                pairs=p,
                delay=d,
                step=row["step"],
                samples=row["samples"],
                loss=row["loss"],
                accuracy=row["accuracy"],
                diverged=row["diverged"],
            )
        )
    return rows


def hidden_state_table(r: LearnerRun, g: int, tokens: list[str]) -> pd.DataFrame:
    """Every hidden unit's activation over group g's first test sequence (long form)."""
    s, _, d = r.groups[g]
    h = r.states[:, g].numpy()  # (T, H)
    t_idx, u_idx = np.meshgrid(np.arange(h.shape[0]), np.arange(h.shape[1]), indexing="ij")
    return pd.DataFrame(
        dict(
            learner=r.kind,
            seed=s,
            delay=d,
            t=t_idx.ravel(),
            token=np.asarray(tokens)[t_idx.ravel()],
            unit=u_idx.ravel(),
            activation=h.ravel().round(6),
        )
    )


def timing_rows(runs: list[LearnerRun]) -> list[dict]:
    """Wall time per learner kind, summed over its networks (one per seed and condition)."""
    rows = []
    for kind in dict.fromkeys(r.kind for r in runs):
        mine = [r for r in runs if r.kind == kind]
        train_s = sum(r.result.wall_s for r in mine)
        network_steps = sum(r.result.steps_done * len(r.groups) for r in mine)
        rows.append(
            dict(
                learner=kind,
                groups=sum(len(r.groups) for r in mine),
                steps=max(r.result.steps_done for r in mine),
                wall_s=sum(r.wall_s for r in mine),
                train_s=train_s,
                network_steps_per_s=network_steps / max(train_s, 1e-9),
            )
        )
    return rows


def fast_weight_timing_row(seeds: int, wall_s: float) -> dict:
    return dict(learner="fast weights", groups=seeds, steps=0, wall_s=wall_s, train_s=0.0, network_steps_per_s=np.nan)


def accuracy_tables(cfg: WorkingMemoryConfig, rows: list[dict], fw: FastWeightResults) -> dict[str, pd.DataFrame]:
    """accuracy_vs_delay (at `pairs`) and accuracy_vs_pairs (at the shortest delay): trained nets when they
    ran the pair sweep, fast weights always when selected (on associative retrieval only against delay)."""
    retrieval = cfg.task == "associative retrieval"
    fast = "fast weights" in cfg.learners
    acc = pd.DataFrame(rows + (fw.by_delay if fast and retrieval else []), columns=ACCURACY_COLUMNS)
    by_pairs = acc[acc["delay"] == min(cfg.delays)] if retrieval else acc.iloc[:0]
    if fast:
        by_pairs = pd.concat([by_pairs, pd.DataFrame(fw.by_pairs, columns=ACCURACY_COLUMNS)], ignore_index=True)
    at_pairs = acc[acc["pairs"] == (cfg.pairs if retrieval else 1)].drop(columns="pairs")
    return {
        "accuracy_vs_delay": order(at_pairs, ["delay", "seed"]),
        "accuracy_vs_pairs": order(by_pairs.drop_duplicates(["learner", "seed", "pairs"]), ["pairs", "seed"]),
    }


def order(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Learners in canonical order, then `keys`; a fresh index."""
    rank = {name: i for i, name in enumerate(LEARNERS)}
    df = df.assign(_r=df["learner"].map(rank)).sort_values(["_r", *keys], kind="stable")
    return df.drop(columns="_r").reset_index(drop=True)


def summary(cfg: WorkingMemoryConfig, acc: pd.DataFrame, params: dict[str, int]) -> pd.DataFrame:
    """Per learner and delay: accuracy over seeds, chance, and the budget (samples, updates, parameters)."""
    rows = []
    for (learner, delay), part in acc.groupby(["learner", "delay"], sort=False):
        fast = learner == "fast weights"
        rows.append(
            dict(
                learner=learner,
                delay=delay,
                accuracy_mean=round(float(part["accuracy"].mean()), 4),
                accuracy_sd=round(float(part["accuracy"].std(ddof=0)), 4),
                seeds=len(part),
                chance=round(float(part["chance"].iloc[0]), 4),
                train_samples=0 if fast else cfg.steps * cfg.batch,
                weight_updates=0 if fast else cfg.steps,
                parameters=params.get(learner, 0),
                diverged=bool(part["diverged"].any()),
            )
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
