"""Fast weights: a Hebbian outer-product store that fades every step. With a key k and a value v from
different sources it is a hetero-associative correlation-matrix memory (Kohonen 1972) with decay, the
write of fast-weight programmers (Schmidhuber 1992) and linear transformers (Schlag, Irie &
Schmidhuber 2021). Ba, Hinton, Mnih, Leibo & Ionescu (2016) use the auto-associative case k = v = h,
A ← λA + η·h·hᵀ, on a trained RNN's hidden state h.

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
