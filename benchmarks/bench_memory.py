"""Memory-reinforcement benchmark: default page run, N = 2000 with 50 items, synaptic updates per
second, and their ratio to this machine's memory bandwidth measured in the same run."""

from __future__ import annotations

import time

import torch

from brainsim.experiments.memory import MemoryConfig, run, state_mb


def copy_bandwidth_gbs(n: int = 25_000_000, repeats: int = 5) -> float:
    """Best of `repeats` copies of a float32 array (read + write bytes per second, GB/s)."""
    a = torch.randn(n)
    b = torch.empty_like(a)
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        b.copy_(a)
        best = min(best, time.perf_counter() - t)
    return 2 * a.numel() * 4 / best / 1e9


def timed(cfg: MemoryConfig) -> tuple[float, dict]:
    t = time.perf_counter()
    tables = run(cfg)
    return time.perf_counter() - t, tables


def main() -> None:
    bw = copy_bandwidth_gbs()
    print(f"memory copy bandwidth: {bw:.1f} GB/s (torch threads: {torch.get_num_threads()})")
    timed(MemoryConfig())  # warm-up (imports, allocator)
    wall, tables = timed(MemoryConfig())
    print(f"default run ({MemoryConfig().seeds} seeds, N={MemoryConfig().n_units}): {wall:.2f} s")
    big = MemoryConfig(n_units=2000, n_items=50, seeds=2)
    wall_big, tb = timed(big)
    print(f"N=2000, 50 items, {big.seeds} seeds (~{state_mb(big):.0f} MB state): {wall_big:.2f} s")
    tm = tb["timing"]
    ups = tm["synapse_updates"].sum() / tm["wall_s"].sum()
    # One synapse update of the tagging model reads and writes fast, slow and tag (3 x 2 x 4 bytes) at least.
    bytes_per_update = 24
    print(f"synaptic updates per second (N=2000, both learners' wall time): {ups:.3g}")
    print(
        f"  x {bytes_per_update} B/update = {ups * bytes_per_update / 1e9:.2f} GB/s "
        f"= {ups * bytes_per_update / 1e9 / bw:.2f} of copy bandwidth"
    )


if __name__ == "__main__":
    main()
