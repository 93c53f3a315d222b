"""Each seed's labelled subset of the embedded 8x8 digits: a training set with label noise, a validation set
with the same noise (what early stopping watches) and a clean test set, stacked over seeds.

Every seed draws its split and its corrupted labels from its own generator (runtime.rng), so a seed's data
do not depend on which other seeds run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from brainsim import runtime

N_CLASSES = 10
SIDE = 8
N_IMAGES = 1797  # scikit-learn's embedded digits
SHIFT = 1  # augmentation: shifts of up to one pixel in x and y


@dataclass(frozen=True)
class Split:
    """Stacked over S seeds: x (S, n, 64) pixels in [0, 1], y (S, n) the labels the learner sees."""

    x_train: torch.Tensor
    y_train: torch.Tensor  # with label noise
    clean_train: torch.Tensor  # the true labels of the training images
    x_val: torch.Tensor
    y_val: torch.Tensor  # with label noise, like the training labels
    x_test: torch.Tensor
    y_test: torch.Tensor  # clean

    @property
    def n_train(self) -> int:
        return self.x_train.shape[1]


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets as skdata  # imported when digits are asked for: 1-2.5 s

    d = skdata.load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)


def corrupt(y: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """Label noise: each label, with probability `noise`, replaced by one of the other N_CLASSES − 1 classes
    drawn uniformly (symmetric noise; Zhang et al. 2017 randomise labels the same way)."""
    flip = rng.random(len(y)) < noise
    shift = rng.integers(1, N_CLASSES, len(y))
    return np.where(flip, (y + shift) % N_CLASSES, y)


def seed_split(seed: int, n_train: int, n_val: int, n_test: int, noise: float) -> tuple[np.ndarray, ...]:
    """One seed's images and labels from a random permutation of the 1797 digits: training images from its
    front, test and validation images from its back, so training sets of different sizes are nested and
    share one validation and one test set."""
    x, y = _digits()
    order = runtime.rng(seed, 16, 2).permutation(len(y))
    tr, va, te = order[:n_train], order[len(y) - n_test - n_val : len(y) - n_test], order[len(y) - n_test :]
    noisy = corrupt(y, noise, runtime.rng(seed, 16, 3))
    return x[tr], noisy[tr], y[tr], x[va], noisy[va], x[te], y[te]


def make_split(seeds: list[int], n_train: int, n_val: int, n_test: int, noise: float, device) -> Split:
    parts = [seed_split(s, n_train, n_val, n_test, noise) for s in seeds]
    stacked = [torch.from_numpy(np.stack(p)).to(device) for p in zip(*parts)]
    return Split(*stacked)


def shifted_copies(x: torch.Tensor) -> torch.Tensor:
    """Every shift of each image by (dy, dx) ∈ {−SHIFT … SHIFT}², zeros shifted in: (..., 64) -> (K, ..., 64)
    with K = (2·SHIFT + 1)² (index K // 2 is the image itself)."""
    img = x.reshape(*x.shape[:-1], SIDE, SIDE)
    pad = torch.nn.functional.pad(img, (SHIFT, SHIFT, SHIFT, SHIFT))
    span = 2 * SHIFT + 1
    out = [pad[..., dy : dy + SIDE, dx : dx + SIDE] for dy in range(span) for dx in range(span)]
    return torch.stack(out).reshape(span * span, *x.shape)
