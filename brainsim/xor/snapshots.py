"""Training snapshots of the shown seed for the timeline: each learner's P(class 1) over the input square
and its weights, at up to timeline.MAX_FRAMES epochs. Read-outs only (no_grad, no random draws), so
taking them changes no other table."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from brainsim.timeline import snapshot_steps
from brainsim.xor.neurons import readout
from brainsim.xor.tables import SQUARE

SNAPSHOT_GRID = 17  # grid points per axis of a snapshot's map (the final boundary chart has tables.GRID)
SNAPSHOT_COLUMNS = ["learner", "seed", "epoch", "x1", "x2", "p_class1"]
WEIGHT_COLUMNS = ["learner", "seed", "epoch", "layer", "source", "target", "weight"]


def snapshot_epochs(epochs: int) -> set[int]:
    return set(snapshot_steps(epochs))


@dataclass
class Snapshots:
    """Rows of the `snapshots` and `snapshot_weights` tables of one learner, seed index `shown`."""

    name: str
    output: str
    shown: int
    seed: int
    epochs: set[int]
    maps: list[tuple] = field(default_factory=list)  # (epoch, P(class 1) on the grid (G²,)): rows built once
    weights: list[tuple] = field(default_factory=list)
    _xs: torch.Tensor | None = field(default=None, repr=False)

    def take(self, model, epoch: int) -> None:
        if epoch not in self.epochs:
            return
        if self._xs is None:
            device = next(iter(_tensors(model))).device
            self._xs = torch.as_tensor(2 * grid() - 1, device=device)  # the ±1 coding the learners see
        with torch.no_grad():
            p = readout(model.seed_logits(self._xs, self.shown), self.output)[:, 0].cpu().numpy()
        self.maps.append((epoch, np.clip(np.nan_to_num(p, nan=0.5), 0.0, 1.0)))
        self.weights += [(self.name, self.seed, epoch, *row) for row in weight_rows(model, self.shown)]

    def map_table(self) -> pd.DataFrame:
        pts, k = grid(), len(self.maps)
        cols = dict(
            learner=self.name,
            seed=self.seed,
            epoch=np.repeat([e for e, _ in self.maps], len(pts)).astype(int),
            x1=np.tile(pts[:, 0], k).astype(float),
            x2=np.tile(pts[:, 1], k).astype(float),
            p_class1=np.concatenate([p for _, p in self.maps]).astype(float) if k else np.zeros(0),
        )
        return pd.DataFrame(cols, columns=SNAPSHOT_COLUMNS)


@functools.cache
def grid() -> np.ndarray:
    """(G², 2) points of the input square in unit-square coordinates, x1 varying fastest."""
    g = np.linspace(*SQUARE, SNAPSHOT_GRID, dtype=np.float32)
    gx, gy = np.meshgrid(g, g)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def _tensors(model):
    return [t for t in (getattr(model, k, None) for k in ("w", "w1")) if t is not None]


def weight_rows(model, s: int) -> list[tuple]:
    """(layer, source, target, weight) of seed index s: a single neuron's w and b, or the MLP's two layers."""
    if hasattr(model, "w1"):
        w1, b1 = model.w1[s].detach().cpu().numpy(), model.b1[s, 0].detach().cpu().numpy()  # (d, H), (H,)
        w2, b2 = model.w2[s, :, 0].detach().cpu().numpy(), float(model.b2[s, 0, 0].detach())  # (H,), scalar
        d, h = w1.shape
        rows = [(1, f"x{i + 1}", f"h{j + 1}", float(w1[i, j])) for j in range(h) for i in range(d)]
        rows += [(1, "bias", f"h{j + 1}", float(b1[j])) for j in range(h)]
        rows += [(2, f"h{j + 1}", "out", float(w2[j])) for j in range(h)]
        return rows + [(2, "bias", "out", b2)]
    w, b = model.w[s, 0].detach().cpu().numpy(), float(model.b[s, 0, 0].detach())  # (d,), scalar
    return [(1, f"x{i + 1}", "out", float(w[i])) for i in range(len(w))] + [(1, "bias", "out", b)]


def tables(snaps: list[Snapshots]) -> dict[str, pd.DataFrame]:
    return {
        "snapshots": pd.concat([s.map_table() for s in snaps], ignore_index=True)
        if snaps
        else pd.DataFrame(columns=SNAPSHOT_COLUMNS),
        "snapshot_weights": pd.DataFrame([r for s in snaps for r in s.weights], columns=WEIGHT_COLUMNS),
    }
