"""Associative memory: how many patterns can a Hebbian (Hopfield) network store and recall from a noisy
cue, against the theory (α_c ≈ 0.138) and against a backprop-trained denoising autoencoder with the
same number of weights?

One run stores patterns with every chosen learner and measures recall identically for all of them:
a cue (the pattern with bits flipped, or its bottom blanked) is run to a fixed point and counts as
recalled when the final state overlaps the stored pattern by ≥ 0.98.
- capacity: fraction recalled against load α = P/N (a sweep of P, nested per seed so every load
  reuses the same patterns and cue noise), with the final states sorted into recalled / other
  pattern / mixture / partial / spurious;
- robustness: fraction recalled against cue noise at the chosen P;
- trajectories, images and weights at the chosen P.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from brainsim.config import BaseConfig, param
from brainsim.hopfield import charts as hc
from brainsim.hopfield import denoising as ae
from brainsim.hopfield import network as hop
from brainsim.hopfield import patterns as pats
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import resolve_device, torch_generator

CLASSIC = ("hebbian", "storkey", "pseudo-inverse")
LEARNERS = (*CLASSIC, "modern hopfield", "autoencoder")
THEORY = {"hebbian": hop.ALPHA_C, "pseudo-inverse": 1.0}  # α at which stored patterns stop being stable
MAX_TRAJ_CUES = 8  # cues per seed drawn in the trajectory table
MAX_IMAGES = 5  # patterns shown in the image grid
MAX_WEIGHTS_N = 64  # heatmaps show the top-left block of at most this many neurons
CHUNK_BYTES = 64 * 2**20
MAX_RECALL_GFLOP = 150  # bounds on one run's work (a 2-core CPU does roughly 20-60 GFLOP/s)
MAX_TRAIN_GFLOP = 100  # weight stacks per batch of seeds stay below this


@dataclass(frozen=True)
class HopfieldConfig(BaseConfig):
    patterns: str = param(
        "random",
        choices=("random", "digits", "upload"),
        help="What to store: random ±1 patterns, binarised 8x8 digits (one per class, upsampled), "
        "or your own rows pasted in 'patterns csv'.",
    )
    n_neurons: int = param(
        100,
        lo=16,
        hi=500,
        step=4,
        label="neurons N",
        help="Network size for random patterns (digits: N = 64·scale²; upload: the row length).",
    )
    n_patterns: int = param(
        10,
        lo=1,
        hi=450,
        label="patterns P",
        help="Patterns stored for the trajectory, robustness, image and weight views "
        "(digits: at most 10; upload: at most the number of rows). Must be below N.",
    )
    digit_scale: int = param(
        2,
        lo=1,
        hi=3,
        label="digit upsampling",
        help="Each 8x8 digit pixel becomes scale×scale neurons (N = 64, 256 or 576).",
    )
    patterns_csv: str = param(
        pats.EXAMPLE_CSV,
        widget="text",
        label="patterns csv",
        help="Used when patterns = upload: one binary pattern per line or per ';', values "
        "0/1 or -1/+1 separated by commas or spaces, or runs like 0110...; all rows "
        "the same length (square lengths are drawn as square images).",
    )
    cue: str = param(
        "flip",
        choices=("flip", "occlude"),
        help="How a cue is made from a stored pattern: flip a random fraction of its bits, or "
        "blank (set to −1) its last fraction of pixels, the bottom of an image.",
    )
    cue_fraction: float = param(
        0.1,
        lo=0.0,
        hi=0.9,
        step=0.01,
        label="cue corruption",
        help="Fraction of bits flipped or occluded in every cue (flips: at most 0.5).",
    )
    learners: tuple[str, ...] = param(
        LEARNERS, choices=LEARNERS, help="Storage rules and the backprop autoencoder to compare."
    )
    update: str = param(
        "async",
        choices=("async", "sync"),
        help="Hopfield dynamics: async = one neuron at a time in random order (energy never "
        "rises); sync = all neurons at once (faster, may end in 2-cycles).",
    )
    seeds: int = param(5, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): patterns, cues and init.")
    load_min: float = param(
        0.02,
        lo=0.005,
        hi=0.9,
        step=0.005,
        label="smallest load",
        help="Smallest α = P/N of the capacity sweep (random patterns).",
    )
    load_max: float = param(
        0.6,
        lo=0.01,
        hi=0.95,
        step=0.01,
        label="largest load",
        help="Largest α = P/N of the capacity sweep (random patterns; P < N).",
    )
    n_loads: int = param(
        8,
        lo=2,
        hi=20,
        label="loads",
        help="Loads in the capacity sweep (digits/upload sweep P = 1 … all patterns instead).",
    )
    load_spacing: str = param(
        "log",
        choices=("log", "linear"),
        help="Spacing of the swept loads: log puts more of them at small α, where the Hebbian rule fails.",
    )
    max_sweeps: int = param(
        20,
        lo=1,
        hi=100,
        advanced=True,
        help="Most update sweeps (async: N single-neuron updates; sync: one parallel step).",
    )
    beta: float = param(
        1.0,
        lo=0.05,
        hi=20.0,
        step=0.05,
        advanced=True,
        label="modern β·√N",
        help="Inverse temperature of the modern Hopfield network, in units of 1/√N.",
    )
    ae_arch: str = param(
        "bottleneck",
        choices=ae.ARCHITECTURES,
        label="autoencoder",
        help="bottleneck: N→N/2→N (N² weights); one-layer: N→N without self-connections, "
        "the Hopfield architecture trained by backprop (N(N−1) weights).",
    )
    ae_epochs: int = param(
        60,
        lo=1,
        hi=1000,
        step=10,
        label="autoencoder epochs",
        help="Full-batch Adam steps of the denoising autoencoder (fresh corruption each step).",
    )
    ae_lr: float = param(
        0.03,
        lo=1e-4,
        hi=1.0,
        widget="number",
        label="autoencoder learning rate",
        help="Adam learning rate of the autoencoder.",
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if self.cue == "flip" and self.cue_fraction > 0.5:
            return "Field 'cue_fraction' must be at most 0.5 for flip cues (flipping more than half reverses the cue)."
        if self.load_min >= self.load_max:
            return "Field 'load_min' must be below 'load_max'."
        if self.patterns == "random" and self.n_patterns >= self.n_neurons:
            return f"Field 'n_patterns' must be below n_neurons ({self.n_neurons}): the pseudo-inverse needs P < N."
        if self.patterns == "upload":
            pats.parse_csv(self.patterns_csv)  # raises ConfigError with the row and the problem
        recall, train = work_gflop(self)
        if recall > MAX_RECALL_GFLOP:
            return (
                f"This run needs about {recall:.0f} GFLOP of recall (at most {MAX_RECALL_GFLOP} allowed); lower "
                "n_neurons, seeds, n_loads or load_max, or choose update = sync."
            )
        if train > MAX_TRAIN_GFLOP:
            return (
                f"Training the autoencoders needs about {train:.0f} GFLOP (at most {MAX_TRAIN_GFLOP} allowed); "
                "lower ae_epochs, seeds, n_loads, load_max or n_neurons."
            )
        return None


# --------------------------------------------------------------------------- patterns and cues


@dataclass
class Bank:
    """Patterns of every seed, (S, P_max, N) ±1, with what the tables need to describe them."""

    x: torch.Tensor
    n: int
    p: int  # patterns used in the fixed-P views
    sweep: list[int]  # P of each load in the capacity sweep
    shape: tuple[int, int]  # image (height, width)


def sizes(cfg: HopfieldConfig) -> tuple[int, int, list[int]]:
    """(N, P of the fixed-P views, P of every load in the capacity sweep) that a config asks for."""
    if cfg.patterns == "random":
        n = cfg.n_neurons
        space = np.geomspace if cfg.load_spacing == "log" else np.linspace
        loads = space(cfg.load_min, cfg.load_max, cfg.n_loads)
        return n, cfg.n_patterns, sorted({int(min(max(1, round(a * n)), n - 1)) for a in loads})
    if cfg.patterns == "digits":
        return 64 * cfg.digit_scale**2, min(cfg.n_patterns, 10), list(range(1, 11))
    rows = pats.parse_csv(cfg.patterns_csv)
    return rows.shape[1], min(cfg.n_patterns, rows.shape[0]), list(range(1, rows.shape[0] + 1))


def work_gflop(cfg: HopfieldConfig) -> tuple[float, float]:
    """Rough upper estimates (GFLOP) of one run's recall work and autoencoder training, to bound a run."""
    n, p, sweep = sizes(cfg)
    cues = cfg.seeds * (sum(sweep) + 12 * p)  # capacity sweep, robustness (11 levels) and trajectories
    recall = cues * 2 * n * n * 10 * (4 if cfg.update == "async" else 1) / 1e9  # ~10 sweeps; async is slower
    train = cfg.seeds * (len(sweep) + 1) * max(sweep + [p]) * n * n * 6 * cfg.ae_epochs / 1e9
    return recall, (train if "autoencoder" in cfg.learners else 0.0)


def _bank(cfg: HopfieldConfig, device) -> Bank:
    n, p, sweep = sizes(cfg)
    seeds = range(cfg.seeds)
    if cfg.patterns == "random":
        x = torch.stack([pats.random_patterns(cfg.seed, k, max(max(sweep), p), n) for k in seeds])
    elif cfg.patterns == "digits":
        x = torch.stack([pats.digit_patterns(cfg.seed, k, 10, cfg.digit_scale)[0] for k in seeds])
    else:
        rows = torch.as_tensor(pats.parse_csv(cfg.patterns_csv), dtype=torch.float32)
        x = rows.expand(cfg.seeds, -1, -1).clone()  # same rows for every seed; cues and init differ
    return Bank(x.to(device), n, p, sweep, pats.image_shape(n, cfg.patterns, cfg.digit_scale))


def _corrupt(cfg: HopfieldConfig, x: torch.Tensor, fraction: float, gen: torch.Generator) -> torch.Tensor:
    """Cues from patterns (..., P, N): exact-count random flips, or the bottom `fraction` blanked."""
    if cfg.cue == "occlude":
        return hop.occlude_cue(x, fraction)
    flat = x.reshape(-1, x.shape[-1])
    return hop.flip_cue(flat, fraction, gen).reshape(x.shape)


def _ae_corrupt(cfg: HopfieldConfig):
    """Training corruption of the autoencoder: the cue's kind at a level drawn uniformly in [0, cue fraction]
    per example, redrawn every epoch, so the network learns the whole way from a cue back to the clean
    pattern (and to keep a clean pattern clean, as iterated recall needs)."""

    def corrupt(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        level = (torch.rand(x.shape[:-1], generator=gen) * cfg.cue_fraction).to(x.device)[..., None]  # (..., 1)
        if cfg.cue == "occlude":
            n = x.shape[-1]
            hide = torch.arange(n, device=x.device) >= n - torch.round(level * n)  # bottom of the image
            return torch.where(hide, -1.0, x)
        flip = torch.rand(x.shape, generator=gen).to(x.device) < level
        return torch.where(flip, -x, x)

    return corrupt


# --------------------------------------------------------------------------- storing


def _flat(x: torch.Tensor, counts: list[int]) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Nested prefixes as a flat batch: rows x[s, :P_l] for (s, l) in order -> ((ΣP, N), model (ΣP,), sizes)."""
    parts, sizes = [], []
    for s in range(x.shape[0]):
        for p in counts:
            parts.append(x[s, :p])
            sizes.append(p)
    model = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes)).to(x.device)
    return torch.cat(parts), model, sizes


@dataclass
class Memory:
    """One learner's networks for every seed and load of x, stored or trained once, recalled many times."""

    learner: str
    sizes: list[int]  # patterns stored in each network, networks in (seed, load) order
    n_weights: int
    store_s: float
    w: torch.Tensor | None = None  # (S·L, N, N) classical rules
    patterns: torch.Tensor | None = None  # (ΣP, N) modern Hopfield: the patterns themselves
    nets: list | None = None  # autoencoder: [(network indices, DenoisingAutoencoder)] per load bucket
    diverged: torch.Tensor | None = None  # (S·L,) bool per network (autoencoder)


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


def _buckets(sizes: list[int], max_groups: int = 3) -> list[list[int]]:
    """Split networks into ≤ 3 groups of similar P so padded autoencoder batches waste little work.

    Groups are contiguous ranges of the sorted P; the split minimises the padded rows Σ_g |g|·max_g P
    plus a fixed overhead per extra group (each group is its own training loop).
    """
    order = sorted(range(len(sizes)), key=lambda k: (sizes[k], k))
    ps = [sizes[k] for k in order]
    overhead = 0.1 * len(ps) * ps[-1]

    def cost(cuts):
        b = [0, *cuts, len(ps)]
        return sum((e - a) * ps[e - 1] for a, e in zip(b, b[1:])) + overhead * len(cuts)

    best = min((c for r in range(max_groups) for c in itertools.combinations(range(1, len(ps)), r)), key=cost)
    b = [0, *best, len(ps)]
    return [sorted(order[a:e]) for a, e in zip(b, b[1:])]


def _store(learner: str, cfg: HopfieldConfig, x: torch.Tensor, counts: list[int]) -> Memory:
    """Store x[s, :P] for every seed s and every P in counts (networks in (seed, load) order)."""
    n = x.shape[-1]
    flat, _, sizes = _flat(x, counts)
    start = time.perf_counter()
    if learner in CLASSIC:
        if learner == "storkey":
            w = hop.storkey(x[:, : max(counts)], snapshots=counts)  # (S, L, N, N): one incremental pass
        elif learner == "hebbian":
            w = hop.nested_outer(x, counts)  # (S, L, N, N): the rule is a sum, each load adds the new outer products
        else:
            w = hop.pseudo_inverse(x[:, : max(counts)], snapshots=counts)  # (S, L, N, N): one factorisation
        w = w.reshape(-1, n, n)
        return Memory(learner, sizes, n * (n - 1), time.perf_counter() - start, w=w)
    if learner == "modern hopfield":
        return Memory(learner, sizes, max(counts) * n, 0.0, patterns=flat)
    # autoencoder: one network per (seed, load), trained side by side in buckets of similar P
    nets, diverged = [], torch.zeros(len(sizes), dtype=torch.bool)
    for g, members in enumerate(_buckets(sizes)):
        part = [flat[sum(sizes[:k]) : sum(sizes[:k]) + sizes[k]] for k in members]
        padded, mask = ae.pad(torch.cat(part), [sizes[k] for k in members])
        net = ae.DenoisingAutoencoder(len(members), n, cfg.ae_arch, torch_generator(cfg.seed, 31, g)).to(x.device)
        losses = ae.train(
            net, padded, mask, _ae_corrupt(cfg), cfg.ae_epochs, cfg.ae_lr, torch_generator(cfg.seed, 32, g)
        )
        diverged[members] = ~torch.isfinite(losses).all(0)
        nets.append((members, net))
    n_weights = nets[0][1].n_weights()
    return Memory(learner, sizes, n_weights, time.perf_counter() - start, nets=nets, diverged=diverged)


def _recall(
    mem: Memory, cfg: HopfieldConfig, cues: torch.Tensor, gen: torch.Generator, record_every: int = 0
) -> Outcome:
    """Run every cue to its end; cues are flat, K per stored pattern, in the memory's network order."""
    n = cues.shape[-1]
    reps = cues.shape[0] // sum(mem.sizes)
    csizes = [k * reps for k in mem.sizes]
    cmodel = torch.repeat_interleave(torch.arange(len(csizes)), torch.tensor(csizes)).to(cues.device)
    start = time.perf_counter()
    if mem.w is not None:
        # Hebbian weights are integers / N: recalling with N·W (exact integers, same signs) makes every
        # field exact in float32 (|h| ≤ N·P < 2^24) whatever the order of summation, so a tie h_i = 0
        # is an exact tie that keeps s_i, as the rule says, rather than a rounding accident.
        w = torch.round(mem.w * n) if mem.learner == "hebbian" else mem.w
        r = hop.recall(w, cues, cfg.update, gen, cmodel, cfg.max_sweeps, record_every)
        energy = None
        if r.history is not None:
            segs = hop.segments(cmodel, mem.w.shape[0])
            energy = torch.stack([hop.energy(mem.w, h, cmodel, segs) for h in r.history])
        wall = time.perf_counter() - start
        return Outcome(r.states, wall, r.field_rows, r.history, r.times, energy, r.converged, r.field_columns)
    if mem.patterns is not None:
        pmodel = torch.repeat_interleave(torch.arange(len(mem.sizes)), torch.tensor(mem.sizes)).to(cues.device)
        s, steps, hist, ens = hop.recall_modern(
            mem.patterns, cues, cfg.beta / math.sqrt(n), pmodel, cmodel, cfg.max_sweeps, record_every > 0
        )
        times = torch.arange(hist.shape[0], dtype=torch.float32) if hist is not None else None
        return Outcome(
            torch.where(s >= 0, 1.0, -1.0), time.perf_counter() - start, 0, hist, times, ens, steps < cfg.max_sweeps
        )
    offsets = np.concatenate([[0], np.cumsum(csizes)])
    final = torch.empty_like(cues)
    settled = torch.empty(cues.shape[0], dtype=torch.bool, device=cues.device)
    hists = []
    for members, net in mem.nets:
        rows = torch.cat([torch.arange(offsets[k], offsets[k + 1]) for k in members]).to(cues.device)
        cue_pad, _ = ae.pad(cues[rows], [csizes[k] for k in members])
        out, steps, hist = ae.recall(net, cue_pad, cfg.max_sweeps, record_every > 0)
        final[rows] = ae.unpad(out, [csizes[k] for k in members])
        settled[rows] = ae.unpad(steps, [csizes[k] for k in members]) < cfg.max_sweeps
        if hist is not None:
            hists.append((rows, [ae.unpad(h, [csizes[k] for k in members]) for h in hist]))
    history = times = energy = None
    if hists:
        t_max = max(len(h) for _, h in hists)
        history = cues.new_empty(t_max, *cues.shape)
        for rows, h in hists:  # buckets that stopped early hold their last state
            for t in range(t_max):
                history[t, rows] = h[min(t, len(h) - 1)]
        times = torch.arange(t_max, dtype=torch.float32)
        energy = torch.full(history.shape[:2], float("nan"))
    return Outcome(final, time.perf_counter() - start, 0, history, times, energy, settled)


def _weights_of(mem: Memory) -> torch.Tensor | None:
    """Network 0's N×N weights for the heatmap (None for the modern network, which stores patterns)."""
    if mem.w is not None:
        return mem.w[0]
    if mem.nets is not None:
        members, net = mem.nets[0]
        return net.weight_matrix(members.index(0)) if 0 in members else None
    return None


def _chosen(cfg: HopfieldConfig) -> list[str]:
    return [name for name in LEARNERS if name in cfg.learners]


# --------------------------------------------------------------------------- the three sweeps


def _capacity(cfg, bank: Bank, learners, seeds, progress, p0, p1):
    """Fraction recalled and outcome counts per (learner, seed, load), plus timing rows."""
    rows, timing = [], []
    n, counts = bank.n, bank.sweep
    chunk = max(1, min(len(seeds), CHUNK_BYTES // (len(counts) * n * n * 4)))
    done, total = 0, len(learners) * len(seeds)
    for c0 in range(0, len(seeds), chunk):
        x = bank.x[c0 : c0 + chunk, : max(counts)]  # (S_c, P_max, N)
        cue_all = _corrupt(cfg, x, cfg.cue_fraction, torch_generator(cfg.seed, 21, c0))  # same cue at every load
        cues, cmodel, sizes = _flat(cue_all, counts)
        flat, _, _ = _flat(x, counts)
        target = torch.arange(flat.shape[0], device=flat.device)
        for learner in learners:
            mem = _store(learner, cfg, x, counts)
            out = _recall(mem, cfg, cues, torch_generator(cfg.seed, 22, c0))
            over = hop.overlap(out.final, flat)
            label = hop.classify(out.final, flat, cmodel, target, cmodel, len(sizes))
            start = 0
            for k, size in enumerate(sizes):
                lab = torch.bincount(label[start : start + size], minlength=len(hop.OUTCOMES)).tolist()
                ov = over[start : start + size]
                div = bool(mem.diverged[k]) if mem.diverged is not None else False
                unsettled = int((~out.settled[start : start + size]).sum())
                rows.append(
                    (
                        learner,
                        seeds[c0 + k // len(counts)],
                        size / n,
                        size,
                        float((ov >= hop.RECALL_OVERLAP).float().mean()),
                        float(ov.mean()),
                        *lab,
                        unsettled,
                        div,
                    )
                )
                start += size
            timing.append(
                (
                    learner,
                    "capacity sweep",
                    seeds[c0],
                    len(sizes),
                    int(sum(sizes)),
                    mem.store_s,
                    out.field_rows,
                    out.wall_s,
                    out.field_columns,
                )
            )
            done += x.shape[0]
            if progress:
                progress(p0 + (p1 - p0) * done / total, f"capacity sweep: {learner}")
    cols = [
        "learner",
        "seed",
        "load",
        "n_patterns",
        "recall",
        "mean_overlap",
        *(f"n_{o.replace(' ', '_')}" for o in hop.OUTCOMES),
        "n_unsettled",
        "diverged",
    ]
    return pd.DataFrame(rows, columns=cols), timing


def _noise_levels(cfg) -> list[float]:
    top = 0.5 if cfg.cue == "flip" else 0.9
    return [round(v, 3) for v in np.linspace(0.0, top, 11 if cfg.cue == "flip" else 10)]


def _fixed_p(cfg, bank: Bank, learners, seeds, progress, p0, p1):
    """At P = bank.p: robustness (recall against cue corruption), trajectories, images and weights.

    Each learner stores (or trains on) the P patterns of every seed once and is then cued twice.
    """
    n, p = bank.n, bank.p
    x = bank.x[:, :p]  # (S, P, N)
    target = x.reshape(-1, n)  # (S·P, N)
    levels = _noise_levels(cfg)
    gen = torch_generator(cfg.seed, 23)
    noisy = torch.stack([_corrupt(cfg, x, f, gen) for f in levels], dim=2).reshape(-1, n)  # (S·P·L, N)
    noisy_target = x.repeat_interleave(len(levels), dim=1).reshape(-1, n)
    cues = _corrupt(cfg, x, cfg.cue_fraction, torch_generator(cfg.seed, 25)).reshape(-1, n)  # (S·P, N)
    record = max(1, n // 5) if cfg.update == "async" else 1
    k, m = min(p, MAX_TRAJ_CUES), min(p, MAX_IMAGES)
    h, wdt = bank.shape
    robust, traj, weights, timing = [], [], [], []
    images = _pixels("stored", target[:m], h, wdt) + _pixels("cue", cues[:m], h, wdt)
    recalled, n_weights, diverged = {}, {}, {}
    for step, learner in enumerate(learners):
        mem = _store(learner, cfg, x, [p])
        n_weights[learner] = mem.n_weights
        div = mem.diverged.tolist() if mem.diverged is not None else [False] * len(seeds)
        diverged[learner] = any(div)
        out = _recall(mem, cfg, noisy, torch_generator(cfg.seed, 24))
        ov = hop.overlap(out.final, noisy_target).reshape(len(seeds), p, len(levels))
        ok = (ov >= hop.RECALL_OVERLAP).float()
        for s in range(len(seeds)):
            for j, f in enumerate(levels):
                robust.append((learner, seeds[s], f, float(ok[s, :, j].mean()), float(ov[s, :, j].mean()), div[s]))
        timing.append(
            (
                learner,
                "robustness",
                seeds[0],
                len(seeds),
                len(seeds) * p,
                mem.store_s,
                out.field_rows,
                out.wall_s,
                out.field_columns,
            )
        )
        out = _recall(mem, cfg, cues, torch_generator(cfg.seed, 26), record_every=record)
        ovt = torch.stack([hop.overlap(st, target) for st in out.history])  # (T, S·P)
        recalled[learner] = float((hop.overlap(out.final, target) >= hop.RECALL_OVERLAP).float().mean())
        for s in range(len(seeds)):
            for c in range(k):
                b = s * p + c
                traj += [
                    (learner, seeds[s], c, float(out.times[t]), float(ovt[t, b]), float(out.energy[t, b]) / n)
                    for t in range(ovt.shape[0])
                ]
        images += _pixels(learner, out.final[:m], h, wdt)
        w = _weights_of(mem)
        if w is not None:
            q = min(n, MAX_WEIGHTS_N)
            wq = w[:q, :q].cpu().numpy()
            ii, jj = np.meshgrid(np.arange(q), np.arange(q), indexing="ij")
            weights += [
                (learner, seeds[0], int(a), int(b), float(v)) for a, b, v in zip(ii.ravel(), jj.ravel(), wq.ravel())
            ]
        timing.append(
            (
                learner,
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
        if progress:
            progress(p0 + (p1 - p0) * (step + 1) / len(learners), f"fixed P: {learner}")
    tables = {
        "robustness": pd.DataFrame(
            robust, columns=["learner", "seed", "cue_fraction", "recall", "mean_overlap", "diverged"]
        ),
        "trajectories": pd.DataFrame(traj, columns=["learner", "seed", "cue", "sweep", "overlap", "energy_per_neuron"]),
        "images": pd.DataFrame(images, columns=["panel", "pattern", "row", "col", "pixel"]),
        "weights": pd.DataFrame(weights, columns=["learner", "seed", "i", "j", "w"]),
    }
    return tables, timing, recalled, n_weights, diverged


def _pixels(panel: str, states: torch.Tensor, h: int, w: int) -> list[tuple]:
    arr = states.reshape(-1, h, w).cpu().numpy().astype(int)
    return [
        (panel, int(q), int(r), int(c), int(arr[q, r, c]))
        for q in range(arr.shape[0])
        for r in range(h)
        for c in range(w)
    ]


# --------------------------------------------------------------------------- summary


def critical_load(loads: np.ndarray, recall: np.ndarray, level: float = 0.5) -> tuple[float, str]:
    """Load where mean recall first falls through `level`, linearly interpolated, and how it was found."""
    if recall[0] < level:
        return float(loads[0]), "below swept range"
    for i in range(1, len(loads)):
        if recall[i] < level:
            a0, a1, r0, r1 = loads[i - 1], loads[i], recall[i - 1], recall[i]
            return float(a0 + (r0 - level) * (a1 - a0) / (r0 - r1)), "interpolated"
    return float(loads[-1]), "above swept range"


def _summary(cfg, bank: Bank, capacity: pd.DataFrame, recalled: dict, n_weights: dict, diverged: dict) -> pd.DataFrame:
    rows = []
    for learner in _chosen(cfg):
        part = capacity[capacity["learner"] == learner]
        curve = part.groupby("load", sort=True)["recall"].mean()
        alpha, how = critical_load(curve.index.to_numpy(), curve.to_numpy())
        theory = THEORY.get(learner, float("nan"))
        rows.append(
            (
                learner,
                bank.n,
                alpha,
                alpha * bank.n,
                how,
                theory,
                alpha - theory,
                recalled[learner],
                bank.p,
                n_weights[learner],
                bool(part["diverged"].any() or diverged[learner]),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "learner",
            "n_neurons",
            "capacity_load",
            "capacity_patterns",
            "estimate",
            "theory_load",
            "error_vs_theory",
            "recall_at_p",
            "n_patterns_p",
            "n_weights",
            "diverged",
        ],
    )


def run(cfg: HopfieldConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Capacity sweep, then robustness, trajectories, images and weights at the chosen P, for every learner."""
    device = resolve_device(cfg.device)
    bank = _bank(cfg, device)
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    learners = _chosen(cfg)
    capacity, t1 = _capacity(cfg, bank, learners, seeds, progress, 0.0, 0.7)
    views, t2, recalled, n_weights, diverged = _fixed_p(cfg, bank, learners, seeds, progress, 0.7, 1.0)
    timing = pd.DataFrame(
        t1 + t2,
        columns=[
            "learner",
            "phase",
            "first_seed",
            "networks",
            "patterns_stored",
            "store_s",
            "field_rows",
            "wall_s",
            "field_columns",
        ],
    )
    return {
        "capacity": capacity,
        **views,
        "summary": _summary(cfg, bank, capacity, recalled, n_weights, diverged),
        "timing": timing,
    }


# --------------------------------------------------------------------------- page


def _metrics(tables, cfg) -> list[tuple[str, str]]:
    s = tables["summary"].set_index("learner")
    out = []
    for learner in s.index:
        row = s.loc[learner]
        text = f"{row['capacity_load']:.3f}"
        if row["estimate"] != "interpolated":
            text = ("< " if row["estimate"].startswith("below") else "> ") + text
        if learner == "hebbian":
            text += " (theory 0.138)"
        out.append((f"{learner}: capacity α", text))
    return out


EXPERIMENT = Experiment(
    name="hopfield",
    title="Associative memory",
    question="How many patterns can a Hebbian (Hopfield) network store and recall from a noisy cue, "
    "vs a backprop-trained autoencoder?",
    config=HopfieldConfig,
    run=run,
    charts=(
        Chart(
            "Capacity: fraction recalled vs load",
            "capacity",
            hc.capacity_chart,
            "Mean and 95% band over seeds of the fraction of cues recalled (overlap ≥ 0.98). The dotted line "
            "is the Hebbian theory α_c = 0.138 (Amit, Gutfreund & Sompolinsky 1985), an N → ∞ limit; "
            "finite networks recall a little beyond it.",
        ),
        Chart(
            "Where failed recalls end",
            "capacity",
            hc.outcome_chart,
            "Final states sorted into recalled, another stored pattern (or a reversed one), mixture "
            "(≥ 3 patterns with |overlap| ≥ 0.25), partial (target overlap 0.5–0.98) and spurious states.",
        ),
        Chart(
            "Robustness: recall vs cue corruption",
            "robustness",
            hc.robustness_chart,
            "At the chosen P: how much corruption each memory can clean up.",
        ),
        Chart(
            "Recall trajectories: overlap with the target",
            "trajectories",
            hc.overlap_chart,
            "Mean over seeds and cues. Async: one sweep = N single-neuron updates.",
        ),
        Chart(
            "Energy per neuron during recall",
            "trajectories",
            hc.energy_chart,
            "E/N = −sᵀWs/(2N) for the classical rules (never rises under async updates); the modern "
            "network's log-sum-exp energy; the autoencoder has none.",
        ),
        Chart(
            "Stored, cue and recalled patterns",
            "images",
            hc.image_grid,
            "First seed: each row a stored pattern, its cue, and the final state of every learner.",
        ),
        Chart(
            "Weight matrices",
            "weights",
            hc.weights_chart,
            f"First seed, top-left block of at most {MAX_WEIGHTS_N} neurons, each scaled by its largest |w|. "
            "The bottleneck autoencoder is shown by its linearisation W₁W₂.",
        ),
    ),
    equations=(
        Equation(
            r"w_{ij} = \frac{1}{N}\sum_{\mu=1}^{P} \xi_i^\mu \xi_j^\mu,\quad w_{ii}=0",
            "Hebbian outer-product rule (Hopfield 1982); capacity α_c = P/N ≈ 0.138 (Amit et al. 1985)",
        ),
        Equation(
            r"w_{ij}^{\nu} = w_{ij}^{\nu-1} + \tfrac{1}{N}\left(\xi_i^\nu\xi_j^\nu - \xi_i^\nu h_{ji}^\nu"
            r" - h_{ij}^\nu \xi_j^\nu\right),\quad h_{ij}^\nu = \sum_{k\ne i,j} w_{ik}^{\nu-1}\xi_k^\nu",
            "Storkey (1997) incremental local rule",
        ),
        Equation(
            r"W = \tfrac{1}{N}\,\Xi^\top C^{-1}\,\Xi,\quad C_{\mu\nu} = \tfrac{1}{N}\,\xi^\mu\!\cdot\xi^\nu",
            "Pseudo-inverse (projection) rule (Personnaz, Guyon & Dreyfus 1985), diagonal removed "
            "(Kanter & Sompolinsky 1987); every pattern is a fixed point for P < N",
        ),
        Equation(
            r"s_i \leftarrow \operatorname{sgn}\Big(\sum_j w_{ij} s_j\Big),\qquad "
            r"E(s) = -\tfrac12 \sum_{ij} w_{ij} s_i s_j",
            "Recall dynamics and energy; asynchronous updates never raise E (Hopfield 1982)",
        ),
        Equation(
            r"s \leftarrow \Xi^\top \operatorname{softmax}(\beta\, \Xi\, s)",
            "Modern Hopfield network / attention (Ramsauer et al. 2020), β in units of 1/√N",
        ),
        Equation(
            r"\mathcal{L} = \mathrm{BCE}\big(f_\theta(\tilde\xi^\mu),\, \xi^\mu\big),\ "
            r"\tilde\xi^\mu = \mathrm{corrupt}(\xi^\mu),\quad \theta \leftarrow \mathrm{Adam}(\nabla_\theta"
            r"\mathcal{L})",
            "Denoising autoencoder with the Hopfield net's weight budget, trained by backprop (Vincent et al. 2008)",
        ),
    ),
    metrics=_metrics,
    notes=(
        "Store P patterns in N neurons and cue each one with a corrupted copy; a recall counts when the "
        "network settles within 2% of the stored pattern (overlap ≥ 0.98). **Look for:** the Hebbian curve "
        "collapsing near α = P/N ≈ 0.14, the non-local pseudo-inverse and Storkey rules holding on far "
        "longer, and what the autoencoder buys with hundreds of gradient steps that the Hebbian rule does in "
        "one shot. Try digits: correlated patterns break the Hebbian rule at a handful of memories."
    ),
)
