"""Training snapshots for the timeline on the 2-D tasks: each learner's predicted class over the plane and its
weights (the network diagram) at up to timeline.MAX_FRAMES epochs, first seed only. Read-outs and copies only
(no_grad, no random draws), so taking them changes no other table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from brainsim.arena.data import Prepared
from brainsim.timeline import snapshot_steps

SNAPSHOT_GRID = 21  # grid points per axis (the final decision-region chart has tables.GRID)
SNAPSHOT_COLUMNS = ["learner", "seed", "epoch", "x1", "x2", "class", "confidence"]
WEIGHT_COLUMNS = ["learner", "seed", "epoch", "layer", "source", "target", "weight"]
MAX_HIDDEN_DRAWN = 8  # hidden units drawn per layer: those the next layer weights most at the end of the run


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
        self.nets: list[tuple] = []  # (learner, seed, epoch, [(W (out, in), b (out,) or None) per layer])
        if self.on:
            self.grid = plane(prep, SNAPSHOT_GRID)
            self.x = torch.as_tensor((self.grid - prep.mean) / prep.scale, dtype=torch.float32).to(device)

    def take(self, learner, name: str, seed: int, epoch: int) -> None:
        if not self.on or epoch not in self.epochs:
            return
        with torch.no_grad():
            p = torch.softmax(learner.scores(self.x), 1).max(1)
        self.taken.append((name, seed, epoch, p.indices.cpu(), p.values.cpu()))
        self.nets.append((name, seed, epoch, weight_layers(learner)))

    def table(self) -> pd.DataFrame:
        if not self.taken:
            return pd.DataFrame(columns=SNAPSHOT_COLUMNS)
        n, k = len(self.grid), len(self.taken)
        cols = {c: np.repeat([t[i] for t in self.taken], n) for i, c in enumerate(("learner", "seed", "epoch"))}
        cols.update(x1=np.tile(self.grid[:, 0], k), x2=np.tile(self.grid[:, 1], k))
        cols["class"] = torch.cat([t[3] for t in self.taken]).numpy()
        cols["confidence"] = torch.cat([t[4] for t in self.taken]).numpy()
        return pd.DataFrame(cols, columns=SNAPSHOT_COLUMNS)

    def weights_table(self) -> pd.DataFrame:
        """The `snapshot_weights` table: one row per drawn connection and bias of each learner at each snapshot
        (brainsim.network_diagram's layout), at most MAX_HIDDEN_DRAWN hidden units per layer."""
        by_learner: dict[str, list[tuple]] = {}
        for name, seed, epoch, layers in self.nets:
            by_learner.setdefault(name, []).append((seed, epoch, layers))
        rows = []
        for name, snaps in by_learner.items():
            kept = drawn_units(snaps)
            rows += [(name, seed, epoch, *r) for seed, epoch, layers in snaps for r in connection_rows(layers, kept)]
        return pd.DataFrame(rows, columns=WEIGHT_COLUMNS)


def weight_layers(learner) -> list[tuple[np.ndarray, np.ndarray | None]]:
    """A learner's layers as copies (W (out, in), b (out,) or None), input side first: the backprop MLP's linear
    layers, a one-hidden-layer local learner's W1 and W2 (the Hebbian layer has no bias), or the delta rule's W.
    Learners without these (the CNN, on image tasks only) give []."""
    if hasattr(learner, "linears"):  # BackpropMLP
        pairs = [(lin.weight, lin.bias) for lin in learner.linears]
    elif hasattr(learner, "W1"):
        pairs = [(learner.W1, getattr(learner, "b1", None)), (learner.W2, learner.b2)]
    elif hasattr(learner, "W"):
        pairs = [(learner.W, learner.b)]
    else:
        return []
    return [(w.detach().cpu().numpy().copy(), None if b is None else b.detach().cpu().numpy().copy()) for w, b in pairs]


def drawn_units(snaps: list[tuple]) -> list[list[int]]:
    """Per layer boundary (inputs, each hidden layer, outputs): the unit indices drawn. Hidden layers keep the
    MAX_HIDDEN_DRAWN units with the largest outgoing weights ‖W_(l+1)[:, j]‖ at the last finite snapshot (the
    units the next layer listens to most), in index order, so a frame shows the same units at every epoch."""
    layers = next((ls for _, _, ls in reversed(snaps) if all(np.isfinite(w).all() for w, _ in ls)), snaps[0][2])
    if not layers:
        return []
    kept = [list(range(layers[0][0].shape[1]))]
    for w_next, _ in layers[1:]:
        strength = np.nan_to_num(np.linalg.norm(w_next, axis=0))  # (H,)
        top = np.argsort(-strength, kind="stable")[:MAX_HIDDEN_DRAWN]
        kept.append(sorted(top.tolist()))
    return kept + [list(range(layers[-1][0].shape[0]))]


def unit_name(boundary: int, index: int, boundaries: int) -> str:
    """x1, x2 (inputs), h5 (the hidden layer; h2.5 when there are several), y0, y1 (outputs, by class)."""
    if boundary == 0:
        return f"x{index + 1}"
    if boundary == boundaries - 1:
        return f"y{index}"
    return f"h{index + 1}" if boundaries == 3 else f"h{boundary}.{index + 1}"


def connection_rows(layers: list[tuple], kept: list[list[int]]) -> list[tuple]:
    """(layer, source, target, weight) of the kept units: connections target by target, then the biases."""
    rows, n = [], len(kept)
    for li, (w, b) in enumerate(layers):
        src, dst = kept[li], kept[li + 1]
        for j in dst:
            rows += [(li + 1, unit_name(li, i, n), unit_name(li + 1, j, n), float(w[j, i])) for i in src]
        if b is not None:
            rows += [(li + 1, "bias", unit_name(li + 1, j, n), float(b[j])) for j in dst]
    return rows
