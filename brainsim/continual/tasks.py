"""Task sequences from the embedded 8x8 digits, one stream per seed.

- Split digits: the 10 digits in a seeded order, paired into 5 tasks of 2 digits. Three scenarios
  (van de Ven & Tolias 2019): task-incremental (the task is given: one 2-unit head per task),
  domain-incremental (one 2-unit head: which digit of the pair), class-incremental (one 10-unit head:
  which of the 10 digits).
- Permuted digits: T tasks, each the same images under a fixed random pixel permutation (task 1 is the
  identity), one 10-unit head.

Each seed draws its own train/test images (TRAIN_PER_CLASS and TEST_PER_CLASS of every digit), digit
order and permutations, so every seed's tensors have the same shapes and a seed's data never depends on
which other seeds run. Tensors are stacked over seeds S: x (S, T, n, 64), y (S, T, n).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch

from brainsim import datasets, runtime

TRAIN_PER_CLASS = 120  # the rarest digit has 174 images: 120 to train, 50 to test
TEST_PER_CLASS = 50
SCENARIOS = ("task", "domain", "class")
SPLIT_TASKS = 5


@functools.lru_cache(maxsize=1)
def _all_digits() -> tuple[np.ndarray, np.ndarray]:
    """All 1797 embedded digits, pixels in [0, 1], in a fixed order: x (1797, 64), y (1797,)."""
    d = datasets.digits(seed=0)
    x = np.concatenate([d.x_train, d.x_test])
    y = np.concatenate([d.y_train, d.y_test])
    order = np.lexsort((np.arange(len(y)), y))  # by digit, then position: independent of the split's seed
    return x[order], y[order]


@dataclass(frozen=True)
class Stream:
    """Every seed's task sequence. masks: which outputs each task's softmax spans (T, O)."""

    x_train: torch.Tensor  # (S, T, n, D)
    y_train: torch.Tensor  # (S, T, n) output-unit targets
    x_test: torch.Tensor  # (S, T, m, D)
    y_test: torch.Tensor  # (S, T, m)
    masks: torch.Tensor  # (T, O) bool
    labels: list[list[str]]  # per seed, per task: what the task is ("3 vs 7", "permutation 2")

    @property
    def n_tasks(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.masks.shape[1]


def n_outputs(benchmark: str, scenario: str) -> int:
    return 2 if benchmark == "split" and scenario == "domain" else 10


def _class_split(seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per digit, the indices of its training and test images for this seed."""
    x, y = _all_digits()
    r = runtime.rng(seed, 1)
    train, test = [], []
    for c in range(10):
        idx = r.permutation(np.flatnonzero(y == c))
        train.append(idx[:TRAIN_PER_CLASS])
        test.append(idx[TRAIN_PER_CLASS : TRAIN_PER_CLASS + TEST_PER_CLASS])
    return train, test


def _split_seed(seed: int, scenario: str):
    x, y = _all_digits()
    train, test = _class_split(seed)
    order = runtime.rng(seed, 2).permutation(10)
    out = {"xtr": [], "ytr": [], "xte": [], "yte": [], "labels": []}
    for t in range(SPLIT_TASKS):
        pair = order[2 * t : 2 * t + 2]
        for part, key in ((train, "tr"), (test, "te")):
            idx = np.concatenate([part[c] for c in pair])
            pos = np.repeat([0, 1], [len(part[pair[0]]), len(part[pair[1]])])
            target = {"task": 2 * t + pos, "domain": pos, "class": y[idx]}[scenario]
            out["x" + key].append(x[idx])
            out["y" + key].append(target)
        out["labels"].append(f"{pair[0]} vs {pair[1]}")
    return out


def _permuted_seed(seed: int, n_tasks: int):
    x, y = _all_digits()
    train, test = _class_split(seed)
    itr, ite = np.concatenate(train), np.concatenate(test)
    r = runtime.rng(seed, 3)
    out = {"xtr": [], "ytr": [], "xte": [], "yte": [], "labels": []}
    for t in range(n_tasks):
        perm = np.arange(x.shape[1]) if t == 0 else r.permutation(x.shape[1])
        out["xtr"].append(x[itr][:, perm])
        out["ytr"].append(y[itr])
        out["xte"].append(x[ite][:, perm])
        out["yte"].append(y[ite])
        out["labels"].append("original pixels" if t == 0 else f"permutation {t}")
    return out


def make_stream(benchmark: str, scenario: str, n_tasks: int, seeds: list[int], device) -> Stream:
    """The task sequences of `seeds`, stacked."""
    parts = [_split_seed(s, scenario) if benchmark == "split" else _permuted_seed(s, n_tasks) for s in seeds]

    def stack(key: str, dtype) -> torch.Tensor:
        return torch.as_tensor(np.stack([np.stack(p[key]) for p in parts]), dtype=dtype, device=device)

    t = SPLIT_TASKS if benchmark == "split" else n_tasks
    o = n_outputs(benchmark, scenario)
    masks = torch.ones((t, o), dtype=torch.bool, device=device)
    if benchmark == "split" and scenario == "task":
        masks = torch.zeros((t, o), dtype=torch.bool, device=device)
        for k in range(t):
            masks[k, 2 * k : 2 * k + 2] = True
    return Stream(
        stack("xtr", torch.float32),
        stack("ytr", torch.long),
        stack("xte", torch.float32),
        stack("yte", torch.long),
        masks,
        [p["labels"] for p in parts],
    )


def batch_order(seed: int, task: int, epoch: int, n: int, batch: int) -> np.ndarray:
    """This seed's minibatches of one epoch of one task, shared by every learner: (n // batch, batch)."""
    idx = runtime.rng(seed, 4, task, epoch).permutation(n)
    k = n // batch
    return idx[: k * batch].reshape(k, batch)
