"""Fast weights: a Hebbian outer-product store that fades every step (Ba, Hinton, Mnih, Leibo &
Ionescu 2016, "Using fast weights to attend to the recent past").

Shapes: the key k is the presynaptic activity (..., n_in), the value v the postsynaptic one
(..., n_out), the store A (..., n_out, n_in); extra leading axes (sequences, seeds) broadcast.
"""

from __future__ import annotations

import torch


def fast_weight_update(a: torch.Tensor, k: torch.Tensor, v: torch.Tensor, lam: float, eta: float) -> torch.Tensor:
    """One decaying Hebbian write, A ← λ·A + η·v·kᵀ (A_ij ← λ A_ij + η v_i k_j).

    λ: decay per step (0 ≤ λ ≤ 1, 1 = no forgetting); η: write strength.
    a: (..., n_out, n_in), k: (..., n_in), v: (..., n_out) -> (..., n_out, n_in).
    """
    return lam * a + eta * v[..., :, None] * k[..., None, :]
