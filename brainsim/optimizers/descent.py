"""Optimizers on a 2-D surface: torch.optim's first-order methods, fed autograd's gradient, and two
zeroth-order learners that see only loss values and hand torch.optim.SGD their estimate of it.

Every path runs on a batch of starts theta (B, 2) at once; the loss summed over the batch has a
gradient whose row b depends on row b alone, and every update here is elementwise, so one row is
the same numbers whether it runs alone or among others (benchmarks/bench_optimizers.py times both).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from brainsim.torchkit import MOMENTUM, make_optimizer

GRADIENT = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")
ZEROTH = ("weight perturbation", "evolution strategies")
LEARNERS = GRADIENT + ZEROTH
ADAPTIVE = ("adagrad", "rmsprop", "adam", "adamw")
ADAMW_DECAY = 0.01  # torch.optim.AdamW's default decoupled weight decay
BLOWUP = 1e6  # |θ| beyond this counts as diverged
Noise = Callable[[tuple, torch.dtype], torch.Tensor]  # (shape, dtype) -> standard normal draws


def generator_noise(gen: torch.Generator) -> Noise:
    """Standard normal draws from one generator."""
    return lambda shape, dtype: torch.randn(shape, generator=gen, dtype=dtype)


def optimizer(name: str, params, lr: float) -> torch.optim.Optimizer:
    """torch.optim optimizer of a learner (zeroth-order learners step with plain SGD on their estimate)."""
    if name == "nesterov":
        return torch.optim.SGD(params, lr=lr, momentum=MOMENTUM, nesterov=True)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=ADAMW_DECAY)
    if name in ZEROTH:
        return torch.optim.SGD(params, lr=lr)
    return make_optimizer(name, params, lr)


def weight_perturbation(loss: Callable, theta: torch.Tensor, sigma: float, noise: Noise) -> torch.Tensor:
    """ĝ = (f(θ + σξ) − f(θ))/σ · ξ, ξ ~ N(0, I): one perturbation, two loss values (Jabri & Flower 1992;
    Werfel, Xie & Seung 2005). E[ĝ] → ∇f as σ → 0. theta (B, 2) -> ĝ (B, 2)."""
    xi = noise(theta.shape, theta.dtype)
    delta = loss(theta + sigma * xi) - loss(theta)  # (B,)
    return delta[:, None] / sigma * xi


def evolution_strategies(loss: Callable, theta: torch.Tensor, sigma: float, pairs: int, noise: Noise) -> torch.Tensor:
    """ĝ = 1/(2σn) Σ_i [f(θ + σε_i) − f(θ − σε_i)] ε_i, ε_i ~ N(0, I), n antithetic pairs
    (Salimans et al. 2017; Wierstra et al. 2014). theta (B, 2) -> ĝ (B, 2)."""
    eps = noise((pairs, *theta.shape), theta.dtype)  # (n, B, 2)
    delta = loss(theta + sigma * eps) - loss(theta - sigma * eps)  # (n, B)
    return (delta[..., None] * eps).sum(0) / (2 * sigma * pairs)


@dataclass
class Path:
    theta: torch.Tensor  # (steps + 1, B, 2) positions, NaN after divergence
    loss: torch.Tensor  # (steps + 1, B)
    diverged: torch.Tensor  # (B,) bool
    loss_evals: int  # loss values a zeroth-order learner asked for per start; 0 for gradient learners


def descend(
    name: str,
    loss: Callable,
    start: torch.Tensor,
    steps: int,
    lr: float,
    sigma: float = 0.1,
    pairs: int = 10,
    noise: Noise | None = None,
) -> Path:
    """Run learner `name` for `steps` updates from every row of start (B, 2) on loss(theta (B, 2)) -> (B,);
    zeroth-order learners draw their perturbations from `noise`.
    A row that reaches a non-finite loss or |θ| > BLOWUP stops there (NaN from then on), marked diverged."""
    theta = start.detach().clone().requires_grad_(True)
    opt = optimizer(name, [theta], lr)
    thetas, losses = [], []
    alive = torch.ones(start.shape[0], 1, dtype=torch.bool)
    evals = 0
    for t in range(steps + 1):
        value = loss(theta)
        thetas.append(theta.detach().clone())
        losses.append(value.detach())
        bad = ~torch.isfinite(value.detach())[:, None] | (theta.detach().abs() > BLOWUP)
        alive &= ~bad.any(1, keepdim=True)
        if t == steps:
            break
        opt.zero_grad()
        if name in ZEROTH:
            with torch.no_grad():
                if name == "weight perturbation":
                    g = weight_perturbation(loss, theta, sigma, noise)
                    evals += 2
                else:
                    g = evolution_strategies(loss, theta, sigma, pairs, noise)
                    evals += 2 * pairs
            theta.grad = g
        else:
            value.sum().backward()
        with torch.no_grad():
            theta.grad = torch.where(alive, theta.grad, 0.0)  # a stopped row stays where it stopped
        opt.step()
    theta_path, loss_path = torch.stack(thetas), torch.stack(losses)  # (T, B, 2), (T, B)
    dead = torch.cumsum(~torch.isfinite(loss_path) | (theta_path.abs() > BLOWUP).any(2), 0) > 0  # (T, B)
    return Path(
        theta_path.masked_fill(dead[..., None], float("nan")),
        loss_path.masked_fill(dead, float("nan")),
        dead[-1],
        evals,
    )


def steps_to_reach(gap: torch.Tensor, eps: float) -> torch.Tensor:
    """First step with gap ≤ eps per column of gap (T, B); −1 when never (float, for NaN-free tables)."""
    hit = gap <= eps  # NaN compares False
    first = torch.where(hit.any(0), hit.float().argmax(0), torch.tensor(-1))
    return first
