"""Hopfield storage rules: patterns -> a symmetric weight matrix with zero diagonal.

Shapes: N neurons with states ±1; P stored patterns ξ^μ ∈ {−1, +1}^N are the rows of a (..., P, N)
tensor Ξ, and the weights W are (..., N, N), w_ii = 0 (no self-coupling); extra leading axes (seeds)
broadcast. Load α = P/N.
- Hebbian outer product (Hopfield 1982): W = (1/N) Σ_μ ξ^μ ξ^μᵀ, diagonal zeroed.
- Storkey (1997): incremental and local, W^ν = W^{ν−1} + (1/N)(ξξᵀ − ξ hᵀ − h ξᵀ + 2 W^{ν−1}).
- Pseudo-inverse / projection (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987):
  W = (1/N) Ξᵀ C⁻¹ Ξ with C = (1/N) Ξ Ξᵀ, diagonal zeroed.
"""

from __future__ import annotations

import torch

STORKEY_BLOCK = 32  # patterns per block of the blocked Storkey update


def hebbian(patterns: torch.Tensor) -> torch.Tensor:
    """Hebbian outer-product rule (Hopfield 1982).

    w_ij = (1/N) Σ_μ ξ_i^μ ξ_j^μ for i ≠ j, w_ii = 0.
    ξ^μ: stored pattern μ (±1), N: number of neurons, the sum runs over the P patterns.
    patterns: (..., P, N) -> weights (..., N, N).
    """
    n = patterns.shape[-1]
    w = patterns.mT @ patterns / n  # (..., N, N)
    w.diagonal(dim1=-2, dim2=-1).zero_()
    return w


def nested_outer(z: torch.Tensor, counts: list[int]) -> torch.Tensor:
    """W_P = (1/N) Σ_{μ<P} z^μ z^μᵀ, diagonal zeroed, for every P in the sorted list counts, adding only
    the new outer products at each count (Hebbian: z = Ξ): z (..., P_max, N) -> (..., len(counts), N, N)."""
    if list(counts) != sorted(counts):
        raise ValueError("counts must be sorted")
    n = z.shape[-1]
    out = z.new_empty(*z.shape[:-2], len(counts), n, n)  # (..., L, N, N)
    w, done = z.new_zeros(*z.shape[:-2], n, n), 0
    for k, p in enumerate(counts):
        new = z[..., done:p, :]  # (..., ΔP, N)
        w = w + new.mT @ new / n
        done = p
        out[..., k, :, :] = w
    out.diagonal(dim1=-2, dim2=-1).zero_()
    return out


def storkey(patterns: torch.Tensor, snapshots: list[int] | None = None) -> torch.Tensor:
    """Storkey (1997) incremental learning rule, stored one pattern at a time.

    w_ij^ν = w_ij^{ν−1} + (1/N) (ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j),   h_ij = Σ_{k≠i,j} w_ik^{ν−1} ξ_k,
    ξ = ξ^ν the new pattern. With a zero diagonal and symmetric W, h_ij = h_i − w_ij ξ_j where
    h = W^{ν−1} ξ is the local field, so the update is the rank-2 step
        W^ν = a W^{ν−1} + (1/N) (ξ ξᵀ − ξ hᵀ − h ξᵀ),   a = 1 + 2/N,   diagonal kept at zero.
    Blocked so the N×N work is matrix products: within a block of k patterns starting from W_0,
    W^j = a^j (W_0 + L Rᵀ − diag(L Rᵀ)) where L, R (N, 2j) collect the rank-2 terms (scaled by
    a^{−i}/N), so the field h = a^j (W_0 ξ + L (Rᵀ ξ) − diag(L Rᵀ) ∘ ξ) needs only the block's
    W_0 Ξᵀ (one product) and O(N j) per pattern; the block ends with W ← a^k (W_0 + L Rᵀ), zero diagonal.

    patterns: (..., P, N). Returns (..., N, N) after all P patterns, or, with `snapshots` (a sorted
    list of pattern counts), (..., len(snapshots), N, N): the weights after the first P_k patterns
    (the rule is incremental, so every load of a sweep comes from one pass).
    """
    *batch, p, n = patterns.shape
    want = sorted(set(snapshots or [p]))
    if want and (want[0] < 0 or want[-1] > p):
        raise ValueError("snapshots must lie in [0, P]")
    xs = patterns.reshape(-1, p, n)  # (B, P, N): leading dims flattened
    w = patterns.new_zeros(xs.shape[0], n, n)  # (B, N, N)
    out = [w.reshape(*batch, n, n).clone() for k in want if k == 0]
    ends = sorted({e for e in want if e > 0} | set(range(STORKEY_BLOCK, p, STORKEY_BLOCK)) | {p}) if p else []
    start = 0
    for end in ends:
        w = _storkey_block(w, xs[:, start:end])
        out += [w.reshape(*batch, n, n).clone() for e in want if e == end]
        start = end
    if snapshots is None:
        return w.reshape(*batch, n, n)
    return torch.stack(out, dim=-3)


def _storkey_block(w: torch.Tensor, blk: torch.Tensor) -> torch.Tensor:
    """Storkey's rule over one block of k patterns, w (B, N, N) = W_0, blk (B, k, N) -> W after the block."""
    n, k = blk.shape[-1], blk.shape[1]
    a = 1.0 + 2.0 / n
    g = torch.bmm(blk, w.mT)  # (B, k, N): W_0 ξ for every pattern of the block
    left = blk.new_zeros(blk.shape[0], n, 2 * k)  # (B, N, 2k) L
    right = blk.new_zeros(blk.shape[0], n, 2 * k)  # (B, N, 2k) R
    diag = blk.new_zeros(blk.shape[0], n)  # (B, N) diag(L Rᵀ)
    for j in range(k):
        xi = blk[:, j]  # (B, N)
        coef = torch.bmm(right[..., : 2 * j].mT, xi[..., None]).mT  # (B, 1, 2j) Rᵀ ξ
        lr = torch.linalg.vecdot(left[..., : 2 * j], coef)  # (B, N) L Rᵀ ξ, row by row: exact per batch slice
        h = a**j * (g[:, j] + lr - diag * xi)  # (B, N) field of ξ under W^{start+j}
        c = a ** -(j + 1) / n
        left[..., 2 * j], right[..., 2 * j] = c * xi, xi - h  # ξ (ξ − h)ᵀ
        left[..., 2 * j + 1], right[..., 2 * j + 1] = -c * h, xi  # − h ξᵀ
        diag += left[..., 2 * j] * right[..., 2 * j] + left[..., 2 * j + 1] * right[..., 2 * j + 1]
    w = torch.baddbmm(w, left, right.mT).mul_(a**k)  # (B, N, N) a^k (W_0 + L Rᵀ)
    w.diagonal(dim1=-2, dim2=-1).zero_()
    return w


def pseudo_inverse(patterns: torch.Tensor, snapshots: list[int] | None = None) -> torch.Tensor:
    """Pseudo-inverse (projection) rule (Personnaz et al. 1985), diagonal removed (Kanter & Sompolinsky 1987).

    W = (1/N) Ξᵀ C⁻¹ Ξ,   C_μν = (1/N) ξ^μ · ξ^ν  (the P×P pattern-overlap matrix),
    Ξ: the (P, N) pattern matrix. W projects onto the span of the patterns, so W ξ^μ = ξ^μ exactly;
    with the diagonal zeroed, h_i = (1 − w_ii^{full}) ξ_i^μ with w_ii^{full} ≈ α, so every pattern
    stays a fixed point for α < 1 and the basins of attraction grow. With the Cholesky factor
    C = L Lᵀ and Z = L⁻¹ Ξ (row μ: ξ^μ orthogonalised against the earlier patterns, Gram–Schmidt),
    W = (1/N) Zᵀ Z = (1/N) Σ_μ z^μ z^μᵀ. The leading P×P block of L is the factor of the first P
    patterns' C, so the weights for every prefix come from one factorisation as nested sums, like
    the Hebbian rule's. Solved in float64 for accuracy.
    patterns: (..., P, N) with P < N linearly independent rows -> (..., N, N), or, with `snapshots`
    (pattern counts), (..., len(snapshots), N, N): the weights after the first P_k patterns.
    """
    n = patterns.shape[-1]
    x = patterns.double()
    c = (patterns @ patterns.mT).double() / n  # (..., P, P), SPD for independent patterns; ±1 sums are exact
    # Cholesky, not LU: batched LU solves of this size return garbage with the MKL in torch 2.13 (CPU).
    chol, info = torch.linalg.cholesky_ex(c)
    if bool((info != 0).any()):  # dependent patterns (a repeated row): project with the SVD pseudo-inverse
        if snapshots is not None:
            return torch.stack([pseudo_inverse(patterns[..., :k, :]) for k in snapshots], dim=-3)
        w = (torch.linalg.pinv(x) @ x).to(patterns.dtype)
        w.diagonal(dim1=-2, dim2=-1).zero_()
        return w
    z = torch.linalg.solve_triangular(chol, x, upper=False).to(patterns.dtype)  # (..., P, N) Z = L⁻¹ Ξ
    if snapshots is None:
        w = z.mT @ z / n  # (..., N, N)
        w.diagonal(dim1=-2, dim2=-1).zero_()
        return w
    return nested_outer(z, snapshots)


# name -> rule, patterns (..., P, N) -> weights (..., N, N)
RULES = {"hebbian": hebbian, "storkey": storkey, "pseudo-inverse": pseudo_inverse}
