"""The run's tidy tables: one row per pixel of a receptive field or feature map, per unit and epoch of an
alignment curve, per learner and seed of the probe."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from brainsim.features import reference as ref
from brainsim.features import snapshots as snap

COLUMNS = {
    "fields": ["learner", "seed", "unit", "row", "col", "weight", "weight_scaled"],
    "feature_maps": ["seed", "image_index", "label", "panel", "row", "col", "value", "value_scaled"],
    "alignment": ["learner", "seed", "epoch", "unit", "abs_cos"],
    "subspace": ["learner", "seed", "epoch", "angle", "degrees"],
    "probe": ["learner", "seed", "n_features", "train_accuracy", "test_accuracy", "diverged"],
    "training": ["learner", "seed", "epoch", "loss"],
    "timing": ["learner", "seed", "updates", "samples_seen", "wall_s", "diverged"],
}


def _pixels(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row index, column index and value of every pixel of an (h, w) image, row by row."""
    h, w = image.shape
    rr, cc = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    return rr.ravel(), cc.ravel(), image.ravel()


def _scaled(image: np.ndarray) -> np.ndarray:
    """An image divided by its largest |value|, so every picture shares the colour scale −1 … 1."""
    top = float(np.abs(image).max())
    return image / top if top > 0 else image


@dataclass
class Rows:
    fields: list = field(default_factory=list)
    feature_maps: list = field(default_factory=list)
    alignment: list = field(default_factory=list)
    subspace: list = field(default_factory=list)
    probe: list = field(default_factory=list)
    training: list = field(default_factory=list)
    timing: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)  # DataFrames of snapshots.frames, one per learner

    def add_fields(self, learner: str, seed: int, images: np.ndarray) -> None:
        """Every unit's weights (units, h, w), raw and scaled by the unit's largest |w|."""
        for unit, image in enumerate(images.astype(np.float64), start=1):
            r, c, v = _pixels(image)
            s = _scaled(image).ravel()
            self.fields += [(learner, seed, unit, int(a), int(b), float(x), float(y)) for a, b, x, y in zip(r, c, v, s)]

    def add_history(self, learner: str, seed: int, history, pcs: np.ndarray, tracked, spanning) -> None:
        """Per epoch: |cos| of unit i with component i (tracked learners), and the principal angles between
        the units' span and the top-k principal subspace (spanning learners)."""
        for epoch, w in history:
            wn = w.detach().cpu().double().numpy().reshape(w.shape[0], -1)
            if not np.isfinite(wn).all():
                continue
            if learner in tracked:
                for unit, c in enumerate(ref.abs_cos(wn, pcs), start=1):
                    self.alignment.append((learner, seed, epoch, unit, float(c)))
            if learner in spanning:
                k = min(len(wn), len(pcs))
                for i, deg in enumerate(sorted(ref.angles_deg(wn[:k], pcs[:k])), start=1):
                    self.subspace.append((learner, seed, epoch, i, float(deg)))

    def add_losses(self, learner: str, seed: int, losses: list[float]) -> None:
        self.training += [(learner, seed, e, float(v)) for e, v in enumerate(losses, start=1)]

    def add_maps(self, seed: int, index: int, label: int, image: torch.Tensor, cnn) -> None:
        """The chosen test image and the CNN's relu feature map of every filter on it."""
        with torch.no_grad():
            maps = cnn.maps(image[None]).squeeze(0).cpu().double().numpy()  # (C, h, w)
        panels = [("input", image.reshape(cnn.shape).cpu().double().numpy())]
        panels += [(f"filter {i}", m) for i, m in enumerate(maps, start=1)]
        for panel, img in panels:
            r, c, v = _pixels(img)
            s = _scaled(img).ravel()
            self.feature_maps += [
                (seed, index, label, panel, int(a), int(b), float(x), float(y)) for a, b, x, y in zip(r, c, v, s)
            ]

    def curve(self, learner: str, seed: int) -> list[tuple]:
        """Rows of the live curve for one tracked learner and seed: (learner, epoch, mean |cos| over units)."""
        part = [r for r in self.alignment if r[0] == learner and r[1] == seed]
        epochs = sorted({r[2] for r in part})
        return [(learner, e, float(np.mean([r[4] for r in part if r[2] == e]))) for e in epochs]

    def tables(self) -> dict[str, pd.DataFrame]:
        out = {name: pd.DataFrame(getattr(self, name), columns=cols) for name, cols in COLUMNS.items()}
        empty = pd.DataFrame(columns=snap.COLUMNS)
        out["snapshots"] = pd.concat(self.snapshots, ignore_index=True) if self.snapshots else empty
        return out
