"""Continual learning: the page's default run (every learner of the class-incremental split-digits scenario,
3 seeds) timed cold (the first run in this process: digits loaded, kernels first used) and warm, against
torch's float32 batched-matmul throughput on the training step's own shapes measured in the same run; then
each learner's milliseconds per optimizer step run alone, relative to fine-tuning (target: EWC and SI at
most 2x a plain step). Target: the default run under 5 s cold on a 2-core CPU. CPU seconds are printed
beside wall seconds: on a shared, loaded machine the wall time measures the neighbours too.

    python -m benchmarks.bench_continual        (or: python benchmarks/bench_continual.py)
"""

from __future__ import annotations

import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import runtime  # noqa: E402
from brainsim.config import make  # noqa: E402
from brainsim.continual import experiment as exp  # noqa: E402
from brainsim.continual.learners import LEARNERS  # noqa: E402


def bmm_gflops(networks: int, batch: int, d: int, h: int, seconds: float = 1.0) -> float:
    """torch float32 throughput of the hidden layer's forward product, (N, B, D) @ (N, D, H), best of repeats."""
    x, w = torch.randn(networks, batch, d), torch.randn(networks, d, h)
    torch.bmm(x, w)
    best = float("inf")
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        torch.bmm(x, w)
        best = min(best, time.perf_counter() - t0)
    return 2 * networks * batch * d * h / best / 1e9


def main() -> None:
    cfg = make(exp.ContinualConfig, {})
    start, cpu = time.perf_counter(), time.process_time()
    out = exp.run(cfg)
    cold, cold_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    exp.run(cfg)
    warm, warm_cpu = time.perf_counter() - start, time.process_time() - cpu
    names = exp.active_learners(cfg)
    work = exp.work(cfg)
    reference = bmm_gflops(len(names) * cfg.seeds, cfg.batch_size, 64, cfg.hidden)
    timing = out["timing"].iloc[0]
    print(
        f"continual default run: split digits, {cfg.scenario}-incremental, {len(names)} learners x {cfg.seeds} seeds "
        f"trained as one batch of networks, {int(timing['steps'])} steps, torch threads={torch.get_num_threads()}, "
        f"load average={os.getloadavg()[0]:.1f}"
    )
    print(f"default run, cold      {cold:.2f} s wall, {cold_cpu:.2f} s CPU (target < 5 s on a 2-core CPU)")
    print(
        f"default run, warm      {warm:.2f} s wall, {warm_cpu:.2f} s CPU (wall > CPU: other processes share the cores)"
    )
    print(
        f"  of which training {timing['train_s']:.2f} s, evaluation {timing['eval_s']:.2f} s, "
        f"consolidation {timing['consolidate_s']:.2f} s"
    )
    ideal = work / 1e9 / reference
    print(f"training work          {work / 1e9:.2f} GFLOP (forward and backward passes)")
    print(f"torch bmm reference    {reference:.1f} GFLOP/s (the step's forward shape, float32, same run)")
    print(f"ratio ideal / warm     {ideal / warm:.2f}  (time the work would take at the reference throughput)")
    print("per optimizer step, each learner alone (3 seeds, split class-incremental; gating task-incremental):")
    base = None
    for name in LEARNERS:
        scenario = "task" if name == "context gating" else "class"
        one = make(exp.ContinualConfig, {"learners": [name], "scenario": scenario})
        exp.run(one)  # warm
        t = exp.run(one)["timing"].iloc[0]
        ms = float(t["ms_per_step"])
        base = base or ms
        print(
            f"  {name:26s} {ms:6.2f} ms/step  x{ms / base:4.2f} of fine-tuning  "
            f"consolidation {t['consolidate_s']:.3f} s"
        )


if __name__ == "__main__":
    runtime.configure()
    main()
