"""Recurrent auto-associative memory: sparse binary items, noisy cues and the recall dynamics every
learner shares (the brain-like synapses and the backprop twins alike).

Items are binary patterns xi in {0, 1}^N with exactly k = round(f N) active units (coding level f).
Recall (identical for every learner): start from a noisy cue x_0, then for a few steps

    h = W x_t + sigma z,   z ~ N(0, 1)          (field plus neural noise)
    x_{t+1} = kWTA(h)                            (global inhibition keeps the k most driven units)

and score the overlap m = (x . xi / k - f) / (1 - f): 1 is perfect recall, 0 is chance (a random
set of k units). Because the noise sigma is fixed, recall needs the stored trace to stand out of
it: weights decayed towards zero mean chance, whatever their sign pattern.
"""

from __future__ import annotations

import torch

from brainsim.runtime import torch_generator


def n_active(n: int, f: float) -> int:
    """Active units k = round(f N) of an item, at least 1 and at most N - 1."""
    return max(1, min(n - 1, round(f * n)))


def make_items(seeds: list[int], n_items: int, n: int, f: float, stream: int, device: torch.device) -> torch.Tensor:
    """(S, P, N) binary items with exactly k active units each; seed s alone decides its items."""
    k = n_active(n, f)
    out = []
    for s in seeds:
        u = torch.rand((n_items, n), generator=torch_generator(s, 3, stream))  # (P, N)
        idx = u.argsort(dim=1)[:, :k]  # (P, k)
        out.append(torch.zeros((n_items, n)).scatter_(1, idx, 1.0))
    return torch.stack(out).to(device)  # (S, P, N)


def active_rows(x: torch.Tensor) -> torch.Tensor | None:
    """Sorted active units (S, k) of binary patterns x (S, N) when every seed has the same k, else None.

    Learning from a binary item changes only the rows (or, stored pre-major, the input rows) of its
    active units: the synapses, the eligibility trace and both backprop nets use these to touch k of N rows.
    """
    nz = (x > 0.5).nonzero()  # (S * k, 2), row-major: sorted per seed
    s = x.shape[0]
    if nz.shape[0] % s or not bool(((x == 0) | (x == 1)).all()):
        return None
    act = nz[:, 1].view(s, -1)
    return act if bool((nz[:, 0].view(s, -1) == torch.arange(s, device=x.device).unsqueeze(1)).all()) else None


def flat_rows(act: torch.Tensor, n: int) -> torch.Tensor:
    """The rows `act` (S, k) of an (S, N, M) tensor as row indices (S * k,) of its (S * N, M) view."""
    return (act + n * torch.arange(act.shape[0], device=act.device).unsqueeze(1)).reshape(-1)


def per_seed(draw, shape: tuple[int, ...], gens, axis: int = 0) -> torch.Tensor:
    """`draw(shape, generator=g)` (torch.rand, torch.randn) with a seed axis of length S at `axis` of `shape`:
    one generator for the whole batch, or a list of S generators, seed s's slice then coming from gens[s]
    alone (so it is the same whatever other seeds run beside it). Drawn on the CPU."""
    if isinstance(gens, torch.Generator):
        return draw(shape, generator=gens)
    one = shape[:axis] + shape[axis + 1 :]
    return torch.stack([draw(one, generator=g) for g in gens], dim=axis)


def make_cues(items: torch.Tensor, noise: float, gen) -> torch.Tensor:
    """Noisy cues: a fraction `noise` of each item's active units is swapped for inactive ones.

    items: (S, M, N) -> (S, M, N) with the same number k of active units. gen: a torch.Generator, or one
    per seed (`per_seed`).
    """
    k = int(items[0, 0].sum().item())
    n_swap = int(round(noise * k))
    if n_swap == 0:
        return items.clone()
    u = per_seed(torch.rand, tuple(items.shape), gen).to(items.device)  # (S, M, N)
    on = items > 0.5
    drop = torch.where(on, u, torch.full_like(u, 2.0)).topk(n_swap, dim=-1, largest=False).indices
    add = torch.where(on, torch.full_like(u, -1.0), u).topk(n_swap, dim=-1).indices
    cue = items.clone()
    cue.scatter_(-1, drop, 0.0)
    cue.scatter_(-1, add, 1.0)
    return cue


def kwta(h: torch.Tensor, k: int) -> torch.Tensor:
    """k-winners-take-all along the last axis: 1 for the k largest fields, 0 elsewhere."""
    idx = h.topk(k, dim=-1).indices
    return torch.zeros_like(h).scatter_(-1, idx, 1.0)


def linear_field(w: torch.Tensor):
    """The field map x -> W x of a weight matrix w (S, N, N) (row i = postsynaptic), on x (S, M, N)."""
    wt = w.transpose(1, 2)  # (S, N, N): x @ W^T gives fields h_i = sum_j W_ij x_j
    return lambda x: torch.bmm(x, wt)  # (S, M, N)


def recall(w, cue: torch.Tensor, k: int, steps: int, noise: torch.Tensor) -> torch.Tensor:
    """Run the recurrent dynamics from the cue.

    w: (S, N, N) weights (row i = postsynaptic), or any field map x (S, M, N) -> h (S, M, N) (the
    autoencoder's output); cue: (S, M, N); noise: (steps, S, M, N) pre-scaled neural noise sigma z
    (shared by learners so comparisons are paired). Returns x_T (S, M, N).
    """
    field = w if callable(w) else linear_field(w)
    x = cue
    for t in range(steps):
        h = field(x) + noise[t]  # (S, M, N)
        x = kwta(h, k)
    return x


def overlap(x: torch.Tensor, items: torch.Tensor, f: float) -> torch.Tensor:
    """Centred overlap m = (x . xi / k - f) / (1 - f): (S, M); 1 perfect, 0 chance."""
    k = items.sum(-1).clamp(min=1)  # (S, M)
    return ((x * items).sum(-1) / k - f) / (1.0 - f)


def strength(w, items: torch.Tensor) -> torch.Tensor:
    """Trace strength of each item in w (weights (S, N, N) or a field map as in `recall`): mean field on
    its active units minus on its inactive units, with the clean item as input. One fresh Hebbian
    presentation with eta = 1 gives 1; a perfect autoencoder output gives 1. (S, M)."""
    h = (w if callable(w) else linear_field(w))(items)  # (S, M, N)
    on = items.sum(-1).clamp(min=1)
    off = (items.shape[-1] - items.sum(-1)).clamp(min=1)
    return (h * items).sum(-1) / on - (h * (1 - items)).sum(-1) / off
