"""Hebbian family: two-factor rules driven by pre- and postsynaptic activity alone.

Shapes: `pre` is (..., B, n_in), `post` is (..., B, n_out), `w` is (..., n_out, n_in); the sample
axis B is averaged (a batch gives the mean update), and extra leading axes (seeds) broadcast.
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


def sanger(pre: torch.Tensor, post: torch.Tensor, w: torch.Tensor, eta: float) -> torch.Tensor:
    """Sanger's generalised Hebbian algorithm (1989): ΔW = η · (y xᵀ − LT[y yᵀ] W), y = W x, averaged over
    the batch; LT keeps the lower triangle with the diagonal. Unit i learns Oja's rule on the input minus
    what units 1…i reconstruct of it (x − Σ_{k≤i} y_k w_k), so the rows converge, in order, to the first k
    principal components of zero-mean x, with |w_i| → 1. With k = 1 it is Oja's rule.

    pre x: (B, n_in), post y: (B, k), w: (k, n_in) -> ΔW: (k, n_in)."""
    b = pre.shape[0]
    return eta * (post.T @ pre - torch.tril(post.T @ post) @ w) / b
