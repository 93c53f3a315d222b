"""Competitive Hebbian learning: units compete for each input, the winner learns it.

Shapes: W (H, d) one row of weights per unit, x (B, d) a batch of inputs; the update is averaged
over the batch.
"""

from __future__ import annotations

import torch


def krotov_hopfield(W: torch.Tensor, x: torch.Tensor, eta: float, delta: float, k: int) -> torch.Tensor:
    """Competitive Hebbian learning with Oja decay (Krotov & Hopfield 2019, p = 2).

    Currents I_μ = ⟨w_μ, x⟩; per sample the strongest unit gets g = 1 (Hebbian), the k-th strongest
    g = −Δ (anti-Hebbian), all others g = 0;  Δw_μ = η/B Σ_b g_bμ (x_b − I_bμ w_μ).
    The −I w term is Oja's (1982) decay: it keeps |w_μ| → 1 and makes each winner's weights move
    towards the inputs it wins, so units become prototypes of the data. No label is used.
    W: (H, d); x: (B, d); η: rate; Δ: anti-Hebbian strength; k ≥ 2: its rank. Returns ΔW (H, d)."""
    if k < 2:
        raise ValueError(f"the anti-Hebbian unit must not be the winner: k = {k}, need k >= 2")
    n = x.shape[0]
    cur = x @ W.T  # (B, H) currents I
    top = torch.topk(cur, k, dim=1).indices  # (B, k)
    g = torch.zeros_like(cur)  # (B, H)
    g.scatter_(1, top[:, :1], 1.0)
    g.scatter_(1, top[:, k - 1 : k], -delta)
    return eta / n * (g.T @ x - (g * cur).sum(0)[:, None] * W)  # (H, d)
