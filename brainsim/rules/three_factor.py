"""Three-factor rules: a Hebbian eligibility trace e, turned into a weight change only when a
neuromodulator M (reward minus its expectation) arrives (Frémaux & Gerstner 2016).
"""

from __future__ import annotations

import torch


def eligibility_step(e: torch.Tensor, coincidence: torch.Tensor, dt: float, tau_e: float) -> torch.Tensor:
    """Eligibility trace of a three-factor rule (Frémaux & Gerstner 2016):
    e ← e · exp(−Δt/τ_e) + post·preᵀ, decaying with τ_e and accumulating Hebbian coincidences."""
    return e * torch.exp(torch.as_tensor(-dt / tau_e, dtype=e.dtype)) + coincidence


def three_factor(
    e: torch.Tensor, reward: torch.Tensor | float, baseline: torch.Tensor | float, eta: float
) -> torch.Tensor:
    """Three-factor update, Δw = η · M · e with the neuromodulator M = R − b (reward minus its
    expectation; Frémaux, Sprekeler & Gerstner 2010)."""
    m = torch.as_tensor(reward, dtype=e.dtype) - torch.as_tensor(baseline, dtype=e.dtype)
    while m.dim() < e.dim():  # broadcast a per-seed modulator over the weight matrix
        m = m.unsqueeze(-1)
    return eta * m * e


def running_baseline(b: torch.Tensor, reward: torch.Tensor, rate: float) -> torch.Tensor:
    """Expected reward of the three-factor rule as a running mean, b ← b + α (R − b), so that the
    modulator M = R − b is a reward prediction error (Frémaux, Sprekeler & Gerstner 2010).

    b and reward broadcast together (one per seed, or a scalar for a batch mean); α = `rate`."""
    return b + rate * (reward - b)
