"""Recall dynamics of a classical Hopfield network: local field, energy, and running cues to a fixed point.

N neurons with states s_i ∈ {−1, +1}; weights W (N, N), symmetric with zero diagonal. Many networks
are simulated at once: a stack of M weight matrices (M, N, N) and a flat batch of B cues (B, N) with
`model[b]` naming the matrix cue b runs on (sorted, so every matrix's cues are one contiguous slice
and its fields are one matrix product).

Recall: s_i ← sgn(h_i), h = W s, with sgn(0) keeping the old state. Energy E(s) = −½ sᵀ W s never
rises under asynchronous (one neuron at a time) updates when W is symmetric with a non-negative
diagonal; synchronous updates may end in 2-cycles instead. `settle` is the one synchronous
recall-to-fixed-point loop for any field function (the autoencoder uses it); `recall_sync` is its
fast form for weight matrices (incremental fields), tested equal to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

WINDOW = 32  # slots an asynchronous cue scans per step for its next unstable neuron
SYNC_BLOCK = 2048  # cue rows per block of synchronous recall (keeps its working arrays in cache)
INCREMENTAL_MAX = 0.15  # sync recall updates a field from the changed bits when at most this fraction changed

Segments = list[tuple[int, int, int]]


def segments(model: torch.Tensor | None, n_models: int) -> Segments:
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
    w: torch.Tensor, s: torch.Tensor, model: torch.Tensor | None = None, segs: Segments | None = None
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
    w: torch.Tensor, s: torch.Tensor, model: torch.Tensor | None = None, segs: Segments | None = None
) -> torch.Tensor:
    """Hopfield energy E(s) = −½ Σ_ij w_ij s_i s_j (no thresholds). s (B, N) -> (B,)."""
    return -0.5 * (s * local_field(w, s, model, segs)).sum(-1)


def sgn(h: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """sgn(h) with ties h = 0 keeping the current state s (so energy cannot rise on a tie)."""
    return torch.where(h > 0, 1.0, torch.where(h < 0, -1.0, s)).to(s.dtype)


@dataclass
class Recall:
    """Result of running the dynamics from a batch of cues (leading axes (B,) or (M, K) as the cues')."""

    states: torch.Tensor  # (B, N) final states
    steps: torch.Tensor  # (B,) sweeps until a fixed point (or a 2-cycle for synchronous updates)
    converged: torch.Tensor  # (B,) bool: reached a fixed point or 2-cycle within the budget
    history: torch.Tensor | None = None  # (T, B, N) states at the recorded times
    times: torch.Tensor | None = None  # (T,) recorded times in sweeps (N single-neuron updates = 1 sweep)
    field_rows: int = 0  # cue rows whose full field W s was computed (for FLOP counts: 2 N² each)
    field_columns: int = 0  # weight columns added in incremental field updates (2 N each)
    energy: torch.Tensor | None = None  # (T, B) energy at the recorded times, where the dynamics compute it


def settle(
    field: Callable[[torch.Tensor], torch.Tensor], cues: torch.Tensor, max_steps: int = 30, record: bool = False
) -> Recall:
    """Synchronous recall to a fixed point: s(t+1) = sgn(z(s(t))) for all units at once, ties keeping the state.

    `field` maps states (..., N) to their fields z (..., N) (W s for a Hopfield network, the logits of an
    autoencoder). A cue stops at a fixed point s(t+1) = s(t) (steps t) or a 2-cycle s(t+1) = s(t−1)
    (steps t+1) and then stays put. cues (..., N) ±1.
    """
    s = cues.clone()
    prev = torch.zeros_like(s)
    done = torch.zeros(s.shape[:-1], dtype=torch.bool, device=s.device)
    steps = torch.full(s.shape[:-1], max_steps, dtype=torch.long, device=s.device)
    hist = [s.clone()] if record else None
    for t in range(1, max_steps + 1):
        z = field(s)
        new = torch.where(z > 0, 1.0, torch.where(z < 0, -1.0, s))
        new = torch.where(done[..., None], s, new)  # finished cues stay put
        fixed = (new == s).all(-1) & ~done
        cycle = (new == prev).all(-1) & ~done & ~fixed
        steps[fixed] = t - 1
        steps[cycle] = t
        done |= fixed | cycle
        prev, s = s, new
        if record:
            hist.append(s.clone())
        if bool(done.all()):
            break
    if not record:
        return Recall(s, steps, done)
    return Recall(s, steps, done, torch.stack(hist), torch.arange(len(hist), dtype=torch.float32))


def recall_sync(
    w: torch.Tensor, cues: torch.Tensor, model: torch.Tensor | None = None, max_steps: int = 30, record: bool = False
) -> Recall:
    """Synchronous (parallel) dynamics s(t+1) = sgn(W s(t)): `settle` for weight matrices, with incremental fields.

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
    parts = []
    for a in range(0, b, SYNC_BLOCK):  # each block checks its rows' order
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
        h_new, full, used = _next_field(stack, cols, mod, new, cur, h, prev, h_prev, d1, d2)
        rows, columns = rows + full, columns + used
        prev, h_prev, cur, h = cur, h, new, h_new
    if not record:
        s[act[live]] = new[live]
    times = torch.arange(len(hist), dtype=torch.float32) if record else None
    return Recall(s, steps, done, torch.stack(hist) if record else None, times, rows, columns)


def _next_field(stack, cols, mod, new, cur, h, prev, h_prev, d1, d2) -> tuple[torch.Tensor, int, int]:
    """Field h(t+1) of the block's new states, from the field of s(t) or s(t−1), whichever is nearer
    (h_prev's buffer is reused). Returns (h(t+1) (A, N), rows given the full product, columns added)."""
    n = new.shape[1]
    if prev is None:
        delta, h_base = new - cur, None  # (A, N) ±2 where a bit differs from the base, else 0
    else:
        near = (d1 < d2).to(h.dtype)[:, None]  # (A, 1) 1 where s(t) is nearer; lerp with weight 0 or 1 is exact
        delta, h_base = new - torch.lerp(prev, cur, near), h_prev.lerp_(h, near)
    full = (torch.minimum(d1, d2) > int(INCREMENTAL_MAX * n)).nonzero().squeeze(1)  # (F,) far from both: W s
    if full.numel():
        delta[full] = 0.0
    r, j = delta.nonzero(as_tuple=True)  # (D,) in row order: the differing bits of each row
    counts = torch.bincount(r, minlength=new.shape[0])
    step = torch.nn.functional.embedding_bag(
        mod[r] * n + j, cols, torch.cumsum(counts, 0) - counts, mode="sum", per_sample_weights=delta[r, j]
    )  # (A, N) Σ_j W[:, j] Δs_j
    h_new = step.add_(h) if h_base is None else h_base.add_(step)  # (A, N) h(t+1)
    if full.numel():
        h_new[full] = local_field(stack, new[full], mod[full])
    return h_new, int(full.numel()), int(r.numel())


Generators = torch.Generator | Sequence[torch.Generator]


def visiting_orders(live: torch.Tensor, b: int, n: int, generator: Generators) -> torch.Tensor:
    """A random visiting order of the N neurons for each live cue. -> (A, N), rows in `live`'s order.

    With one generator every live cue draws from it in turn. With G generators (one per seed) the B
    cues form G equal contiguous groups and each group draws only from its own generator, so a seed's
    orders do not depend on how many other seeds' cues share the batch."""
    gens = [generator] if isinstance(generator, torch.Generator) else list(generator)
    size = b // len(gens)
    keys = torch.cat(
        [
            torch.rand(int(((live >= g * size) & (live < (g + 1) * size)).sum()), n, generator=gen)
            for g, gen in enumerate(gens)
        ]
    )
    return torch.argsort(keys, dim=1)


def recall_async(
    w: torch.Tensor,
    cues: torch.Tensor,
    generator: Generators,
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
    single-neuron updates (1 = after every update, for the energy property test). `generator`: one, or
    one per seed with the cues in equal contiguous groups per seed (`visiting_orders`).
    """
    s = cues.clone()
    b, n = s.shape
    dev = s.device
    segs = segments(model, w.shape[0]) if w.dim() == 3 else None
    wt = w.mT.reshape(-1, n)  # (M·N, N): row base[b] + i is column i of cue b's matrix
    base = model * n if segs is not None else torch.zeros(b, dtype=torch.long, device=dev)  # (B,)
    done = torch.zeros(b, dtype=torch.bool, device=dev)
    steps = torch.full((b,), max_sweeps, dtype=torch.long, device=dev)
    hist, times = ([s.clone()], [0.0]) if record_every else (None, None)
    bounds = list(range(record_every, n, record_every)) + [n] if record_every else [n]
    field_rows = 0
    for sweep in range(1, max_sweeps + 1):
        live = (~done).nonzero().squeeze(1)  # (A,) cues not yet at a fixed point
        h = _sweep_fields(w, s, live, segs)
        field_rows += live.numel()
        order = torch.zeros(b, n, dtype=torch.long, device=dev)
        order[live] = visiting_orders(live.cpu(), b, n, generator).to(dev)  # each cue its own order
        ptr = torch.zeros(b, dtype=torch.long, device=dev)  # (B,) next slot each cue will visit
        flips = torch.zeros(b, dtype=torch.long, device=dev)
        for limit in bounds:  # visit slots [ptr, limit) of every live cue, then (maybe) record
            _visit(s, h, wt, base, order, ptr, flips, live[ptr[live] < limit], limit)
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


def _sweep_fields(w: torch.Tensor, s: torch.Tensor, live: torch.Tensor, segs: Segments | None) -> torch.Tensor:
    """Exact fields W s of the live cues at the start of a sweep (zeros elsewhere). -> (B, N)."""
    h = torch.zeros_like(s)
    for m, a, e in segs if segs is not None else [(None, 0, s.shape[0])]:
        idx = live[(live >= a) & (live < e)]
        if idx.numel():
            h[idx] = s[idx] @ (w if m is None else w[m]).mT  # (A_m, N)
    return h


def _visit(s, h, wt, base, order, ptr, flips, act, limit: int) -> None:
    """Advance every cue in `act` through slots [ptr, limit) of its order, flipping each unstable neuron it
    meets and correcting its field; s, h, ptr and flips are updated in place."""
    n = s.shape[1]
    width = min(n, WINDOW)
    window = torch.arange(width, device=s.device)  # (K,) look-ahead offsets
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


def recall(
    w: torch.Tensor,
    cues: torch.Tensor,
    mode: str,
    generator: Generators | None = None,
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
