"""Part 1's tables: every learner from the same start on the chosen surface, seeds along a batch axis.

Seed s starts at the surface's start plus N(0, jitter²) drawn from its own generator, and the
zeroth-order learners draw their perturbations from it too. The batch is padded to PAD rows (a
multiple of any SIMD width), so every row goes through the same vectorised kernels and a seed's
numbers are the same bytes whichever other seeds run beside it.
"""

from __future__ import annotations

import math

import pandas as pd
import torch

from brainsim import live
from brainsim.optimizers import descent
from brainsim.optimizers.surfaces import Surface, grid
from brainsim.runtime import torch_generator
from brainsim.timeline import snapshot_steps

PAD = 16  # batch rows: at least the most seeds (10), a multiple of every vector width
GRID = 81  # contour map points per axis
LIVE_STEPS = 200  # steps per learner sent to the live curve


class _SeededNoise:
    """torch.randn(shape) for a batch (..., B, 2) whose row b comes from seed b's own generator."""

    def __init__(self, seeds: list[int], stream: int):
        self.gens = [torch_generator(s, 15, 1, stream) for s in seeds]

    def draw(self, shape, dtype) -> torch.Tensor:
        lead = shape[:-2]
        rows = [torch.randn((*lead, 2), generator=g, dtype=dtype) for g in self.gens]
        out = torch.zeros(shape, dtype=dtype)
        out[..., : len(rows), :] = torch.stack(rows, dim=-2)
        return out


def starts(surface: Surface, seeds: list[int], jitter: float) -> torch.Tensor:
    """(PAD, 2) starts: row i = seed i's start, padding rows at the surface's start."""
    out = torch.tensor([surface.start] * PAD, dtype=torch.float64)
    for i, s in enumerate(seeds):
        out[i] += jitter * torch.randn(2, generator=torch_generator(s, 15, 0), dtype=torch.float64)
    return out


def lr_of(cfg, name: str) -> float:
    if name in descent.ADAPTIVE:
        return cfg.adaptive_lr
    if name in descent.ZEROTH:
        return cfg.perturb_lr
    return cfg.lr


def run_paths(cfg, surface: Surface, seeds: list[int], progress=None, lo: float = 0.0, hi: float = 1.0):
    """(paths, reach) tables: every learner's positions and loss per step, and steps to reach ε."""
    x0 = starts(surface, seeds, cfg.start_jitter)
    learners = [n for n in descent.LEARNERS if n in cfg.learners]
    results = {}
    for i, name in enumerate(learners):
        noise = _SeededNoise(seeds, descent.LEARNERS.index(name))
        results[name] = descent.descend(
            name, surface.loss, x0, cfg.steps, lr_of(cfg, name), cfg.sigma, cfg.pairs, noise.draw
        )
        live.report(
            progress,
            lo + (hi - lo) * (i + 1) / len(learners),
            f"paths: {name}",
            _live_rows(name, results[name], len(seeds)),
        )
    k = len(seeds)
    if surface.f_star is not None:
        f_star = torch.full((k,), surface.f_star, dtype=torch.float64)
    else:  # unknown minimum: the lowest loss any learner reached from that seed's start
        f_star = torch.stack([torch.nan_to_num(p.loss[:, :k], nan=math.inf).amin(0) for p in results.values()]).amin(0)
    path_rows, reach_rows = [], []
    for name, p in results.items():
        gap = p.loss[:, :k] - f_star
        first = descent.steps_to_reach(gap, cfg.epsilon)
        for j, seed in enumerate(seeds):
            div = bool(p.diverged[j])
            th, loss = p.theta[:, j].tolist(), p.loss[:, j].tolist()
            for t in range(cfg.steps + 1):
                path_rows.append((name, seed, t, th[t][0], th[t][1], loss[t], float(gap[t, j]), div))
            final = p.loss[-1, j]
            hit = int(first[j]) if first[j] >= 0 else math.nan
            reach_rows.append((name, seed, hit, float(final), float(final - f_star[j]), div, p.loss_evals))
    paths = pd.DataFrame(path_rows, columns=["learner", "seed", "step", "x", "y", "loss", "gap", "diverged"])
    reach = pd.DataFrame(
        reach_rows,
        columns=["learner", "seed", "steps_to_epsilon", "final_loss", "final_gap", "diverged", "loss_evaluations"],
    )
    return paths, reach


def _live_rows(name: str, path, k: int) -> list[tuple]:
    """The live curve's rows of one learner: (learner, step, loss) of each seed at up to LIVE_STEPS steps."""
    loss = path.loss[:, :k]
    steps = snapshot_steps(loss.shape[0] - 1, LIVE_STEPS)
    return [(name, t, v if math.isfinite(v) else math.nan) for t in steps for v in loss[t].tolist()]


def contour_table(surface: Surface) -> pd.DataFrame:
    xs, ys, z = grid(surface, GRID)
    xx = xs.repeat(len(ys))
    yy = ys.repeat_interleave(len(xs))
    return pd.DataFrame({"x": xx.numpy(), "y": yy.numpy(), "loss": z.reshape(-1).numpy()})
