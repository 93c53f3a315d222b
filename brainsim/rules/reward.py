"""Reward rules: REINFORCE (Williams 1992) written as three-factor updates Δw = η · M · e, with the
neuromodulator M = R − b (reward minus a running baseline) and a per-sample eligibility e
(Frémaux & Gerstner 2016; brainsim.rules.three_factor is the single-trace form).

Shapes: a batch of B samples; the update is averaged over it. Each function returns (ΔW, Δb).
"""

from __future__ import annotations

import torch


def reinforce_output(
    h: torch.Tensor, p: torch.Tensor, k: torch.Tensor, m: torch.Tensor, eta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """REINFORCE for a softmax policy π = softmax(z), z = W h + b (Williams 1992).

    e = (onehot(k) − π) hᵀ = ∂ ln π_k / ∂W, the eligibility (pre × post-minus-expected);
    ΔW = η/B Σ_b M_b e_b, Δb = η/B Σ_b M_b (onehot(k_b) − π_b).
    h (B, H) presynaptic rates; p = π (B, C); k (B,) the sampled answers; m = M (B,).
    Returns ΔW (C, H), Δb (C,)."""
    n = h.shape[0]
    post = (torch.nn.functional.one_hot(k, p.shape[1]).to(p.dtype) - p) * m[:, None]  # (B, C)
    return eta / n * post.T @ h, eta / n * post.sum(0)


def node_perturbation(
    x: torch.Tensor, xi: torch.Tensor, m: torch.Tensor, sigma: float, eta: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """REINFORCE for Gaussian units h = f(W x + b + ξ), ξ ~ N(0, σ²) (node perturbation;
    Williams 1992, Fiete & Seung 2006).

    e = (ξ / σ²) xᵀ = ∂ ln p(ξ) / ∂W;  ΔW = η/B Σ_b M_b e_b, Δb = η/B Σ_b M_b ξ_b / σ².
    The expected update is the gradient of the expected reward; its variance grows with the number
    of units perturbed and answers, so it needs more samples than backprop (Werfel, Xie & Seung 2005).
    x (B, d) presynaptic input; xi = ξ (B, H) the units' own noise; m = M (B,).
    Returns ΔW (H, d), Δb (H,)."""
    n = x.shape[0]
    post = xi / sigma**2 * m[:, None]  # (B, H)
    return eta / n * post.T @ x, eta / n * post.sum(0)


def entropy_bonus(h: torch.Tensor, p: torch.Tensor, beta: float, eta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Entropy bonus of a softmax policy (Williams & Peng 1991): ΔW = η β/B Σ_b (∂H/∂z)_b h_bᵀ, with
    H = −Σ_j π_j ln π_j and ∂H/∂z_j = −π_j (ln π_j + H).

    It keeps the answer distribution from collapsing onto one confident answer, where REINFORCE's
    eligibility (onehot(k) − π) vanishes and confidently wrong inputs stop learning.
    h (B, H) rates; p = π (B, C); β the bonus weight; η the rate. Returns ΔW (C, H), Δb (C,)."""
    logp = torch.log(p.clamp_min(1e-12))  # (B, C)
    gh = -p * (logp - (p * logp).sum(1, keepdim=True))  # (B, C) ∂H/∂z
    n = h.shape[0]
    return eta * beta / n * gh.T @ h, eta * beta / n * gh.sum(0)
