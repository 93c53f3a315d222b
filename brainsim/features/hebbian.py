"""The unsupervised local learners: Oja's rule (one unit), Sanger's generalised Hebbian algorithm (k units)
and competitive Krotov-Hopfield units, each trained on mini-batches of the training images with a learning
rate that decays linearly to 1% of its start (Robbins-Monro: large steps to find the direction, small ones
to settle on it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from brainsim.arena.learners.hebbian import hebbian_rates
from brainsim.rules.competitive import krotov_hopfield
from brainsim.rules.hebbian import oja, sanger
from brainsim.runtime import torch_generator

INIT_SCALE = 0.1  # initial weights ~ N(0, 0.1²): small, so the rules' growth term sets the direction
FINAL_RATE = 0.01  # the learning rate ends at this fraction of its start
KH_DELTA, KH_RANK = 0.4, 2  # Krotov-Hopfield anti-Hebbian strength Δ and its rank k (Krotov & Hopfield 2019);
# the config's smallest layer has 2 units, so the rank-2 unit always exists


@dataclass
class Trained:
    """A learner's weights after training, and what it cost; `history` holds (epoch, W) snapshots."""

    w: torch.Tensor  # (units, n_in)
    updates: int
    samples: int
    history: list[tuple[int, torch.Tensor]]
    diverged: bool = False


def _train(
    w: torch.Tensor,
    x: torch.Tensor,
    update: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor],
    eta0: float,
    epochs: int,
    batch: int,
    g: torch.Generator,
) -> Trained:
    """Mini-batch training loop shared by the local rules: a fresh seeded order each epoch, η decaying
    linearly from eta0 to FINAL_RATE·eta0; stops (diverged) on NaN/inf."""
    n = x.shape[0]
    per_epoch = -(-n // batch)
    total, step = epochs * per_epoch, 0
    history = [(0, w.clone())]
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n, generator=g).to(x.device)
        for i in range(0, n, batch):
            eta = eta0 * (1 - (1 - FINAL_RATE) * step / total)
            w = w + update(w, x[order[i : i + batch]], eta)
            step += 1
        if not bool(torch.isfinite(w).all()):
            return Trained(w, step, step * batch, history, diverged=True)
        history.append((epoch, w.clone()))
    return Trained(w, step, min(step * batch, epochs * n), history)


def train_oja(xc: torch.Tensor, eta: float, epochs: int, batch: int, seed: int) -> Trained:
    """One linear unit y = w·x trained by Oja's rule (brainsim.rules.hebbian.oja) on centred images xc."""
    g = torch_generator(seed, 11)
    w = (torch.randn(1, xc.shape[1], generator=g) * INIT_SCALE).to(xc)
    return _train(w, xc, lambda w, xb, e: oja(xb, xb @ w.T, w, e), eta, epochs, batch, g)


def train_sanger(xc: torch.Tensor, k: int, eta: float, epochs: int, batch: int, seed: int) -> Trained:
    """k linear units y = W x trained by Sanger's rule on centred images xc."""
    g = torch_generator(seed, 12)
    w = (torch.randn(k, xc.shape[1], generator=g) * INIT_SCALE).to(xc)
    return _train(w, xc, lambda w, xb, e: sanger(xb, xb @ w.T, w, e), eta, epochs, batch, g)


def train_competitive(x: torch.Tensor, units: int, eta: float, epochs: int, batch: int, seed: int) -> Trained:
    """`units` competitive units trained by the Krotov-Hopfield rule (brainsim.rules.competitive) on images
    scaled to unit length (the winner is then the unit closest in angle): each winner moves towards the
    inputs it wins and becomes a prototype. Each unit starts on a random training image, the classic remedy
    for dead units (from random directions one unit wins every non-negative image and the rest never learn)."""
    g = torch_generator(seed, 13)
    xn = unit_rows(x)
    w = xn[torch.randperm(x.shape[0], generator=g)[:units].to(x.device)].clone()  # (units, d)
    return _train(w, xn, lambda w, xb, e: krotov_hopfield(w, xb, e, KH_DELTA, KH_RANK), eta, epochs, batch, g)


def unit_rows(x: torch.Tensor) -> torch.Tensor:
    """Each image divided by its length (blank images stay blank)."""
    return x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)


def linear_features(w: torch.Tensor, xc: torch.Tensor) -> torch.Tensor:
    """Outputs y = W x of linear units (Oja, Sanger) on centred images: (n, units)."""
    return xc @ w.T


def competitive_features(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Rates of the competitive units on unit-length images, relu(I − mean I) as in the arena: (n, units)."""
    return hebbian_rates(w, unit_rows(x))
