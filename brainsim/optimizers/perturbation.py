"""Perturbation against gradient as the network grows (Werfel, Xie & Seung 2005).

A linear student y = W x (M outputs, N inputs) learns a linear teacher y* = W* x online, one fresh
sample x ~ N(0, I_N) per weight update, loss ℓ = ½‖y − y*‖². Three learners make one update per sample:
- backprop (the gradient):  ΔW = −η (y − y*) xᵀ
- node perturbation: noise ξ ~ N(0, σ²I_M) on the outputs, ΔW = −η (ℓ(y + ξ) − ℓ(y))/σ² · ξ xᵀ
  (brainsim.rules.reward.node_perturbation with modulator M = −(ℓ(y + ξ) − ℓ(y)); Williams 1992)
- weight perturbation: noise σΨ on every weight, ΔW = −η (ℓ(W + σΨ) − ℓ(W))/σ · Ψ
Learning time = updates until the expected loss ½‖W − W*‖²_F, averaged over REPLICAS students, falls to
`criterion` × its start, for the best of a fixed grid of learning rates (all rates run side by side along a
batch axis; the first to reach the criterion ends the run). Theory: relative to backprop, node perturbation
slows in proportion to the number of outputs M and weight perturbation to the number of weights MN.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from brainsim.runtime import torch_generator

METHODS = ("backprop", "node perturbation", "weight perturbation")
SIGMA = 1e-3  # perturbation size; float64 keeps ℓ(y + ξ) − ℓ(y) accurate at this size
REPLICAS = 4  # students per learning rate, averaged: the learning time of a mean learning curve
LR_GRID = tuple(2.0**-k for k in range(13))  # 1 down to 2^-12


def outputs_sweep(max_outputs: int) -> list[int]:
    """M = 2, 4, 8, ... up to max_outputs."""
    return [2**k for k in range(1, int(math.log2(max_outputs)) + 1)]


def node_perturbation_step(x: torch.Tensor, xi: torch.Tensor, gain: torch.Tensor) -> torch.Tensor:
    """The estimate (ℓ(y + ξ) − ℓ(y))/σ² · ξ xᵀ for many independent students at once: x (R, N) one sample per
    student, xi (G, R, M), gain (G, R) -> (G, R, M, N). Each student's estimate is minus the ΔW of
    brainsim.rules.reward.node_perturbation(x, ξ, M = −gain, σ, η = 1)
    (tests/optimizers check it)."""
    return (gain[..., None] / SIGMA**2 * xi)[..., None] * x[:, None, :]


def learning_time(method: str, n_in: int, n_out: int, seed: int, criterion: float, max_updates: int) -> tuple:
    """(updates to reach the criterion, or max_updates when never; the learning rate that got there first;
    reached) of one learner with M = n_out outputs. Every rate of LR_GRID trains REPLICAS students side by
    side (batch axes G, R), each on its own samples; a rate's loss is its students' mean."""
    teacher = torch.randn(n_out, n_in, generator=torch_generator(seed, 15, 2, n_out), dtype=torch.float64)
    teacher /= math.sqrt(n_in)  # the same teacher for every method
    gen = torch_generator(seed, 15, 3, n_out, METHODS.index(method))
    g, r = len(LR_GRID), REPLICAS
    lrs = torch.tensor(LR_GRID, dtype=torch.float64)[:, None, None, None]  # (G, 1, 1, 1)
    w = torch.zeros(g, r, n_out, n_in, dtype=torch.float64)
    target = criterion * 0.5 * float((teacher**2).sum())
    for t in range(1, max_updates + 1):
        x = torch.randn(r, n_in, generator=gen, dtype=torch.float64)  # one sample per student (the same across G)
        err = ((w - teacher) @ x[:, :, None])[..., 0]  # y − y*, (G, R, M)
        if method == "backprop":
            dw = err[..., None] * x[:, None, :]  # ∂ℓ/∂W (G, R, M, N)
        elif method == "node perturbation":
            xi = SIGMA * torch.randn(g, r, n_out, generator=gen, dtype=torch.float64)  # (G, R, M)
            gain = (err * xi).sum(-1) + 0.5 * (xi * xi).sum(-1)  # ℓ(y + ξ) − ℓ(y), (G, R)
            dw = node_perturbation_step(x, xi, gain)
        else:
            psi = torch.randn(g, r, n_out, n_in, generator=gen, dtype=torch.float64)
            err2 = err + SIGMA * (psi @ x[:, :, None])[..., 0]
            gain = 0.5 * ((err2 * err2).sum(-1) - (err * err).sum(-1))  # ℓ(W + σΨ) − ℓ(W), (G, R)
            dw = gain[..., None, None] / SIGMA * psi
        w -= lrs * dw
        loss = 0.5 * ((w - teacher) ** 2).sum((2, 3)).mean(1)  # mean expected loss per rate (G,); NaN if diverged
        best = int(torch.nan_to_num(loss, nan=torch.inf).argmin())
        if float(loss[best]) <= target:
            return t, LR_GRID[best], True
    return max_updates, float("nan"), False


def sweep(cfg, seeds: list[int], progress=None, lo: float = 0.0, hi: float = 1.0) -> pd.DataFrame:
    """Learning time of every method at every M, per seed."""
    dims = outputs_sweep(cfg.max_outputs)
    rows, total, done = [], len(seeds) * len(METHODS), 0
    for seed in seeds:
        for method in METHODS:
            for m in dims:
                updates, lr, reached = learning_time(method, cfg.n_inputs, m, seed, cfg.criterion, cfg.max_updates)
                rows.append((method, seed, m, m * cfg.n_inputs, updates, lr, reached))
            done += 1
            if progress:
                progress(lo + (hi - lo) * done / total, f"perturbation: {method}, seed {seed}")
    return pd.DataFrame(
        rows, columns=["method", "seed", "n_outputs", "n_weights", "updates_to_criterion", "best_lr", "reached"]
    )


def slopes(times: pd.DataFrame) -> pd.DataFrame:
    """Per seed and perturbation method: the slope of log(learning-time ratio to backprop) against log M
    (node perturbation) or log MN (weight perturbation); MN = M·N, so both slopes share the same x spread.
    `censored`: some learner of that seed hit max_updates, so its time (and the slope) is a lower bound."""
    base = times[times["method"] == "backprop"].set_index(["seed", "n_outputs"])["updates_to_criterion"]
    rows = []
    for (method, seed), part in times[times["method"] != "backprop"].groupby(["method", "seed"], sort=True):
        dim = part["n_outputs"] if method == "node perturbation" else part["n_weights"]
        ratio = part["updates_to_criterion"].to_numpy() / base.loc[[(seed, m) for m in part["n_outputs"]]].to_numpy()
        slope = float(np.polyfit(np.log(dim.to_numpy(float)), np.log(ratio), 1)[0]) if len(part) > 1 else float("nan")
        censored = not bool(part["reached"].all()) or not bool(times[times["seed"] == seed]["reached"].all())
        rows.append((method, seed, "outputs M" if method == "node perturbation" else "weights MN", slope, censored))
    return pd.DataFrame(rows, columns=["method", "seed", "dimension", "slope", "censored"])


def ratios(times: pd.DataFrame) -> pd.DataFrame:
    """Learning time of each perturbation method over backprop's, per seed and M."""
    base = times[times["method"] == "backprop"][["seed", "n_outputs", "updates_to_criterion"]]
    base = base.rename(columns={"updates_to_criterion": "backprop_updates"})
    out = times[times["method"] != "backprop"].merge(base, on=["seed", "n_outputs"], how="left")
    out["time_ratio"] = out["updates_to_criterion"] / out["backprop_updates"]
    return out[["method", "seed", "n_outputs", "n_weights", "time_ratio"]]
