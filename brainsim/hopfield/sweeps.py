"""The two sweeps of the associative-memory run, over every learner and seed:

- capacity: fraction recalled and outcome counts against load α = P/N (nested per seed, so every
  load reuses the same patterns and cue noise);
- fixed P: recall against cue corruption (robustness), recall trajectories, images and weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from brainsim import live
from brainsim.hopfield import patterns as pats
from brainsim.hopfield import tables
from brainsim.hopfield.recall import OUTCOMES, RECALL_OVERLAP, classify, overlap, recall_memory
from brainsim.hopfield.storage import nested_batch, store
from brainsim.hopfield.tables import Cost
from brainsim.runtime import torch_generator

MAX_TRAJ_CUES = 8  # cues per seed drawn in the trajectory table
MAX_IMAGES = 5  # patterns shown in the image grid
MAX_WEIGHTS_N = 64  # heatmaps show the top-left block of at most this many neurons
CHUNK_BYTES = 64 * 2**20  # weight stacks per batch of seeds stay below this


@dataclass(frozen=True)
class Plan:
    """The sizes a config asks for, read once (an upload's rows are parsed here)."""

    n: int  # neurons
    p: int  # patterns in the fixed-P views
    sweep: list[int]  # P of every load in the capacity sweep
    rows: np.ndarray | None = None  # (P, N) ±1 uploaded patterns


def plan(cfg) -> Plan:
    """N, P of the fixed-P views, and P of every load in the capacity sweep."""
    if cfg.patterns == "random":
        n = cfg.n_neurons
        space = np.geomspace if cfg.load_spacing == "log" else np.linspace
        loads = space(cfg.load_min, cfg.load_max, cfg.n_loads)
        return Plan(n, cfg.n_patterns, sorted({int(min(max(1, round(a * n)), n - 1)) for a in loads}))
    if cfg.patterns == "digits":
        return Plan(64 * cfg.digit_scale**2, min(cfg.n_patterns, 10), list(range(1, 11)))
    rows = pats.parse_csv(cfg.patterns_csv)
    return Plan(rows.shape[1], min(cfg.n_patterns, rows.shape[0]), list(range(1, rows.shape[0] + 1)), rows)


def work_gflop(cfg, sizes: Plan) -> tuple[float, float]:
    """Rough upper estimates (GFLOP) of one run's recall work and autoencoder training, to bound a run."""
    n, p, sweep = sizes.n, sizes.p, sizes.sweep
    cues = cfg.seeds * (2 * sum(sweep) + 12 * p)  # capacity sweep and its stability pass, robustness, trajectories
    recall = cues * 2 * n * n * 10 * (4 if cfg.update == "async" else 1) / 1e9  # ~10 sweeps; async is slower
    train = cfg.seeds * (len(sweep) + 1) * max(sweep + [p]) * n * n * 6 * cfg.ae_epochs / 1e9
    return recall, (train if "autoencoder" in cfg.learners else 0.0)


@dataclass
class Bank:
    """Patterns of every seed, (S, P_max, N) ±1, with what the tables need to describe them."""

    x: torch.Tensor
    n: int
    p: int  # patterns used in the fixed-P views
    sweep: list[int]  # P of each load in the capacity sweep
    shape: tuple[int, int]  # image (height, width)


def make_bank(cfg, sizes: Plan, device) -> Bank:
    """The patterns of seeds cfg.seed … cfg.seed + seeds − 1, each drawn from its own seed's stream."""
    n, p, sweep = sizes.n, sizes.p, sizes.sweep
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    if cfg.patterns == "random":
        x = torch.stack([pats.random_patterns(s, 0, max(max(sweep), p), n) for s in seeds])
    elif cfg.patterns == "digits":
        x = torch.stack([pats.digit_patterns(s, 0, 10, cfg.digit_scale)[0] for s in seeds])
    else:
        rows = torch.tensor(sizes.rows, dtype=torch.float32)
        x = rows.expand(cfg.seeds, -1, -1).clone()  # same rows for every seed; cues and init differ
    return Bank(x.to(device), n, p, sweep, pats.image_shape(n, cfg.patterns, cfg.digit_scale))


def seeded_cues(cfg, x: torch.Tensor, fraction: float, seeds: list[int], stream: int) -> torch.Tensor:
    """Cues of x (S, P, N) at corruption `fraction`, seed s's from its own generator (s, stream). -> (S, P, N)."""
    return torch.stack(
        [pats.make_cues(cfg.cue, x[k], fraction, torch_generator(s, stream)) for k, s in enumerate(seeds)]
    )


def generators(seeds: list[int], stream: int) -> list[torch.Generator]:
    """One generator per seed, for recall whose cues come in equal contiguous groups per seed."""
    return [torch_generator(s, stream) for s in seeds]


# --------------------------------------------------------------------------- capacity


def capacity_sweep(cfg, bank: Bank, learners, seeds, progress, p0, p1) -> tuple[pd.DataFrame, list[Cost]]:
    """Fraction recalled and outcome counts per (learner, seed, load), plus timing rows."""
    rows, timing = [], []
    n, counts = bank.n, bank.sweep
    chunk = max(1, min(len(seeds), CHUNK_BYTES // (len(counts) * n * n * 4)))
    done, total = 0, len(learners) * len(seeds)
    for c0 in range(0, len(seeds), chunk):
        x = bank.x[c0 : c0 + chunk, : max(counts)]  # (S_c, P_max, N)
        mine = seeds[c0 : c0 + x.shape[0]]
        cue_all = seeded_cues(cfg, x, cfg.cue_fraction, mine, 21)  # the same cues at every load
        cues, cmodel, sizes = nested_batch(cue_all, counts)
        flat, _, _ = nested_batch(x, counts)
        for learner in learners:
            mem = store(learner, cfg, x, counts, mine)
            out = recall_memory(mem, cfg, cues, generators(mine, 22))
            kept = recall_memory(mem, cfg, flat, generators(mine, 27))  # started on the stored patterns themselves
            stable = overlap(kept.final, flat) >= RECALL_OVERLAP
            over = overlap(out.final, flat)
            label = classify(
                out.final, flat, cmodel, torch.arange(flat.shape[0], device=flat.device), cmodel, len(sizes)
            )
            start = 0
            for k, size in enumerate(sizes):
                lab = torch.bincount(label[start : start + size], minlength=len(OUTCOMES)).tolist()
                ov = over[start : start + size]
                div = bool(mem.diverged[k]) if mem.diverged is not None else False
                unsettled = int((~out.settled[start : start + size]).sum())
                recall = float((ov >= RECALL_OVERLAP).float().mean())
                seed = seeds[c0 + k // len(counts)]
                kept_here = float(stable[start : start + size].float().mean())
                rows.append((learner, seed, size / n, size, recall, float(ov.mean()), kept_here, *lab, unsettled, div))
                start += size
            cost = (mem.store_s, out.field_rows, out.wall_s, out.field_columns)
            timing.append(Cost(learner, "capacity sweep", seeds[c0], len(sizes), int(sum(sizes)), *cost))
            cost = (0.0, kept.field_rows, kept.wall_s, kept.field_columns)
            timing.append(Cost(learner, "stability", seeds[c0], len(sizes), int(sum(sizes)), *cost))
            done += x.shape[0]
            new = [(r[0], r[2], r[4]) for r in rows[len(rows) - len(sizes) :]]  # live curve: (learner, load, recall)
            live.report(progress, p0 + (p1 - p0) * done / total, f"capacity sweep: {learner}", new)
    return pd.DataFrame(rows, columns=tables.CAPACITY_COLUMNS), timing


# --------------------------------------------------------------------------- fixed P


def noise_levels(cfg) -> list[float]:
    """Cue corruptions of the robustness view: 0 … 0.5 for flips, 0 … 0.9 for occlusion."""
    top = 0.5 if cfg.cue == "flip" else 0.9
    return [round(v, 3) for v in np.linspace(0.0, top, 11 if cfg.cue == "flip" else 10)]


@dataclass
class FixedP:
    """What the fixed-P views found: their tables' rows, timing, and per-learner numbers for the summary."""

    robustness: list = field(default_factory=list)
    trajectories: list = field(default_factory=list)
    images: list = field(default_factory=list)
    weights: list = field(default_factory=list)
    frames: list = field(default_factory=list)  # the first seed's first cue, frame by frame (the timeline)
    timing: list[Cost] = field(default_factory=list)
    recalled: dict = field(default_factory=dict)  # learner -> fraction of the trajectory cues recalled
    n_weights: dict = field(default_factory=dict)  # learner -> connection weights of one network
    diverged: dict = field(default_factory=dict)  # learner -> any network diverged

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "robustness": pd.DataFrame(self.robustness, columns=tables.ROBUSTNESS_COLUMNS),
            "trajectories": pd.DataFrame(self.trajectories, columns=tables.TRAJECTORY_COLUMNS),
            "images": pd.DataFrame(self.images, columns=tables.IMAGE_COLUMNS),
            "weights": pd.DataFrame(self.weights, columns=tables.WEIGHT_COLUMNS),
            "recall_frames": pd.DataFrame(self.frames, columns=tables.FRAME_COLUMNS),
        }


def fixed_p(cfg, bank: Bank, learners, seeds, progress, p0, p1) -> FixedP:
    """At P = bank.p: robustness (recall against cue corruption), trajectories, images and weights.

    Each learner stores (or trains on) the P patterns of every seed once and is then cued twice.
    """
    n, p = bank.n, bank.p
    x = bank.x[:, :p]  # (S, P, N)
    target = x.reshape(-1, n)  # (S·P, N)
    levels = noise_levels(cfg)
    gens = generators(seeds, 23)
    noisy = torch.stack(
        [torch.stack([pats.make_cues(cfg.cue, x[k], f, gens[k]) for f in levels], dim=1) for k in range(len(seeds))]
    ).reshape(-1, n)  # (S·P·L, N)
    cues = seeded_cues(cfg, x, cfg.cue_fraction, seeds, 25).reshape(-1, n)  # (S·P, N)
    m = min(p, MAX_IMAGES)
    res = FixedP()
    res.images = tables.pixel_rows("stored", target[:m], *bank.shape) + tables.pixel_rows("cue", cues[:m], *bank.shape)
    for step, learner in enumerate(learners):
        mem = store(learner, cfg, x, [p], seeds)
        res.n_weights[learner] = mem.n_weights
        div = mem.diverged.tolist() if mem.diverged is not None else [False] * len(seeds)
        res.diverged[learner] = any(div)
        _robustness(cfg, bank, mem, seeds, levels, noisy, div, res)
        final = _trajectories(cfg, bank, mem, seeds, cues, res)
        res.images += tables.pixel_rows(learner, final[:m], *bank.shape)
        res.weights += tables.weight_rows(learner, seeds[0], mem.first_weights(), MAX_WEIGHTS_N)
        if progress:
            progress(p0 + (p1 - p0) * (step + 1) / len(learners), f"fixed P: {learner}")
    return res


def _robustness(cfg, bank: Bank, mem, seeds, levels, noisy, div: list[bool], res: FixedP) -> None:
    """Recall from the cues at every corruption level (noisy (S·P·L, N)): rows (learner, seed, level)."""
    n, p = bank.n, bank.p
    x = bank.x[:, :p]
    noisy_target = x.repeat_interleave(len(levels), dim=1).reshape(-1, n)
    out = recall_memory(mem, cfg, noisy, generators(seeds, 24))
    ov = overlap(out.final, noisy_target).reshape(len(seeds), p, len(levels))
    ok = (ov >= RECALL_OVERLAP).float()
    for s in range(len(seeds)):
        for j, f in enumerate(levels):
            res.robustness.append(
                (mem.learner, seeds[s], f, float(ok[s, :, j].mean()), float(ov[s, :, j].mean()), div[s])
            )
    cost = (mem.store_s, out.field_rows, out.wall_s, out.field_columns)
    res.timing.append(Cost(mem.learner, "robustness", seeds[0], len(seeds), len(seeds) * p, *cost))


def last_change(history: torch.Tensor) -> int:
    """Index of the last recorded frame at which any of one seed's cues changed (0 if none did).

    A batch records until every cue of every seed has settled, and settled cues stay put, so frames
    after this one only repeat it: cutting there gives each seed the same rows whatever else ran.
    history (T, B_seed, N)."""
    changed = (history[1:] != history[:-1]).flatten(1).any(1)  # (T−1,)
    return int(changed.nonzero().max()) + 1 if bool(changed.any()) else 0


def _trajectories(cfg, bank: Bank, mem, seeds, cues: torch.Tensor, res: FixedP) -> torch.Tensor:
    """Recall from the cues, recording overlap and energy on the way; returns the final states (S·P, N)."""
    n, p = bank.n, bank.p
    target = bank.x[:, :p].reshape(-1, n)
    record = max(1, n // 5) if cfg.update == "async" else 1
    out = recall_memory(mem, cfg, cues, generators(seeds, 26), record_every=record)
    ovt = torch.stack([overlap(st, target) for st in out.history])  # (T, S·P)
    res.recalled[mem.learner] = float((overlap(out.final, target) >= RECALL_OVERLAP).float().mean())
    res.frames += tables.frame_rows(mem.learner, seeds[0], out.history[:, 0], out.times, target[0], *bank.shape)
    for s in range(len(seeds)):
        last = last_change(out.history[:, s * p : (s + 1) * p])
        for c in range(min(p, MAX_TRAJ_CUES)):
            b = s * p + c
            res.trajectories += [
                (mem.learner, seeds[s], c, float(out.times[t]), float(ovt[t, b]), float(out.energy[t, b]) / n)
                for t in range(last + 1)
            ]
    res.timing.append(
        Cost(
            mem.learner,
            "trajectories",
            seeds[0],
            len(seeds),
            len(seeds) * p,
            0.0,
            out.field_rows,
            out.wall_s,
            out.field_columns,
        )
    )
    return out.final
