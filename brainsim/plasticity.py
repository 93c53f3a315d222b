"""Local learning rules as small pure tensor functions: weights in, weight change out.

Shapes: `pre` is (..., n_in), `post` is (..., n_out), `w` is (..., n_out, n_in); a leading batch
dimension is averaged (a batch of samples gives the mean update), so rules vectorise over seeds
by stacking weights along extra leading dimensions.
"""

from __future__ import annotations

import torch


def hebb(pre: torch.Tensor, post: torch.Tensor, eta: float) -> torch.Tensor:
    """Hebb's rule, Δw_ij = η · post_i · pre_j (averaged over the sample axis -2).

    pre: (..., B, n_in), post: (..., B, n_out) -> Δw: (..., n_out, n_in).
    """
    return eta * post.transpose(-1, -2) @ pre / pre.shape[-2]


def oja(pre: torch.Tensor, post: torch.Tensor, w: torch.Tensor, eta: float) -> torch.Tensor:
    """Oja's rule (1982), Δw_ij = η · y_i · (x_j − Σ_k y_k w_kj) for the symmetric subspace
    version; for one output it is Δw = η · y · (x − y · w), which converges to the first
    principal component of x with |w| → 1.

    pre x: (..., B, n_in), post y: (..., B, n_out), w: (..., n_out, n_in).
    """
    b = pre.shape[-2]
    recon = post @ w  # (..., B, n_in): what the outputs predict of the input
    return eta * post.transpose(-1, -2) @ (pre - recon) / b


def bcm(pre: torch.Tensor, post: torch.Tensor, theta: torch.Tensor, eta: float) -> torch.Tensor:
    """BCM rule (Bienenstock, Cooper & Munro 1982), Δw_ij = η · x_j · y_i · (y_i − θ_i),
    θ_i a sliding threshold (a running mean of y_i²; the caller updates it).

    pre: (..., B, n_in), post: (..., B, n_out), theta: (..., n_out).
    """
    return eta * (post * (post - theta.unsqueeze(-2))).transpose(-1, -2) @ pre / pre.shape[-2]


def delta_rule(pre: torch.Tensor, post: torch.Tensor, target: torch.Tensor, eta: float) -> torch.Tensor:
    """Delta rule (Widrow & Hoff 1960), Δw_ij = η · (t_i − y_i) · x_j: error times input.

    For a sigmoid unit with cross-entropy loss this is exactly minus the loss gradient.
    pre x: (..., B, n_in), post y and target t: (..., B, n_out).
    """
    return eta * (target - post).transpose(-1, -2) @ pre / pre.shape[-2]


def eligibility_step(e: torch.Tensor, coincidence: torch.Tensor, dt: float, tau_e: float) -> torch.Tensor:
    """Eligibility trace of a three-factor rule (Frémaux & Gerstner 2016):
    e ← e · exp(−Δt/τ_e) + post·preᵀ, decaying with τ_e and accumulating Hebbian coincidences."""
    return e * torch.exp(torch.as_tensor(-dt / tau_e, dtype=e.dtype)) + coincidence


def three_factor(e: torch.Tensor, reward: torch.Tensor | float, baseline: torch.Tensor | float,
                 eta: float) -> torch.Tensor:
    """Three-factor update, Δw = η · M · e with the neuromodulator M = R − b (reward minus its
    expectation; Frémaux, Sprekeler & Gerstner 2010)."""
    m = torch.as_tensor(reward, dtype=e.dtype) - torch.as_tensor(baseline, dtype=e.dtype)
    while m.dim() < e.dim():  # broadcast a per-seed modulator over the weight matrix
        m = m.unsqueeze(-1)
    return eta * m * e
