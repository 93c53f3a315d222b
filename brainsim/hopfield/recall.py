"""Recalling from a stored Memory, identically for every learner, and measuring what came back.

A cue (a stored pattern corrupted) runs to its end; the final state counts as recalled when its
overlap with the target is ≥ RECALL_OVERLAP, and is otherwise sorted into one of OUTCOMES.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from brainsim.hopfield import denoising as ae
from brainsim.hopfield import dynamics
from brainsim.hopfield.dynamics import segments
from brainsim.hopfield.modern import recall_modern
from brainsim.hopfield.storage import Memory

RECALL_OVERLAP = 0.98  # a cue counts as recalled when the final overlap with its target is >= this
OUTCOMES = ("recalled", "other pattern", "mixture", "partial", "spurious")


@dataclass
class Outcome:
    """Final states of one learner on a flat batch of cues, and what it cost."""

    final: torch.Tensor  # (B, N) ±1
    wall_s: float
    field_rows: int = 0  # cue rows whose full field W s was computed (2 N² operations each)
    history: torch.Tensor | None = None  # (T, B, N)
    times: torch.Tensor | None = None  # (T,)
    energy: torch.Tensor | None = None  # (T, B) total energy
    settled: torch.Tensor | None = None  # (B,) bool: reached a fixed point (or 2-cycle) within max_sweeps
    field_columns: int = 0  # weight columns added by incremental field updates (2 N operations each)


def recall_memory(mem: Memory, cfg, cues: torch.Tensor, gen: torch.Generator, record_every: int = 0) -> Outcome:
    """Run every cue to its end; cues are flat, K per stored pattern, in the memory's network order."""
    reps = cues.shape[0] // sum(mem.sizes)
    csizes = [k * reps for k in mem.sizes]
    cmodel = torch.repeat_interleave(torch.arange(len(csizes)), torch.tensor(csizes)).to(cues.device)
    start = time.perf_counter()
    if mem.w is not None:
        return _recall_classic(mem, cfg, cues, gen, cmodel, record_every, start)
    if mem.patterns is not None:
        n = cues.shape[-1]
        pmodel = torch.repeat_interleave(torch.arange(len(mem.sizes)), torch.tensor(mem.sizes)).to(cues.device)
        r = recall_modern(mem.patterns, cues, cfg.beta / math.sqrt(n), pmodel, cmodel, cfg.max_sweeps, record_every > 0)
        final = torch.where(r.states >= 0, 1.0, -1.0)
        return Outcome(final, time.perf_counter() - start, 0, r.history, r.times, r.energy, r.converged)
    return _recall_autoencoder(mem, cfg, cues, csizes, record_every > 0, start)


def _recall_classic(mem: Memory, cfg, cues, gen, cmodel, record_every: int, start: float) -> Outcome:
    # Hebbian weights are integers / N: recalling with N·W (exact integers, same signs) makes every
    # field exact in float32 (|h| ≤ N·P < 2^24) whatever the order of summation, so a tie h_i = 0
    # is an exact tie that keeps s_i, as the rule says, rather than a rounding accident.
    n = cues.shape[-1]
    w = torch.round(mem.w * n) if mem.learner == "hebbian" else mem.w
    r = dynamics.recall(w, cues, cfg.update, gen, cmodel, cfg.max_sweeps, record_every)
    energy = None
    if r.history is not None:
        segs = segments(cmodel, mem.w.shape[0])
        energy = torch.stack([dynamics.energy(mem.w, h, cmodel, segs) for h in r.history])
    wall = time.perf_counter() - start
    return Outcome(r.states, wall, r.field_rows, r.history, r.times, energy, r.converged, r.field_columns)


def _recall_autoencoder(mem: Memory, cfg, cues, csizes: list[int], record: bool, start: float) -> Outcome:
    offsets = np.concatenate([[0], np.cumsum(csizes)])
    final = torch.empty_like(cues)
    settled = torch.empty(cues.shape[0], dtype=torch.bool, device=cues.device)
    hists = []
    for members, net in mem.nets:
        rows = torch.cat([torch.arange(offsets[k], offsets[k + 1]) for k in members]).to(cues.device)
        counts = [csizes[k] for k in members]
        cue_pad, _ = ae.pad(cues[rows], counts)
        r = ae.recall(net, cue_pad, cfg.max_sweeps, record)
        final[rows] = ae.unpad(r.states, counts)
        settled[rows] = ae.unpad(r.steps, counts) < cfg.max_sweeps
        if r.history is not None:
            hists.append((rows, [ae.unpad(h, counts) for h in r.history]))
    history = times = energy = None
    if hists:
        t_max = max(len(h) for _, h in hists)
        history = cues.new_empty(t_max, *cues.shape)
        for rows, h in hists:  # buckets that stopped early hold their last state
            for t in range(t_max):
                history[t, rows] = h[min(t, len(h) - 1)]
        times = torch.arange(t_max, dtype=torch.float32)
        energy = torch.full(history.shape[:2], float("nan"))  # the autoencoder has no energy function
    return Outcome(final, time.perf_counter() - start, 0, history, times, energy, settled)


def overlap(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """m = (1/N) Σ_i a_i b_i, row by row: 1 = identical, −1 = reversed, ~0 = unrelated. -> (B,)."""
    return (a * b).sum(-1) / a.shape[-1]


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
