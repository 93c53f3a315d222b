"""Results of the overfitting run as tidy tables: learning curves, per-learner summary (with early stopping),
the width / training-set-size sweep and timing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brainsim.overfitting.training import METRICS, Result

EARLY = " + early stopping"  # suffix of the learners early stopping derives from a trained one
STOPPED_FROM = ("mlp", "cnn")  # early stopping is shown for the unregularised networks
SWEEP_COLUMNS = [
    "sweep",
    "learner",
    "seed",
    "hidden_width",
    "n_train",
    "n_parameters",
    "final_train_accuracy",
    "final_test_accuracy",
    "best_test_accuracy",
    "stop_test_accuracy",
    "final_test_loss",
    "diverged",
]


def stop_epochs(val_accuracy: np.ndarray) -> np.ndarray:
    """Early stopping (Morgan & Bourlard 1990; Prechelt 1998) with the whole run as its patience: the epoch
    of the highest validation accuracy, the earliest on ties; (epochs + 1, M) -> (M,). NaN counts as worst."""
    return np.nan_to_num(val_accuracy, nan=-np.inf).argmax(0)


def curves(result: Result) -> pd.DataFrame:
    """One row per learner, seed and epoch (0 = before training) with every metric and the gap."""
    h = result.history.numpy().astype(np.float64)  # (E + 1, M, K)
    epochs, members = h.shape[0], h.shape[1]
    diverged = np.maximum.accumulate(~np.isfinite(h[:, :, METRICS.index("train_loss")]), axis=0)
    parts = []
    for j, m in enumerate(result.members):
        row = {"learner": m.variant.name, "seed": m.seed, "epoch": np.arange(epochs)}
        row.update({k: h[:, j, i] for i, k in enumerate(METRICS)})
        row["generalisation_gap"] = h[:, j, METRICS.index("train_accuracy")] - h[:, j, METRICS.index("test_accuracy")]
        row["diverged"] = diverged[:, j]
        parts.append(pd.DataFrame(row))
    return pd.concat(parts, ignore_index=True) if members else pd.DataFrame()


def summary(result: Result) -> list[dict]:
    """Per member: final and best numbers, the epoch early stopping picks and its test accuracy; plus a row
    '<learner> + early stopping' for the unregularised networks (its final numbers are those at that epoch)."""
    h = result.history.numpy().astype(np.float64)
    col = {k: i for i, k in enumerate(METRICS)}
    stop = stop_epochs(h[:, :, col["val_accuracy"]])
    test = h[:, :, col["test_accuracy"]]
    best = np.nan_to_num(test, nan=-np.inf).argmax(0)
    rows = []
    for j, m in enumerate(result.members):
        diverged = bool((~np.isfinite(h[:, j, col["train_loss"]])).any())
        base = {
            "learner": m.variant.name,
            "seed": m.seed,
            "n_parameters": result.n_parameters,
            "final_train_accuracy": h[-1, j, col["train_accuracy"]],
            "final_test_accuracy": test[-1, j],
            "best_test_accuracy": test[best[j], j],
            "best_epoch": int(best[j]),
            "stop_epoch": int(stop[j]),
            "stop_test_accuracy": test[stop[j], j],
            "final_test_loss": h[-1, j, col["test_loss"]],
            "final_noisy_fit": h[-1, j, col["noisy_fit"]],
            "diverged": diverged,
        }
        rows.append(base)
        if m.variant.name in STOPPED_FROM:
            s = stop[j]
            rows.append(
                base
                | {
                    "learner": m.variant.name + EARLY,
                    "final_train_accuracy": h[s, j, col["train_accuracy"]],
                    "final_test_accuracy": test[s, j],
                    "final_test_loss": h[s, j, col["test_loss"]],
                    "final_noisy_fit": h[s, j, col["noisy_fit"]],
                }
            )
    return rows


def summary_table(rows: list[dict], order: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    rank = {name: i for i, name in enumerate(order)}
    df["_rank"] = df["learner"].map(lambda n: rank.get(n, len(rank)))
    return df.sort_values(["_rank", "seed"], kind="stable").drop(columns="_rank").reset_index(drop=True)


def sweep_rows(sweep: str, result: Result, width: int, n_train: int) -> list[dict]:
    out = []
    for r in summary(result):
        if r["learner"].endswith(EARLY):
            continue
        out.append(
            {
                "sweep": sweep,
                "learner": r["learner"],
                "seed": r["seed"],
                "hidden_width": width,
                "n_train": n_train,
                "n_parameters": r["n_parameters"],
                "final_train_accuracy": r["final_train_accuracy"],
                "final_test_accuracy": r["final_test_accuracy"],
                "best_test_accuracy": r["best_test_accuracy"],
                "stop_test_accuracy": r["stop_test_accuracy"],
                "final_test_loss": r["final_test_loss"],
                "diverged": r["diverged"],
            }
        )
    return out


def sweep_table(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=SWEEP_COLUMNS)
    return df.sort_values(["learner", "hidden_width", "n_train", "seed"], kind="stable").reset_index(drop=True)


def timing_row(phase: str, result: Result) -> dict:
    m = len(result.members)
    return {
        "phase": phase,
        "networks": m,
        "steps": result.steps,
        "training_images": result.images,
        "wall_s": result.wall_s,
        "images_per_s": result.images / max(result.wall_s, 1e-9),
        "n_parameters": result.n_parameters,
    }
