"""Working-memory benchmark: training steps per second per learner (one network and packed seeds),
the default page run, and the full-budget run, against this machine's matmul throughput measured in
the same run."""

from __future__ import annotations

import time

import torch

from benchmarks.reference import best_of, matmul_gflops
from brainsim import sequence_tasks as T
from brainsim.experiments.working_memory import FULL_BUDGET, WorkingMemoryConfig, run
from brainsim.fast_weights import FastWeightReader
from brainsim.recurrent import KINDS, PackedNet, train
from brainsim.runtime import torch_generator


def steps_per_second(
    kind: str, groups: int, hidden: int = 32, delay: int = 20, batch: int = 32, steps: int = 20
) -> tuple[float, float]:
    """(training steps/s of the packed module, network-steps/s = that x groups) on delayed recall."""
    data = [T.delayed_recall(batch, 4, delay, 4, seed=g) for g in range(groups)]
    x = torch.stack([d.x for d in data], 2)  # (B, T, G, d_in)
    y = torch.stack([d.y for d in data], 1)  # (B, G)
    net = PackedNet(kind, groups, x.shape[-1], hidden, 4, [torch_generator(g, 1) for g in range(groups)])
    train(net, lambda s: (x, y), 3, 0.01)  # warm-up
    wall = best_of(lambda: train(net, lambda s: (x, y), steps, 0.01), repeats=3)
    return steps / wall, steps * groups / wall


def main() -> None:
    ref = matmul_gflops()
    print(f"reference: torch float32 matmul {ref:.1f} GFLOP/s (threads: {torch.get_num_threads()})")
    print("training steps/s, delayed recall D=20 (T=22), batch 32, hidden 32:")
    for kind in KINDS:
        one, _ = steps_per_second(kind, 1)
        packed, nets = steps_per_second(kind, 6)
        # forward+backward flops of one step of one network, roughly 3x the forward matmuls
        gates = {"feedforward": 1, "rnn": 1, "gru": 3, "lstm": 4}[kind]
        t_steps = 1 if kind == "feedforward" else 22
        flops = 3 * 2 * 32 * t_steps * gates * 32 * (32 + 9)
        print(
            f"  {kind:12s} alone {one:7.1f} steps/s ({one * flops / 1e9 / ref:.2%} of matmul peak); "
            f"6 packed {packed:6.1f} steps/s = {nets:7.1f} network-steps/s ({nets / one:.1f}x)"
        )
    b = T.associative_retrieval(1024, 16, 8, 20, 4, seed=0)
    reader = FastWeightReader(b.layout, 64, 0.9, 0.5, 0.05, seed=0)
    wall = best_of(lambda: reader.predict(b.x), repeats=5)
    print(f"  fast weights: {1024 / wall:,.0f} sequences/s read (8 pairs, delay 20, d=64), no training")
    cfg = WorkingMemoryConfig()
    run(cfg)  # warm-up
    t = time.perf_counter()
    run(cfg)
    print(f"default page run: {time.perf_counter() - t:.2f} s")
    full = WorkingMemoryConfig(**FULL_BUDGET)
    t = time.perf_counter()
    tables = run(full)
    print(f"full-budget run {FULL_BUDGET}: {time.perf_counter() - t:.1f} s")
    s = tables["summary"]
    for _, r in s.iterrows():
        print(f"  {r['learner']:12s} delay {r['delay']:2d}: accuracy {r['accuracy_mean']:.3f} ± {r['accuracy_sd']:.3f}")


if __name__ == "__main__":
    main()
