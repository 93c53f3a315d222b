"""Storing patterns with every learner: one network per (seed, load), stored or trained once, recalled many times.

The classical rules (brainsim.rules.hopfield) give weight stacks; the modern Hopfield network keeps
the patterns themselves; the denoising autoencoder is trained by backprop, networks of similar size
side by side in a few batched buckets.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import torch

from brainsim.hopfield import denoising as ae
from brainsim.hopfield.patterns import training_corruption
from brainsim.rules import hopfield as rules
from brainsim.runtime import torch_generator

CLASSIC = ("hebbian", "storkey", "pseudo-inverse")
LEARNERS = (*CLASSIC, "modern hopfield", "autoencoder")
ALPHA_C = 0.138  # Hebbian critical load (Amit, Gutfreund & Sompolinsky 1985)
# Theory to compare a learner with, and the measure it predicts: Amit, Gutfreund & Sompolinsky's α_c is
# where retrieval states near the patterns vanish (measured by recall from a noisy cue); the pseudo-inverse
# makes every pattern an exact fixed point for P < N (measured by starting on the pattern), while its
# basins of attraction, hence noisy-cue recall, shrink to nothing as α → 1.
THEORY = {"hebbian": (ALPHA_C, "recall"), "pseudo-inverse": (1.0, "stable")}


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

    def first_weights(self) -> torch.Tensor | None:
        """Network 0's N×N weights for the heatmap (None for the modern network, which stores patterns)."""
        if self.w is not None:
            return self.w[0]
        if self.nets is not None:
            members, net = self.nets[0]
            return net.weight_matrix(members.index(0)) if 0 in members else None
        return None


def nested_batch(x: torch.Tensor, counts: list[int]) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Nested prefixes as a flat batch: rows x[s, :P_l] for (s, l) in order -> ((ΣP, N), model (ΣP,), sizes)."""
    parts, sizes = [], []
    for s in range(x.shape[0]):
        for p in counts:
            parts.append(x[s, :p])
            sizes.append(p)
    model = torch.repeat_interleave(torch.arange(len(sizes)), torch.tensor(sizes)).to(x.device)
    return torch.cat(parts), model, sizes


def buckets(sizes: list[int], max_groups: int = 3) -> list[list[int]]:
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


def store(learner: str, cfg, x: torch.Tensor, counts: list[int], seeds: list[int]) -> Memory:
    """Store x[s, :P] for every seed s and every P in counts (networks in (seed, load) order); `seeds`
    names the seed of each slice of x, whose generators initialise and train its autoencoders."""
    n = x.shape[-1]
    flat, _, sizes = nested_batch(x, counts)
    start = time.perf_counter()
    if learner in CLASSIC:
        if learner == "storkey":
            w = rules.storkey(x[:, : max(counts)], snapshots=counts)  # (S, L, N, N): one incremental pass
        elif learner == "hebbian":
            w = rules.nested_outer(x, counts)  # (S, L, N, N): the rule is a sum, each load adds the new outer products
        else:
            w = rules.pseudo_inverse(x[:, : max(counts)], snapshots=counts)  # (S, L, N, N): one factorisation
        w = w.reshape(-1, n, n)
        return Memory(learner, sizes, n * (n - 1), time.perf_counter() - start, w=w)
    if learner == "modern hopfield":
        return Memory(learner, sizes, max(counts) * n, 0.0, patterns=flat)
    return _train_autoencoders(cfg, flat, sizes, n, seeds, x.device, start)


def _train_autoencoders(cfg, flat, sizes: list[int], n: int, seeds: list[int], device, start: float) -> Memory:
    """One autoencoder per (seed, load): each seed's networks trained side by side in buckets of similar P,
    from that seed's own generators. Seeds are not batched together: torch computes the last elements of
    a buffer on a scalar path whose tanh/exp may differ in the last bit, so a network's numbers would
    depend on where its rows fall in a batch shared with other seeds."""
    nets, diverged = [], torch.zeros(len(sizes), dtype=torch.bool)
    per_seed = len(sizes) // len(seeds)
    for k, seed in enumerate(seeds):
        for g, group in enumerate(buckets(sizes[k * per_seed : (k + 1) * per_seed])):
            members = [k * per_seed + j for j in group]
            part = [flat[sum(sizes[:m]) : sum(sizes[:m]) + sizes[m]] for m in members]
            padded, mask = ae.pad(torch.cat(part), [sizes[m] for m in members])
            net = ae.DenoisingAutoencoder(len(members), n, cfg.ae_arch, torch_generator(seed, 31, g)).to(device)
            corrupt = training_corruption(cfg.cue, cfg.cue_fraction)
            losses = ae.train(net, padded, mask, corrupt, cfg.ae_epochs, cfg.ae_lr, torch_generator(seed, 32, g))
            diverged[members] = ~torch.isfinite(losses).all(0)
            nets.append((members, net))
    n_weights = nets[0][1].n_weights()
    return Memory("autoencoder", sizes, n_weights, time.perf_counter() - start, nets=nets, diverged=diverged)
