"""The timeline of the overfitting page: what each network predicts for a few watched images of the first
seed, at up to timeline.MAX_FRAMES epochs. The watched images are the seed's first WATCHED training images
whose label is wrong (label noise) and its first WATCHED test images; the predictions are copies of the
argmax the run's per-epoch measurement takes anyway (training.evaluate), so no other table changes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brainsim.overfitting.data import Split
from brainsim.overfitting.training import Result

WATCHED = 10  # images of each set (mislabelled training images, test images)
COLUMNS = ["learner", "seed", "epoch", "set", "image", "label", "true_label", "predicted"]
SETS = ("train", "test")  # train: mislabelled training images (label ≠ true_label); test: clean test images


def watched(split: Split) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the first seed's watched images in its training set and in its test set."""
    y, clean = split.y_train[0].cpu().numpy(), split.clean_train[0].cpu().numpy()
    return np.flatnonzero(y != clean)[:WATCHED], np.arange(min(WATCHED, split.y_test.shape[1]))


def predictions(result: Result, split: Split, steps: list[int]) -> pd.DataFrame:
    """One row per first-seed network, snapshot epoch and watched image: its given and true label and the
    class the network predicts."""
    train_at, test_at = watched(split)
    n_train, n_val = split.n_train, split.y_val.shape[1]
    columns = np.concatenate([train_at, n_train + n_val + test_at])  # positions among all evaluated images
    y_test = split.y_test[0].cpu().numpy()
    sets = np.array([SETS[0]] * len(train_at) + [SETS[1]] * len(test_at), dtype=object)
    label = np.concatenate([split.y_train[0].cpu().numpy()[train_at], y_test[test_at]])
    true = np.concatenate([split.clean_train[0].cpu().numpy()[train_at], y_test[test_at]])
    k, f = len(columns), len(steps)
    parts = []
    for j, m in enumerate(result.members):
        if m.seed_index != 0:
            continue
        pred = result.predictions[steps][:, j][:, columns].numpy().astype(np.int64)  # (F, K)
        row = dict(learner=m.variant.name, seed=m.seed, epoch=np.repeat(steps, k), set=np.tile(sets, f))
        row |= dict(image=np.tile(np.concatenate([train_at, test_at]), f), label=np.tile(label, f))
        parts.append(pd.DataFrame(row | dict(true_label=np.tile(true, f), predicted=pred.reshape(-1)), columns=COLUMNS))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
