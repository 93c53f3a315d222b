"""Convergence rates on the quadratic f = ½(μu² + Lv²), measured with torch.optim.SGD against theory.

With L the largest and μ the smallest curvature, κ = L/μ:
- gradient descent at its optimal step η = 2/(L+μ) contracts the error by (κ−1)/(κ+1) per step;
- heavy-ball momentum (Polyak 1964) at η = 4/(√L+√μ)², β = ((√κ−1)/(√κ+1))² by (√κ−1)/(√κ+1)
  (Goh 2017, "Why momentum really works");
- gradient descent at step η contracts by max(|1−ημ|, |1−ηL|): it diverges for η > 2/L.
"""

from __future__ import annotations

import math

import pandas as pd
import torch

KAPPAS = (2.0, 5.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
STEP_SIZES = (0.1, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 1.9, 2.0, 2.05, 2.2)  # η·L
RATE_STEPS = 120
START = (1.0, 1.0)


def gd_theory(kappa: float) -> float:
    return (kappa - 1) / (kappa + 1)


def heavy_ball_theory(kappa: float) -> float:
    return (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)


def step_theory(eta_l: float, kappa: float) -> float:
    """Per-step contraction of GD at step η (in units of 1/L) with L = 1, μ = 1/κ."""
    return max(abs(1 - eta_l / kappa), abs(1 - eta_l))


def measured_rates(runs: list[tuple[float, float, float]], rotation: float, steps: int = RATE_STEPS) -> list[float]:
    """Per-step contraction of the distance to the minimum for each run (κ, η, β) of torch.optim.SGD
    (float64, momentum β) on its quadratic (L = 1, μ = 1/κ): exp of the slope of log‖θ_t‖ over the second
    half of `steps` updates. All runs step together, one parameter group each."""
    mu = torch.tensor([1.0 / k for k, _, _ in runs], dtype=torch.float64)  # (K,) L = 1
    c, s = math.cos(math.radians(rotation)), math.sin(math.radians(rotation))
    thetas = [torch.tensor(START, dtype=torch.float64, requires_grad=True) for _ in runs]
    groups = [{"params": [th], "lr": lr, "momentum": beta} for th, (_, lr, beta) in zip(thetas, runs)]
    opt = torch.optim.SGD(groups, lr=1.0)
    path = torch.empty(steps + 1, len(runs), 2, dtype=torch.float64)
    for t in range(steps + 1):
        theta = torch.stack(thetas)  # (K, 2)
        path[t] = theta.detach()
        u, v = c * theta[:, 0] + s * theta[:, 1], -s * theta[:, 0] + c * theta[:, 1]  # as surfaces.quadratic
        opt.zero_grad()
        (0.5 * (mu * u * u + v * v)).sum().backward()
        opt.step()
    dist = path.norm(dim=2)  # (steps + 1, K)
    t = torch.arange(steps // 2, steps + 1, dtype=torch.float64)[:, None]
    logd = torch.log(dist[steps // 2 :].clamp_min(1e-300))
    slope = ((t - t.mean()) * (logd - logd.mean(0))).sum(0) / ((t - t.mean()) ** 2).sum()
    return [math.exp(float(v)) for v in slope]


def rate_table(kappa: float, rotation: float) -> pd.DataFrame:
    """Measured and theoretical rates of GD and heavy ball at their optimal settings, for a range of κ."""
    kappas = sorted(set(KAPPAS) | {float(kappa)})
    gd = [(k, 2 / (1 + 1 / k), 0.0) for k in kappas]  # η = 2/(L+μ)
    hb = [(k, 4 / (1 + math.sqrt(1 / k)) ** 2, heavy_ball_theory(k) ** 2) for k in kappas]
    measured = measured_rates(gd + hb, rotation)
    rows = []
    for i, (k, _, beta) in enumerate(gd + hb):
        method, theory = ("gd", gd_theory(k)) if beta == 0 and i < len(gd) else ("heavy ball", heavy_ball_theory(k))
        rows.append((method, k, measured[i], theory, measured[i] / theory - 1))
    return pd.DataFrame(rows, columns=["method", "kappa", "measured_rate", "theory_rate", "relative_error"])


def step_table(kappa: float, rotation: float) -> pd.DataFrame:
    """GD's measured rate against its step size η·L at the config's κ, beside max(|1−ημ|, |1−ηL|)."""
    measured = measured_rates([(kappa, eta, 0.0) for eta in STEP_SIZES], rotation, steps=60)
    rows = [(eta, m, step_theory(eta, kappa), m > 1.0 + 1e-6) for eta, m in zip(STEP_SIZES, measured)]
    return pd.DataFrame(rows, columns=["lr_times_L", "measured_rate", "theory_rate", "diverges"])
