"""Memory-reinforcement benchmark: default page run, N = 2000 with 50 items, synaptic updates per
second, and their ratio to this machine's memory bandwidth measured in the same run.

The N = 2000 run uses one seed so that `main()` stays under a minute; the brain-like model keeps dense
(S, N, N) synapse state and costs about the same per seed, so the 5-seed page run takes ~5x as long."""

from __future__ import annotations

import time

import torch

from benchmarks.reference import best_of, copy_bandwidth_gbs
from brainsim.experiments.memory import MemoryConfig, run, state_mb

BYTES_PER_UPDATE = 24  # one synapse update reads and writes fast, slow and tag weights (3 x 2 x 4 bytes) at least


def main() -> None:
    bw = copy_bandwidth_gbs()
    print(f"memory copy bandwidth: {bw:.1f} GB/s (torch threads: {torch.get_num_threads()})")
    cfg = MemoryConfig()
    run(cfg)  # warm-up (imports, allocator)
    wall = best_of(lambda: run(cfg), repeats=3)
    print(f"default run ({cfg.seeds} seeds, N={cfg.n_units}, {cfg.n_items} items): {wall:.2f} s (best of 3)")
    big = MemoryConfig(n_units=2000, n_items=50, seeds=1)
    t = time.perf_counter()
    tables = run(big)
    wall_big = time.perf_counter() - t
    print(
        f"N=2000, 50 items, {big.seeds} seed (~{state_mb(big):.0f} MB state): {wall_big:.1f} s "
        f"(5 seeds: ~{5 * wall_big:.0f} s)"
    )
    tm = tables["timing"]
    ups = tm["synapse_updates"].sum() / tm["wall_s"].sum()
    print(f"synaptic updates per second (N=2000, both learners' wall time): {ups:.3g}")
    print(
        f"  x {BYTES_PER_UPDATE} B/update = {ups * BYTES_PER_UPDATE / 1e9:.2f} GB/s "
        f"= {ups * BYTES_PER_UPDATE / 1e9 / bw:.2f} of copy bandwidth"
    )


if __name__ == "__main__":
    main()
