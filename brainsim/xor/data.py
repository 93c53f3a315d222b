"""The logic task's points, for every seed at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from brainsim import datasets


@dataclass(frozen=True)
class XorData:
    """Train and test sets of every seed, stacked on a leading seed axis S.

    The learners see inputs recoded to ±1 (x' = 2x − 1); the boundary chart shows the points in
    the unit-square coordinates the user sees (`x_train_raw`, `y_train_raw`).
    """

    x_train: torch.Tensor  # (S, N, 2), ±1 coding
    y_train: torch.Tensor  # (S, N, 1), targets 0/1
    x_test: torch.Tensor  # (S, N_test, 2), ±1 coding
    y_test: torch.Tensor  # (S, N_test, 1)
    x_train_raw: torch.Tensor  # (S, N, 2), unit-square coordinates
    y_train_raw: torch.Tensor  # (S, N)


def split(task: str, noise: float, n_points: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, y_train, x_test, y_test) of one seed in unit-square coordinates: the four
    truth-table points (train = test) when noise is 0, else two noisy clouds of n_points each."""
    if noise == 0.0:
        x, y = datasets.logic_table(task)
        return x, y, x, y
    x, y = datasets.noisy_logic(task, 2 * n_points, noise, seed)
    return x[:n_points], y[:n_points], x[n_points:], y[n_points:]


def stack_seeds(task: str, noise: float, n_points: int, seeds: list[int], device) -> XorData:
    """Every seed's data stacked on a leading axis, on `device`."""
    parts = [split(task, noise, n_points, s) for s in seeds]

    def stacked(i: int) -> torch.Tensor:
        return torch.as_tensor(np.stack([p[i] for p in parts]), dtype=torch.float32, device=device)

    x_train, y_train, x_test, y_test = (stacked(i) for i in range(4))
    return XorData(
        x_train=2 * x_train - 1,
        y_train=y_train.unsqueeze(-1),
        x_test=2 * x_test - 1,
        y_test=y_test.unsqueeze(-1),
        x_train_raw=x_train,
        y_train_raw=y_train,
    )
