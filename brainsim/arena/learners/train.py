"""The race loop: every learner sees the same batches in the same order, epoch by epoch, and is
evaluated on the whole train and test sets after each epoch (epoch 0 = before any update)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from brainsim.arena.learners.backprop import BackpropMLP, SmallCNN
from brainsim.arena.learners.base import Learner, Spec
from brainsim.arena.learners.hebbian import HebbianFeatures
from brainsim.arena.learners.local import DeltaRule, FeedbackAlignment
from brainsim.arena.learners.reward import RewardModulated
from brainsim.runtime import is_finite, torch_generator

LEARNERS: dict[str, Callable[..., Learner]] = {
    "backprop mlp": BackpropMLP,
    "cnn": SmallCNN,
    "feedback alignment": FeedbackAlignment,
    "reward-modulated": RewardModulated,
    "hebbian features": HebbianFeatures,
    "hebbian + reward": lambda spec, init, seed: HebbianFeatures(spec, init, seed, reward_readout=True),
    "delta rule": DeltaRule,
}
BRAIN_LIKE = ("feedback alignment", "reward-modulated", "hebbian features", "hebbian + reward", "delta rule")


@dataclass(frozen=True)
class Split:
    """A data split as tensors on the run's device: x (n, d) float32, y (n,) int64, t (n, C) one-hot."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    t_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    t_test: torch.Tensor

    @classmethod
    def from_arrays(cls, x_train, y_train, x_test, y_test, n_classes: int, device) -> Split:
        def tens(a, dtype):
            return torch.as_tensor(a, dtype=dtype).to(device)

        ytr, yte = tens(y_train, torch.int64), tens(y_test, torch.int64)
        return cls(
            tens(x_train, torch.float32),
            ytr,
            torch.nn.functional.one_hot(ytr, n_classes).float(),
            tens(x_test, torch.float32),
            yte,
            torch.nn.functional.one_hot(yte, n_classes).float(),
        )


def make_learner(name: str, spec: Spec, init: dict, seed: int, device) -> Learner:
    return LEARNERS[name](spec, init, seed).to(device)


def evaluate(learner: Learner, x, t, y, loss: str) -> tuple[float, float]:
    """(accuracy, loss) of the learner's greedy answers on a whole set."""
    with torch.no_grad():
        z = learner.scores(x)  # (n, C)
        return float((z.argmax(1) == y).float().mean()), learner.loss_of(z, t, loss)


def epoch_row(learner: Learner, data: Split, loss: str, epoch: int, diverged: bool, wall: float) -> dict:
    """One row of the curves: samples seen, updates, train and test accuracy and loss (NaN once
    diverged), `diverged`, and the cumulative training wall time `wall_s`."""
    if diverged:
        acc_tr = acc_te = loss_tr = loss_te = float("nan")
    else:
        acc_tr, loss_tr = evaluate(learner, data.x_train, data.t_train, data.y_train, loss)
        acc_te, loss_te = evaluate(learner, data.x_test, data.t_test, data.y_test, loss)
    return dict(
        epoch=epoch,
        samples_seen=epoch * data.x_train.shape[0],
        weight_updates=learner.updates,
        train_accuracy=acc_tr,
        test_accuracy=acc_te,
        train_loss=loss_tr,
        test_loss=loss_te,
        diverged=diverged,
        wall_s=wall,
    )


def train(
    learner: Learner,
    data: Split,
    epochs: int,
    batch: int,
    seed: int,
    loss: str,
    on_epoch: Callable[[int, dict], None] | None = None,
) -> list[dict]:
    """Train for `epochs` passes; one `epoch_row` per epoch (0..epochs), stopping after a NaN/inf;
    `on_epoch(epoch, row)` after each epoch's row (epoch 0 included).

    The batch order comes from a generator seeded by (seed, 3), so every learner of one seed sees
    the same batches, and training E + E' epochs continues exactly the run of E epochs."""
    g = torch_generator(seed, 3)
    n = data.x_train.shape[0]
    batch = min(batch, n)
    rows, wall = [epoch_row(learner, data, loss, 0, False, 0.0)], 0.0
    if on_epoch:
        on_epoch(0, rows[0])
    with torch.no_grad():
        for epoch in range(1, epochs + 1):
            perm = torch.randperm(n, generator=g).to(data.x_train.device)  # same order for every learner
            xs, ts, ys = data.x_train[perm], data.t_train[perm], data.y_train[perm]  # (n, d), (n, C), (n,)
            t0 = time.perf_counter()
            for i in range(0, n, batch):
                learner.step(xs[i : i + batch], ts[i : i + batch], ys[i : i + batch])
            wall += time.perf_counter() - t0
            diverged = not is_finite(*learner.parameters())
            rows.append(epoch_row(learner, data, loss, epoch, diverged, wall))
            if on_epoch:
                on_epoch(epoch, rows[-1])
            if diverged:  # a NaN/inf learner stops here; the others go on
                break
    return rows
