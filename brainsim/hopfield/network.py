"""Associative memory: Hopfield storage rules and recall dynamics as small batched tensor functions.

Conventions. N neurons with states s_i ∈ {−1, +1}; P stored patterns ξ^μ ∈ {−1, +1}^N, the rows
of a (P, N) tensor; load α = P/N. Weights W are (N, N), symmetric, with zero diagonal (no
self-coupling). Many networks are simulated at once: a stack of M weight matrices (M, N, N) and a
flat batch of B cues (B, N) with `model[b]` naming the matrix cue b runs on (sorted, so every
matrix's cues are one contiguous slice and its fields are one matrix product).

Storage rules (what a rule is: a function patterns -> weights):
- Hebbian outer product (Hopfield 1982): W = (1/N) Σ_μ ξ^μ ξ^μᵀ, diagonal zeroed.
- Storkey (1997): incremental and local, W^ν = W^{ν−1} + (1/N)(ξξᵀ − ξ hᵀ − h ξᵀ + 2 W^{ν−1}).
- Pseudo-inverse / projection (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky 1987):
  W = (1/N) Ξᵀ C⁻¹ Ξ with C = (1/N) Ξ Ξᵀ, diagonal zeroed.

Recall (how a rule is used): s_i ← sgn(h_i), h = W s, with sgn(0) keeping the old state. Energy
E(s) = −½ sᵀ W s never rises under asynchronous (one neuron at a time) updates when W is symmetric
with a non-negative diagonal; synchronous updates may end in 2-cycles instead.
Modern (dense) Hopfield (Ramsauer et al. 2020): s ← Ξᵀ softmax(β Ξ s).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

WINDOW = 32  # slots an asynchronous cue scans per step for its next unstable neuron
STORKEY_BLOCK = 32  # patterns per block of the blocked Storkey update
SYNC_BLOCK = 2048  # cue rows per block of synchronous recall (keeps its working arrays in cache)
INCREMENTAL_MAX = 0.15  # sync recall updates a field from the changed bits when at most this fraction changed
RECALL_OVERLAP = 0.98  # a cue counts as recalled when the final overlap with its target is >= this
ALPHA_C = 0.138  # Hebbian critical load (Amit, Gutfreund & Sompolinsky 1985)


# --------------------------------------------------------------------------- storage rules


def zero_diagonal(w: torch.Tensor) -> torch.Tensor:
    """W with w_ii = 0 (works on stacks (..., N, N)); returns a new tensor."""
    w = w.clone()
    w.diagonal(dim1=-2, dim2=-1).zero_()
    return w


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
    a = 1.0 + 2.0 / n
    out = [w.reshape(*batch, n, n).clone() for k in want if k == 0]
    ends = sorted({e for e in want if e > 0} | set(range(STORKEY_BLOCK, p, STORKEY_BLOCK)) | {p}) if p else []
    start = 0
    for end in ends:
        k = end - start
        blk = xs[:, start:end]  # (B, k, N)
        g = torch.bmm(blk, w.mT)  # (B, k, N): W_0 ξ for every pattern of the block
        left = xs.new_zeros(xs.shape[0], n, 2 * k)  # (B, N, 2k) L
        right = xs.new_zeros(xs.shape[0], n, 2 * k)  # (B, N, 2k) R
        diag = xs.new_zeros(xs.shape[0], n)  # (B, N) diag(L Rᵀ)
        for j in range(k):
            xi = blk[:, j]  # (B, N)
            lr = torch.bmm(left[..., : 2 * j], torch.bmm(right[..., : 2 * j].mT, xi[..., None])).squeeze(-1)
            h = a**j * (g[:, j] + lr - diag * xi)  # (B, N) field of ξ under W^{start+j}
            c = a ** -(j + 1) / n
            left[..., 2 * j], right[..., 2 * j] = c * xi, xi - h  # ξ (ξ − h)ᵀ
            left[..., 2 * j + 1], right[..., 2 * j + 1] = -c * h, xi  # − h ξᵀ
            diag += left[..., 2 * j] * right[..., 2 * j] + left[..., 2 * j + 1] * right[..., 2 * j + 1]
        w = torch.baddbmm(w, left, right.mT).mul_(a**k)  # (B, N, N) a^k (W_0 + L Rᵀ)
        w.diagonal(dim1=-2, dim2=-1).zero_()
        out += [w.reshape(*batch, n, n).clone() for e in want if e == end]
        start = end
    if snapshots is None:
        return w.reshape(*batch, n, n)
    return torch.stack(out, dim=-3)


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


RULES = {"hebbian": hebbian, "storkey": storkey, "pseudo-inverse": pseudo_inverse}


# --------------------------------------------------------------------------- fields and energy


def segments(model: torch.Tensor | None, n_models: int) -> list[tuple[int, int, int]]:
    """(m, start, stop) slices of a sorted model index: cue rows start:stop run on matrix m."""
    if model is None:
        return []
    counts = torch.bincount(model.cpu(), minlength=n_models).tolist()
    if model.numel() > 1 and bool((model[1:] < model[:-1]).any()):
        raise ValueError("model index must be sorted so each matrix's cues are contiguous")
    out, start = [], 0
    for m, c in enumerate(counts):
        if c:
            out.append((m, start, start + c))
        start += c
    return out


def local_field(
    w: torch.Tensor, s: torch.Tensor, model: torch.Tensor | None = None, segs: list[tuple[int, int, int]] | None = None
) -> torch.Tensor:
    """h = W s for every cue: w (N, N) or (M, N, N); s (B, N) -> (B, N).  h_i = Σ_j w_ij s_j."""
    if w.dim() == 2:
        return s @ w.mT  # (B, N)
    segs = segments(model, w.shape[0]) if segs is None else segs
    h = torch.empty_like(s)
    for m, a, b in segs:
        h[a:b] = s[a:b] @ w[m].mT  # (B_m, N): one matrix product per network
    return h


def energy(
    w: torch.Tensor, s: torch.Tensor, model: torch.Tensor | None = None, segs: list[tuple[int, int, int]] | None = None
) -> torch.Tensor:
    """Hopfield energy E(s) = −½ Σ_ij w_ij s_i s_j (no thresholds). s (B, N) -> (B,)."""
    return -0.5 * (s * local_field(w, s, model, segs)).sum(-1)


def sgn(h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """sgn(h) with ties h = 0 keeping the current state s (so energy cannot rise on a tie)."""
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, s)).to(s.dtype)


# --------------------------------------------------------------------------- recall dynamics


@dataclass
class Recall:
    """Result of running the dynamics from a batch of cues."""

    states: torch.Tensor  # (B, N) final states
    steps: torch.Tensor  # (B,) sweeps until a fixed point (or a 2-cycle for synchronous updates)
    converged: torch.Tensor  # (B,) bool: reached a fixed point or 2-cycle within the budget
    history: torch.Tensor | None = None  # (T, B, N) states at the recorded times
    times: torch.Tensor | None = None  # (T,) recorded times in sweeps (N single-neuron updates = 1 sweep)
    field_rows: int = 0  # cue rows whose full field W s was computed (for FLOP counts: 2 N² each)
    field_columns: int = 0  # weight columns added in incremental field updates (2 N each)


def recall_sync(
    w: torch.Tensor, cues: torch.Tensor, model: torch.Tensor | None = None, max_steps: int = 30, record: bool = False
) -> Recall:
    """Synchronous (parallel) dynamics: s(t+1) = sgn(W s(t)) for all neurons at once.

    Stops per cue at a fixed point s(t+1) = s(t) or a 2-cycle s(t+1) = s(t−1). The cues still moving
    are kept as one block in network order (each network's rows contiguous; cues that stopped are
    dropped from it now and then). Fields are incremental: the field of the new state starts from
    that of whichever of s(t), s(t−1) it is nearer to and adds only the D bits that differ,
        h(t+1) = h_base + Σ_{j: s_j(t+1) ≠ s_j^base} W[:, j] (s_j(t+1) − s_j^base),
    2 N D operations instead of the 2 N² of W s(t+1) (one gather-and-sum per cue, `embedding_bag`).
    Near a 2-cycle s(t+1) is close to s(t−1), so the long transients above capacity cost a few
    columns per step. The first step, and cues that changed more than INCREMENTAL_MAX · N bits, take
    the full product W s, one matrix product per network. With integer weights (Hebbian scaled by N)
    every field is exact, so ties h_i = 0 are exact too.
    Rows are independent, so without `record` the batch runs in blocks of SYNC_BLOCK rows whose
    working arrays stay in cache (5-20% faster here than one block of ~10^4 rows).
    w: (N, N) or (M, N, N); cues: (B, N) ±1; model: (B,) sorted index into the stack.
    """
    b = cues.shape[0]
    if record or b <= SYNC_BLOCK:
        return _recall_sync_block(w, cues, model, max_steps, record)
    if model is None or w.dim() == 2:
        w, model = (w if w.dim() == 3 else w.unsqueeze(0)), torch.zeros(b, dtype=torch.long, device=cues.device)
    segments(model, w.shape[0])  # checks the order
    parts = []
    for a in range(0, b, SYNC_BLOCK):
        e = min(a + SYNC_BLOCK, b)
        m0, m1 = int(model[a]), int(model[e - 1]) + 1  # the networks this block's rows run on
        parts.append(_recall_sync_block(w[m0:m1], cues[a:e], model[a:e] - m0, max_steps, False))
    return Recall(
        torch.cat([r.states for r in parts]),
        torch.cat([r.steps for r in parts]),
        torch.cat([r.converged for r in parts]),
        field_rows=sum(r.field_rows for r in parts),
        field_columns=sum(r.field_columns for r in parts),
    )


def _recall_sync_block(
    w: torch.Tensor, cues: torch.Tensor, model: torch.Tensor | None, max_steps: int, record: bool
) -> Recall:
    """recall_sync on one block of rows (see there)."""
    s = cues.clone()
    b, n = s.shape
    dev = s.device
    stack = w if w.dim() == 3 else w.unsqueeze(0)  # (M, N, N)
    model = torch.zeros(b, dtype=torch.long, device=dev) if model is None else model
    segments(model, stack.shape[0])  # checks the order
    cols = stack.mT.reshape(-1, n)  # (M·N, N): row m·N + j is column j of matrix m
    limit = int(INCREMENTAL_MAX * n)
    done = torch.zeros(b, dtype=torch.bool, device=dev)
    steps = torch.full((b,), max_steps, dtype=torch.long, device=dev)
    hist = [s.clone()] if record else None
    act = torch.arange(b, device=dev)  # (A,) rows of the block: cues in network order
    live = torch.ones(b, dtype=torch.bool, device=dev)  # (A,) still moving (stopped rows wait to be dropped)
    mod = model.clone()  # (A,) network of each row
    cur, h = s.clone(), local_field(stack, s, model)  # (A, N) s(t) and its field
    prev = h_prev = None  # (A, N) s(t−1) and its field
    rows, columns = b, 0
    for t in range(1, max_steps + 1):
        # sgn(h) with a tie h = 0 keeping s: k_i = sign(sign(h_i) s_i + 1/2) is −1 exactly where h_i s_i < 0
        k = torch.sign(h).mul_(cur).add_(0.5).sign_()  # (A, N) −1 where a bit flips, else +1
        d1 = (n - k.sum(1)) / 2  # (A,) bits changed since s(t) (sums of ±1 are exact)
        new = k.mul_(cur)  # (A, N) s(t+1)
        d2 = (n - torch.linalg.vecdot(new, prev)) / 2 if prev is not None else torch.full_like(d1, n + 1)
        fixed = (d1 == 0) & live
        stop = fixed | ((d2 == 0) & live)  # a fixed point, or a 2-cycle s(t+1) = s(t−1)
        if bool(stop.any()):
            ended = act[stop]
            steps[act[fixed]] = t - 1
            steps[act[stop & ~fixed]] = t
            done[ended] = True
            s[ended] = new[stop]
            live &= ~stop
        if record:
            s[act[live]] = new[live]
            hist.append(s.clone())
        if t == max_steps or not bool(live.any()):
            break
        if live.sum() < 0.75 * live.numel():  # drop the stopped rows from the block
            keep = live.nonzero().squeeze(1)
            act, mod, new, cur, h, d1, d2, live = (v[keep] for v in (act, mod, new, cur, h, d1, d2, live))
            if prev is not None:
                prev, h_prev = prev[keep], h_prev[keep]
        # base of the new field: s(t−1) (its buffers are free now) unless s(t) is nearer
        if prev is None:
            delta, h_base = new - cur, None  # (A, N) ±2 where a bit differs from the base, else 0
        else:
            near = (d1 < d2).to(h.dtype)[:, None]  # (A, 1) 1 where s(t) is nearer; lerp with weight 0 or 1 is exact
            delta, h_base = new - torch.lerp(prev, cur, near), h_prev.lerp_(h, near)
        full = (torch.minimum(d1, d2) > limit).nonzero().squeeze(1)  # (F,) far from both: full product W s
        if full.numel():
            delta[full] = 0.0
        r, j = delta.nonzero(as_tuple=True)  # (D,) in row order: the differing bits of each row
        counts = torch.bincount(r, minlength=new.shape[0])
        step = torch.nn.functional.embedding_bag(
            mod[r] * n + j, cols, torch.cumsum(counts, 0) - counts, mode="sum", per_sample_weights=delta[r, j]
        )  # (A, N) Σ_j W[:, j] Δs_j
        h_new = step.add_(h) if h_base is None else h_base.add_(step)  # (A, N) h(t+1)
        columns += int(r.numel())
        if full.numel():
            h_new[full] = local_field(stack, new[full], mod[full])
            rows += full.numel()
        prev, h_prev, cur, h = cur, h, new, h_new
    if not record:
        s[act[live]] = new[live]
    times = torch.arange(len(hist), dtype=torch.float32) if record else None
    return Recall(s, steps, done, torch.stack(hist) if record else None, times, rows, columns)


def recall_async(
    w: torch.Tensor,
    cues: torch.Tensor,
    generator: torch.Generator,
    model: torch.Tensor | None = None,
    max_sweeps: int = 30,
    record_every: int = 0,
) -> Recall:
    """Asynchronous dynamics: one neuron at a time, s_i ← sgn(Σ_j w_ij s_j), in a fresh random order per sweep.

    Each cue b visits its neurons in its own random order (order[b], redrawn every sweep of N
    updates). Visiting a stable neuron (h_i s_i ≥ 0) changes nothing, so instead of stepping through
    all N slots one by one, every cue at once scans the next WINDOW slots of its order for the first
    unstable neuron (h_i s_i < 0), flips it and corrects its fields with a rank-1 step
    h ← h + (s_i' − s_i) W[:, i], or, finding none, moves past the whole window. The states are
    exactly those of the one-at-a-time dynamics, but the Python loop runs about once per flip (max
    over the batch) plus N/WINDOW times per sweep, each step batched over the cues. Fields are recomputed
    exactly as W s at the start of each sweep, so rounding cannot drift. A cue stops when a whole
    sweep flips nothing (a fixed point). `record_every` > 0 stores the states every that many
    single-neuron updates (1 = after every update, for the energy property test).
    """
    s = cues.clone()
    b, n = s.shape
    dev = s.device
    segs = segments(model, w.shape[0]) if w.dim() == 3 else None
    wt = w.mT.reshape(-1, n)  # (M·N, N): row base[b] + i is column i of cue b's matrix
    base = model * n if segs is not None else torch.zeros(b, dtype=torch.long, device=dev)  # (B,)
    width = min(n, WINDOW)
    window = torch.arange(width, device=dev)  # (K,) look-ahead offsets
    done = torch.zeros(b, dtype=torch.bool, device=dev)
    steps = torch.full((b,), max_sweeps, dtype=torch.long, device=dev)
    hist, times = ([s.clone()], [0.0]) if record_every else (None, None)
    bounds = list(range(record_every, n, record_every)) + [n] if record_every else [n]
    field_rows = 0
    for sweep in range(1, max_sweeps + 1):
        live = (~done).nonzero().squeeze(1)  # (A,) cues not yet at a fixed point
        h = torch.zeros_like(s)
        for m, a, e in segs if segs is not None else [(None, 0, b)]:
            idx = live[(live >= a) & (live < e)]
            if idx.numel():
                h[idx] = s[idx] @ (w if m is None else w[m]).mT  # (A_m, N) exact field at the start of the sweep
        field_rows += live.numel()
        order = torch.zeros(b, n, dtype=torch.long, device=dev)
        order[live] = torch.argsort(torch.rand(live.numel(), n, generator=generator), dim=1).to(dev)  # own order
        ptr = torch.zeros(b, dtype=torch.long, device=dev)  # (B,) next slot each cue will visit
        flips = torch.zeros(b, dtype=torch.long, device=dev)
        for limit in bounds:  # visit slots [ptr, limit) of every live cue, then (maybe) record
            act = live[ptr[live] < limit]
            while act.numel():
                # look WINDOW slots ahead of each cue's pointer; cues are independent, so a cue whose
                # window holds no unstable neuron visits those slots without a change and moves past them
                slots = ptr[act, None] + window  # (A, K) next slots in visiting order
                ok = slots < limit
                flat = act[:, None] * n
                nid = order.view(-1)[flat + slots.clamp(max=n - 1)]  # (A, K) neuron ids in those slots
                unstable = (h.view(-1)[flat + nid] * s.view(-1)[flat + nid] < 0) & ok  # would flip if visited
                hit = unstable.any(1)
                j = unstable.to(torch.int8).argmax(1)  # first unstable slot in the window
                ptr[act] = torch.where(hit, ptr[act] + j + 1, (ptr[act] + width).clamp(max=limit))
                mv = act[hit]  # cues that flip one neuron now
                if mv.numel():
                    i = nid[hit, j[hit]]  # (F,) the neuron each flips
                    new = -s[mv, i]
                    s[mv, i] = new
                    h[mv] += (2 * new)[:, None] * wt[base[mv] + i]  # (F, N) rank-1 field correction
                    flips[mv] += 1
                act = act[ptr[act] < limit]
            ptr.clamp_(min=limit)
            if record_every:
                hist.append(s.clone())
                times.append((sweep - 1) + limit / n)
        newly = (flips == 0) & ~done
        steps[newly] = sweep - 1
        done |= newly
        if bool(done.all()):
            break
    if record_every:
        return Recall(s, steps, done, torch.stack(hist), torch.tensor(times), field_rows)
    return Recall(s, steps, done, field_rows=field_rows)


def recall(
    w: torch.Tensor,
    cues: torch.Tensor,
    mode: str,
    generator: torch.Generator | None = None,
    model: torch.Tensor | None = None,
    max_steps: int = 30,
    record_every: int = 0,
) -> Recall:
    """Dispatch on `mode` ('sync' or 'async'); for 'sync', any record_every > 0 records every step."""
    if mode == "sync":
        return recall_sync(w, cues, model, max_steps, record=record_every > 0)
    if mode == "async":
        return recall_async(w, cues, generator, model, max_steps, record_every)
    raise ValueError(f"unknown update mode {mode!r}")


# --------------------------------------------------------------------------- modern Hopfield


def modern_step(patterns: torch.Tensor, s: torch.Tensor, beta: float) -> torch.Tensor:
    """One update of the modern (dense) Hopfield network (Ramsauer et al. 2020).

    s_new = Ξᵀ softmax(β Ξ s),  Ξ: (P, N) stored patterns, β: inverse temperature; this is
    attention with the state as query and the patterns as keys and values. s (B, N) -> (B, N).
    """
    return torch.softmax(beta * s @ patterns.mT, dim=-1) @ patterns  # (B, P) @ (P, N)


def modern_energy(patterns: torch.Tensor, s: torch.Tensor, beta: float) -> torch.Tensor:
    """E(s) = −β⁻¹ log Σ_μ exp(β ξ^μ·s) + ½ sᵀs (constants dropped); falls under modern_step. -> (B,)."""
    return -torch.logsumexp(beta * s @ patterns.mT, dim=-1) / beta + 0.5 * (s * s).sum(-1)


def recall_modern(
    patterns: torch.Tensor,
    cues: torch.Tensor,
    beta: float,
    pattern_model: torch.Tensor,
    model: torch.Tensor,
    max_steps: int = 30,
    record: bool = False,
    tol: float = 1e-4,
):
    """Iterate modern_step until the state moves less than `tol` (max abs change) for every cue.

    patterns: flat (ΣP, N) with pattern_model (ΣP,) naming each pattern's network; cues (B, N) with
    model (B,). Returns (continuous final states (B, N), steps (B,), history (T, B, N) or None,
    energies (T, B) or None). Binarise with sign to compare with the classical networks.
    """
    psegs = {m: (a, e) for m, a, e in segments(pattern_model, int(pattern_model.max()) + 1)}
    segs = segments(model, int(model.max()) + 1)
    s = cues.clone()
    steps = torch.full((s.shape[0],), max_steps, dtype=torch.long, device=s.device)
    done = torch.zeros(s.shape[0], dtype=torch.bool, device=s.device)

    def energies(state):
        out = torch.empty(state.shape[0], device=state.device)
        for m, a, e in segs:
            pa, pe = psegs[m]
            out[a:e] = modern_energy(patterns[pa:pe], state[a:e], beta)
        return out

    hist, ens = ([s.clone()], [energies(s)]) if record else (None, None)
    for t in range(1, max_steps + 1):
        new = torch.empty_like(s)
        for m, a, e in segs:
            pa, pe = psegs[m]
            new[a:e] = modern_step(patterns[pa:pe], s[a:e], beta)
        moved = (new - s).abs().amax(1)
        newly = (moved < tol) & ~done
        steps[newly] = t - 1
        done |= newly
        s = new
        if record:
            hist.append(s.clone())
            ens.append(energies(s))
        if bool(done.all()):
            break
    if record:
        return s, steps, torch.stack(hist), torch.stack(ens)
    return s, steps, None, None


# --------------------------------------------------------------------------- measuring recall


def overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """m = (1/N) Σ_i a_i b_i, row by row: 1 = identical, −1 = reversed, ~0 = unrelated. -> (B,)."""
    return (a * b).sum(-1) / a.shape[-1]


OUTCOMES = ("recalled", "other pattern", "mixture", "partial", "spurious")


def classify(
    final: torch.Tensor,
    patterns: torch.Tensor,
    pattern_model: torch.Tensor,
    target: torch.Tensor,
    model: torch.Tensor,
    n_models: int,
) -> torch.Tensor:
    """Label each final state (index into OUTCOMES):

    recalled: overlap with its target ≥ 0.98; other pattern: |overlap| ≥ 0.98 with another stored
    pattern or with the reversed target; mixture: |overlap| ≥ 0.25 with at least three stored patterns
    (the symmetric 3-mixture sgn(ξ¹+ξ²+ξ³) has overlap 0.5 with each); partial: overlap with the target
    in [0.5, 0.98); spurious: anything else (spin-glass-like states unrelated to the patterns).
    final (B, ±1); patterns flat (ΣP, N); target (B,) row index into patterns. -> (B,) long.
    """
    out = torch.empty(final.shape[0], dtype=torch.long, device=final.device)
    psegs = {m: (a, e) for m, a, e in segments(pattern_model, n_models)}
    for m, a, e in segments(model, n_models):
        pa, pe = psegs[m]
        ov = final[a:e] @ patterns[pa:pe].mT / final.shape[-1]  # (B_m, P_m) overlaps with every pattern
        own = ov.gather(1, (target[a:e] - pa)[:, None]).squeeze(1)
        big = ov.abs() >= RECALL_OVERLAP
        big.scatter_(1, (target[a:e] - pa)[:, None], (own <= -RECALL_OVERLAP)[:, None])  # reversed target
        many = (ov.abs() >= 0.25).sum(1) >= 3
        lab = torch.full_like(own, 4, dtype=torch.long)
        lab[own >= 0.5] = 3
        lab[many] = 2
        lab[big.any(1)] = 1
        lab[own >= RECALL_OVERLAP] = 0
        out[a:e] = lab
    return out


# --------------------------------------------------------------------------- cues


def flip_cue(patterns: torch.Tensor, fraction: float, generator: torch.Generator) -> torch.Tensor:
    """Flip exactly round(fraction·N) randomly chosen bits of each pattern (a cue at overlap 1 − 2f)."""
    p, n = patterns.shape
    k = int(round(fraction * n))
    ranks = torch.argsort(torch.rand(p, n, generator=generator), dim=1)  # (P, N) random permutation per row
    flip = (ranks < k).to(patterns.device)
    return torch.where(flip, -patterns, patterns)


def occlude_cue(patterns: torch.Tensor, fraction: float) -> torch.Tensor:
    """Blank (set to −1, 'off') the last round(fraction·N) pixels in row-major order: the bottom of an image."""
    n = patterns.shape[-1]
    k = int(round(fraction * n))
    out = patterns.clone()
    if k:
        out[..., n - k :] = -1.0
    return out
