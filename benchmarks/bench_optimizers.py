"""Optimizer steps per second on the 2-D surfaces: many starts along one batch axis (what the page does
with its seeds) against a plain Python loop over the same starts, each start its own parameter and
torch.optim optimizer, measured in the same run at the same thread count. Both make the same updates
(tests/optimizers check that a batch row equals its run alone); the printed ratio is what the batch axis
buys. Target: batched at least 20x the loop's starts x steps per second at 256 starts.

    python -m benchmarks.bench_optimizers        (or: python benchmarks/bench_optimizers.py)
"""

from __future__ import annotations

import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import runtime  # noqa: E402
from brainsim.optimizers import descent, surfaces  # noqa: E402
from brainsim.optimizers.experiment import OptimizersConfig  # noqa: E402

STARTS, STEPS, LOOP_STARTS = 256, 100, 16  # the loop runs fewer starts (it is slow) and is scaled per start
LEARNERS = ("sgd", "momentum", "adam", "evolution strategies")
SURFACES = ("rosenbrock", "himmelblau")


def _starts(surface, n: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    x0, x1, y0, y1 = surface.box
    u = torch.rand(n, 2, generator=gen, dtype=torch.float64)
    return torch.stack([x0 + (x1 - x0) * u[:, 0], y0 + (y1 - y0) * u[:, 1]], 1)


def batched(name: str, surface, starts: torch.Tensor) -> float:
    """Seconds for STEPS updates of every start at once."""
    noise = descent.generator_noise(torch.Generator().manual_seed(1))
    t0 = time.perf_counter()
    descent.descend(name, surface.loss, starts, STEPS, 1e-3, noise=noise)
    return time.perf_counter() - t0


def looped(name: str, surface, starts: torch.Tensor) -> float:
    """Seconds for STEPS updates of each start on its own, one after another."""
    noise = descent.generator_noise(torch.Generator().manual_seed(1))
    t0 = time.perf_counter()
    for b in range(starts.shape[0]):
        descent.descend(name, surface.loss, starts[b : b + 1], STEPS, 1e-3, noise=noise)
    return time.perf_counter() - t0


def main() -> None:
    runtime.configure()
    print(f"threads {runtime.threads()}, {STEPS} steps; batched: {STARTS} starts at once; loop: {LOOP_STARTS} starts")
    descend_warm = surfaces.make(OptimizersConfig(surface="rosenbrock"))
    descent.descend("adam", descend_warm.loss, _starts(descend_warm, 2), 3, 1e-3)  # torch.optim's first-step imports
    for sname in SURFACES:
        surface = surfaces.make(OptimizersConfig(surface=sname))
        many, few = _starts(surface, STARTS), _starts(surface, LOOP_STARTS)
        for name in LEARNERS:
            fast = STARTS * STEPS / batched(name, surface, many)
            slow = LOOP_STARTS * STEPS / looped(name, surface, few)
            print(
                f"{sname:>10} {name:>20}: batched {fast:12,.0f} start-steps/s, loop {slow:10,.0f} start-steps/s, "
                f"ratio {fast / slow:6.1f}x"
            )


if __name__ == "__main__":
    main()
