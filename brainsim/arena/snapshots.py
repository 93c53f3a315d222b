"""Training snapshots for the timeline on the 2-D tasks: each learner's predicted class over the plane at up
to timeline.MAX_FRAMES epochs, first seed only. Read-outs only (no_grad, no random draws), so taking them
changes no other table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from brainsim.arena.data import Prepared
from brainsim.timeline import snapshot_steps

SNAPSHOT_GRID = 21  # grid points per axis (the final decision-region chart has tables.GRID)
SNAPSHOT_COLUMNS = ["learner", "seed", "epoch", "x1", "x2", "class", "confidence"]


def plane(prep: Prepared, n: int) -> np.ndarray:
    """(n², 2) raw coordinates covering the data with a 10% margin, x1 varying fastest."""
    pts = np.concatenate([prep.raw_train, prep.raw_test])
    lo, hi = pts.min(0), pts.max(0)
    pad = 0.1 * (hi - lo)
    a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n, dtype=np.float32)
    b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n, dtype=np.float32)
    g1, g2 = np.meshgrid(a, b)
    return np.stack([g1.ravel(), g2.ravel()], 1)


class Recorder:
    """Snapshot rows of the first seed's learners on a 2-D task (a no-op otherwise)."""

    def __init__(self, prep: Prepared, epochs: int, device):
        d = prep.data
        self.on = d.n_features == 2 and d.image_shape is None
        self.epochs = set(snapshot_steps(epochs))
        self.taken: list[tuple] = []  # (learner, seed, epoch, class (G²,), confidence (G²,)); the table is built once
        if self.on:
            self.grid = plane(prep, SNAPSHOT_GRID)
            self.x = torch.as_tensor((self.grid - prep.mean) / prep.scale, dtype=torch.float32).to(device)

    def take(self, learner, name: str, seed: int, epoch: int) -> None:
        if not self.on or epoch not in self.epochs:
            return
        with torch.no_grad():
            p = torch.softmax(learner.scores(self.x), 1).max(1)
        self.taken.append((name, seed, epoch, p.indices.cpu(), p.values.cpu()))

    def table(self) -> pd.DataFrame:
        if not self.taken:
            return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
        n, k = len(self.grid), len(self.taken)
        cols = {c: np.repeat([t[i] for t in self.taken], n) for i, c in enumerate(("learner", "seed", "epoch"))}
        cols.update(x1=np.tile(self.grid[:, 0], k), x2=np.tile(self.grid[:, 1], k))
        cols["class"] = torch.cat([t[3] for t in self.taken]).numpy()
        cols["confidence"] = torch.cat([t[4] for t in self.taken]).numpy()
        return pd.DataFrame(cols, columns=SNAPSHOT_COLUMNS)
