"""Learning-rules arena figures: the digits race's wall time, a backprop epoch against scikit-learn's
MLPClassifier epoch measured side by side, and the reward-modulated learner's sample cost relative to
backprop as the number of answers grows (theory: about the number of outputs, Werfel et al. 2005)."""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import torch

from benchmarks.reference import best_of, matmul_gflops
from brainsim import datasets
from brainsim.arena.experiment import EXPERIMENT, ArenaConfig
from brainsim.arena.learners import Spec, Split, evaluate, init_weights, make_learner

WIDTH, BATCH, EPOCHS = 100, 32, 20


def digits_race(threads: int) -> tuple[float, dict]:
    """Wall time of the five-learner digits race (20 epochs, one seed) and its final accuracies."""
    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        cfg = ArenaConfig(task="digits", epochs=EPOCHS)
        out = {}
        wall = best_of(lambda: out.update(EXPERIMENT.run(cfg)), repeats=3)
    finally:
        torch.set_num_threads(old)
    s = out["summary"].set_index("learner")
    return wall, s


def backprop_vs_sklearn() -> tuple[float, float]:
    """Seconds per training epoch on digits: our torch backprop MLP vs sklearn's MLPClassifier, same
    width, batch, activation and optimizer (Adam), each the best of 5 epochs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    d = datasets.digits(0.75, 0)
    data = Split.from_arrays(d.x_train, d.y_train, d.x_test, d.y_test, 10, "cpu")
    spec = Spec(n_in=64, n_out=10, hidden=WIDTH, activation="tanh", optimizer="adam", lr=1e-3)
    learner = make_learner("backprop mlp", spec, init_weights(spec, 0), 0, "cpu")
    g = torch.Generator().manual_seed(0)

    def torch_epoch():
        perm = torch.randperm(len(d.y_train), generator=g)
        xs, ts, ys = data.x_train[perm], data.t_train[perm], data.y_train[perm]
        for i in range(0, len(ys), BATCH):
            learner.step(xs[i : i + BATCH], ts[i : i + BATCH], ys[i : i + BATCH])

    mlp = MLPClassifier(
        (WIDTH,), activation="tanh", solver="adam", batch_size=BATCH, learning_rate_init=1e-3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.partial_fit(d.x_train, d.y_train, classes=np.arange(10))
        torch_epoch()
        return best_of(torch_epoch, 5), best_of(lambda: mlp.partial_fit(d.x_train, d.y_train), 5)


def samples_to(learner, data: Split, target: float, budget: int, every: int, seed: int) -> float:
    """Training samples until test accuracy first reaches `target` (checked every `every` batches)."""
    g = torch.Generator().manual_seed(seed)
    n, seen, batches = len(data.y_train), 0, 0
    while seen < budget:
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, BATCH):
            idx = perm[i : i + BATCH]
            learner.step(data.x_train[idx], data.t_train[idx], data.y_train[idx])
            seen += len(idx)
            batches += 1
            if (
                batches % every == 0
                and evaluate(learner, data.x_test, data.t_test, data.y_test, "cross-entropy")[0] >= target
            ):
                return seen
    return math.inf


def reward_ratio(n_classes: int, seeds=(0, 1), budget_epochs: int = 80) -> tuple[float, float, float]:
    """Digits restricted to classes 0..C−1: samples to 90% of backprop's final accuracy (20 epochs),
    for backprop and for the reward-modulated learner (mean over seeds), and their ratio."""
    d = datasets.digits(0.75, 0)
    keep_tr, keep_te = d.y_train < n_classes, d.y_test < n_classes
    data = Split.from_arrays(
        d.x_train[keep_tr], d.y_train[keep_tr], d.x_test[keep_te], d.y_test[keep_te], n_classes, "cpu"
    )
    n = int(keep_tr.sum())
    spec = Spec(n_in=64, n_out=n_classes, hidden=WIDTH, reward_lr=1.0, reward_hidden_lr=0.2, reward_noise=0.3)
    bp, rm = [], []
    for seed in seeds:
        init = init_weights(spec, seed)
        ref = make_learner("backprop mlp", spec, init, seed, "cpu")
        samples_to(ref, data, 2.0, EPOCHS * n, 10**9, seed)  # 20 epochs: the reference accuracy
        target = 0.9 * evaluate(ref, data.x_test, data.t_test, data.y_test, "cross-entropy")[0]
        bp.append(samples_to(make_learner("backprop mlp", spec, init, seed, "cpu"), data, target, EPOCHS * n, 1, seed))
        rm.append(
            samples_to(
                make_learner("reward-modulated", spec, init, seed, "cpu"), data, target, budget_epochs * n, 2, seed
            )
        )
    b, r = float(np.mean(bp)), float(np.mean(rm))
    return b, r, r / b


def main() -> None:
    threads = torch.get_num_threads()
    print(f"reference: torch float32 matmul {matmul_gflops():.1f} GFLOP/s ({threads} torch threads)")

    for t in sorted({threads, 1}, reverse=True):
        wall, s = digits_race(t)
        accs = ", ".join(f"{k} {v:.1%}" for k, v in s["final_test_accuracy"].items())
        print(
            f"digits race, 5 learners x {EPOCHS} epochs, {t} thread(s): {wall:.2f} s "
            f"(target < 5 s: {'ok' if wall < 5 else 'SLOWER'}); {accs}"
        )
    print(
        "  samples to 90% of best vs backprop: "
        + ", ".join(f"{k} x{v:.1f}" for k, v in s["samples_vs_backprop"].items() if np.isfinite(v))
    )

    old = torch.get_num_threads()
    for t in sorted({threads, 1}, reverse=True):
        torch.set_num_threads(t)
        ours, theirs = backprop_vs_sklearn()
        print(
            f"digits epoch, MLP width {WIDTH}, batch {BATCH}, Adam, {t} torch thread(s): torch backprop "
            f"{ours * 1e3:.1f} ms, sklearn MLPClassifier {theirs * 1e3:.1f} ms, ratio torch/sklearn "
            f"{ours / theirs:.2f} ({'no slower' if ours <= theirs else 'slower'})"
        )
    torch.set_num_threads(old)

    old = torch.get_num_threads()
    torch.set_num_threads(1)  # sample counts do not depend on threads; one thread is fastest for tiny nets
    t0 = time.perf_counter()
    print("reward-modulated vs backprop, samples to 90% of backprop's accuracy, digits classes 0..C-1:")
    for c in (2, 4, 6, 8, 10):
        b, r, ratio = reward_ratio(c)
        print(f"  C = {c:2d} outputs: backprop {b:7.0f}, reward-modulated {r:8.0f} samples, ratio {ratio:5.1f}")
    torch.set_num_threads(old)
    print(f"  ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
