"""Working-memory benchmark: the default page run (cold, best of 3) with its accuracies per seed, and
training steps per second per learner at the default sizes, against this machine's matmul throughput
measured in the same run: one network (as the run trains them, so that a seed's result does not depend
on its neighbours) and, for comparison, the seeds packed block-diagonally in one module (what packing
would buy; it is exact only up to float rounding, see brainsim.working_memory.recurrent)."""

from __future__ import annotations

import torch

from benchmarks.reference import best_of, matmul_gflops
from brainsim.runtime import torch_generator
from brainsim.working_memory import sequences as T
from brainsim.working_memory.experiment import WorkingMemoryConfig
from brainsim.working_memory.fast_weights import FastWeightReader
from brainsim.working_memory.recurrent import KINDS, PackedNet
from brainsim.working_memory.run import run
from brainsim.working_memory.training import train


def steps_per_second(kind: str, groups: int, cfg: WorkingMemoryConfig, delay: int, steps: int = 20) -> float:
    """Training steps/s of one packed module of `groups` networks on delayed recall at the config's sizes."""
    data = [T.delayed_recall(cfg.batch, cfg.symbols, delay, cfg.distractors, seed=g) for g in range(groups)]
    x = torch.stack([d.x for d in data], 2)  # (B, T, G, d_in)
    y = torch.stack([d.y for d in data], 1)  # (B, G)
    net = PackedNet(kind, groups, x.shape[-1], cfg.hidden, cfg.symbols, [torch_generator(g, 1) for g in range(groups)])
    train(net, lambda s: (x, y), 3, cfg.lr)  # warm-up
    wall = best_of(lambda: train(net, lambda s: (x, y), steps, cfg.lr, cfg.clip, schedule=cfg.schedule), repeats=3)
    return steps / wall


def main() -> None:
    ref = matmul_gflops()
    print(f"reference: torch float32 matmul {ref:.1f} GFLOP/s (threads: {torch.get_num_threads()})")
    cfg = WorkingMemoryConfig()
    run(cfg)  # warm-up: imports, lazy kernels
    tables = {}
    wall = best_of(lambda: tables.update(run(cfg)))
    print(
        f"default page run: {wall:.2f} s cold (best of 3; target < 8 s) - {cfg.task}, K={cfg.symbols}, "
        f"delays {cfg.delays}, {cfg.seeds} seeds, learners {', '.join(cfg.learners)}; budget {cfg.steps} steps x "
        f"{cfg.batch} sequences, hidden {cfg.hidden}, {cfg.optimizer} lr {cfg.lr} ({cfg.schedule})"
    )
    timing = tables["timing"]
    for learner, part in timing.groupby("learner", sort=False):
        print(f"  {learner:12s} {part['wall_s'].sum():5.2f} s in the run")
    acc = tables["accuracy_vs_delay"]
    for learner in ("feedforward", "rnn", "gru", "lstm"):
        part = acc[acc["learner"] == learner]
        for delay, rows in part.groupby("delay"):
            seeds = " ".join(f"{a:.2f}" for a in rows.sort_values("seed")["accuracy"])
            print(f"  {learner:12s} delay {delay:2d}: accuracy {rows['accuracy'].mean():.3f} (seeds: {seeds})")

    print(f"training steps/s at the default sizes (batch {cfg.batch}, hidden {cfg.hidden}, K={cfg.symbols}):")
    for delay in sorted(set(cfg.delays)):
        t_len = delay + 2
        for kind in KINDS:
            one = steps_per_second(kind, 1, cfg, delay)
            packed = steps_per_second(kind, cfg.seeds, cfg, delay)
            # forward+backward flops of one step of one network, roughly 3x the forward matmuls
            gates = {"feedforward": 1, "rnn": 1, "gru": 3, "lstm": 4}[kind]
            d_in = cfg.symbols + cfg.distractors + 1
            flops = 3 * 2 * cfg.batch * (1 if kind == "feedforward" else t_len) * gates * cfg.hidden
            flops *= cfg.hidden + d_in
            print(
                f"  delay {delay:2d} (T={t_len:2d}) {kind:12s} alone {one:7.1f} steps/s "
                f"({one * flops / 1e9 / ref:.2%} of matmul peak); {cfg.seeds} packed {packed:6.1f} steps/s = "
                f"{packed * cfg.seeds:7.1f} network-steps/s ({packed * cfg.seeds / one:.1f}x)"
            )
    b = T.associative_retrieval(1024, 16, 8, 20, 4, seed=0)
    reader = FastWeightReader(b.layout, 64, 0.9, 0.5, 0.05, seed=0)
    wall = best_of(lambda: reader.predict(b.x), repeats=5)
    print(f"  fast weights: {1024 / wall:,.0f} sequences/s read (8 pairs, delay 20, d=64), no training")


if __name__ == "__main__":
    main()
