"""Capacity-sweep throughput: N = 500, 15 loads, 3 storage rules, 5 seeds, synchronous recall; the sweep
recalls every cue and then, for the `stable` column, runs the dynamics from every stored pattern (both
counted in the timing rows below: their full fields, incremental columns and wall time).

Prints the sweep's wall time, the floating-point work it did (storage + recall, counted from the
shapes, from the cue rows whose full field W s was computed (2N² each) and from the weight columns
added by incremental field updates (2N each)), its GFLOP/s, and the ratio to torch's float32 matmul
throughput measured in the same run, at the same thread count, on the recall-shaped product
(B, N) @ (N, N). Incremental updates are gathers (memory-bound), so the ratio is modest even when
the wall time is small. Target: the sweep in under 5 s on a 2-core CPU.

    python -m benchmarks.bench_hopfield        (or: python benchmarks/bench_hopfield.py [threads])
"""

from __future__ import annotations

import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import runtime  # noqa: E402
from brainsim.config import make  # noqa: E402
from brainsim.hopfield import experiment as exp  # noqa: E402
from brainsim.hopfield import sweeps  # noqa: E402

N, LOADS, SEEDS = 500, 15, 5
RULES = ("hebbian", "storkey", "pseudo-inverse")


def storage_flops(rule: str, sizes: list[int], n: int, seeds: int) -> float:
    """Multiply-adds ×2 of storing every load of the sweep for every seed."""
    if rule == "hebbian":
        return seeds * 2 * n * n * max(sizes)  # nested loads: each pattern's outer product is added once
    if rule == "storkey":
        return seeds * max(sizes) * 6 * n * n  # blocked: per pattern its column of W_0 Ξᵀ (2N²) and of W_0 + L Rᵀ (4N²)
    # pseudo-inverse, one factorisation for all loads: C = ΞΞᵀ, Cholesky, Z = L⁻¹Ξ, nested Σ z zᵀ
    p = max(sizes)
    return seeds * (2 * p * p * n + p**3 / 3 + p * p * n + 2 * n * n * p)


def matmul_gflops(b: int, n: int, seconds: float = 1.0) -> float:
    """torch float32 throughput on (b, n) @ (n, n), best of repeated timings."""
    a, w = torch.randn(b, n), torch.randn(n, n)
    a @ w
    best = float("inf")
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        a @ w
        best = min(best, time.perf_counter() - t0)
    return 2 * b * n * n / best / 1e9


def main(threads: int | None = None) -> None:
    """Run the sweep; `threads` overrides torch's thread count for this measurement (default: brainsim's,
    BRAINSIM_THREADS or 1). The matmul reference runs at the same count."""
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        _sweep()
    finally:
        torch.set_num_threads(before)  # later benchmarks in the same process keep brainsim's count


def _sweep() -> None:
    cfg = make(
        exp.HopfieldConfig,
        {
            "n_neurons": N,
            "n_patterns": 20,
            "seeds": SEEDS,
            "load_min": 0.02,
            "load_max": 0.6,
            "n_loads": LOADS,
            "load_spacing": "linear",
            "learners": list(RULES),
            "update": "sync",
            "cue_fraction": 0.1,
        },
    )
    cpu = torch.device("cpu")
    bank = sweeps.make_bank(cfg, sweeps.plan(cfg), cpu)
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    small = make(exp.HopfieldConfig, {"n_neurons": 64, "seeds": 1, "learners": list(RULES), "update": "sync"})
    warm = sweeps.make_bank(small, sweeps.plan(small), cpu)
    sweeps.capacity_sweep(small, warm, list(RULES), [0], None, 0, 1)  # warm up kernels
    start = time.perf_counter()
    capacity, timing = sweeps.capacity_sweep(cfg, bank, list(RULES), seeds, None, 0.0, 1.0)
    wall = time.perf_counter() - start
    reference = matmul_gflops(2048, N)

    print(
        f"hopfield capacity sweep: N={N}, {len(bank.sweep)} loads "
        f"(alpha {bank.sweep[0] / N:.3f}..{bank.sweep[-1] / N:.3f}), {len(RULES)} rules, {SEEDS} seeds, "
        f"sync recall, torch threads={torch.get_num_threads()}, load average={os.getloadavg()[0]:.1f}"
    )
    total_flops = 0.0
    for rule in RULES:
        rows = [t for t in timing if t.learner == rule]
        store_s = sum(t.store_s for t in rows)
        recall_s = sum(t.wall_s for t in rows)
        field_rows = sum(t.field_rows for t in rows)
        field_columns = sum(t.field_columns for t in rows)
        flops = storage_flops(rule, bank.sweep, N, SEEDS) + 2 * N * N * field_rows + 2 * N * field_columns
        total_flops += flops
        print(
            f"  {rule:15s} store {store_s:6.2f} s  recall {recall_s:6.2f} s  "
            f"({field_rows} full fields, {field_columns} incremental columns)  {flops / 1e9:6.1f} GFLOP  "
            f"{flops / 1e9 / max(store_s + recall_s, 1e-9):6.1f} GFLOP/s"
        )
    achieved = total_flops / 1e9 / wall
    print(f"sweep wall time        {wall:.2f} s (target < 5 s on a 2-core CPU)")
    print(f"sweep work             {total_flops / 1e9:.1f} GFLOP")
    print(f"sweep throughput       {achieved:.1f} GFLOP/s")
    print(f"torch matmul reference {reference:.1f} GFLOP/s  ((2048, {N}) @ ({N}, {N}), float32, same run)")
    print(f"ratio sweep / matmul   {achieved / reference:.2f}")
    curve = capacity.groupby(["learner", "load"])["recall"].mean().unstack(0)
    print("mean fraction recalled (10% cue noise):")
    print(curve.round(2).to_string())


if __name__ == "__main__":
    runtime.configure()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else None)
