"""Reference figures measured in the same run, so every benchmark prints a ratio, not a bare time."""

from __future__ import annotations

import time

import torch


def matmul_gflops(n: int = 1024, repeats: int = 10) -> float:
    """float32 matmul throughput of this machine's torch, in GFLOP/s (2 n³ flops per product)."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b  # warm up
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def copy_bandwidth_gbs(mb: int = 256, repeats: int = 5) -> float:
    """Memory copy bandwidth in GB/s (bytes read plus bytes written)."""
    src = torch.empty(mb * 2**20 // 4)
    dst = torch.empty_like(src)
    dst.copy_(src)
    start = time.perf_counter()
    for _ in range(repeats):
        dst.copy_(src)
    return 2 * src.numel() * 4 * repeats / (time.perf_counter() - start) / 1e9


def best_of(fn, repeats: int = 3) -> float:
    """Smallest wall time of `repeats` calls: the least disturbed by a shared, noisy machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
