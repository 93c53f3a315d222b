"""A run's conditions and their sequences: which networks are trained (one per seed, pair count and
delay) and the seeded batches each one sees.

Independence: every network's training and test sequences (and its initial weights, run.py) come
from its own generator streams, keyed by (seed, pairs, delay), and block sizes depend on the group's
own condition, so a seed's rows are the same whether it runs alone or beside other seeds, and a
condition's whatever other delays or pair counts are selected. One exception is the task itself:
n-back sequences are max(delays) + 1 symbols long for every n (so the networks for different n read
the same kind of stream), hence an n-back network depends on the longest delay selected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from brainsim.working_memory import sequences as seq

if TYPE_CHECKING:
    from brainsim.working_memory.experiment import WorkingMemoryConfig

DATA_BLOCK_ELEMENTS = 4_000_000  # training inputs of one network drawn at once (floats): ~16 MB
Group = tuple[int, int, int]  # (seed, pairs, delay): one trained network, with its own generator streams


def seed_list(cfg: WorkingMemoryConfig) -> list[int]:
    """seed, seed + 1, ...: one per independent repetition."""
    return [cfg.seed + i for i in range(cfg.seeds)]


def chance(cfg: WorkingMemoryConfig) -> float:
    """Accuracy of guessing the task's answer: 1 / number of classes."""
    return 1.0 / (cfg.vocab if cfg.task == "associative retrieval" else cfg.symbols)


def conditions(cfg: WorkingMemoryConfig) -> list[tuple[int, int]]:
    """(pairs, delay) of every trained network per seed: the delays at `pairs`, then (associative
    retrieval with train_pair_sweep) the pair sweep at the shortest delay."""
    out = [(cfg.pairs if cfg.task == "associative retrieval" else 1, d) for d in dict.fromkeys(cfg.delays)]
    if cfg.task == "associative retrieval" and cfg.train_pair_sweep:
        out += [(p, min(cfg.delays)) for p in cfg.pairs_list if (p, min(cfg.delays)) not in out]
    return out


def make_batch(cfg: WorkingMemoryConfig, n: int, pairs: int, delay: int, seed: int, *stream: int) -> seq.SeqBatch:
    """One condition's sequences (seeded by seed and stream); n-back's length is max(delays) + 1."""
    if cfg.task == "delayed recall":
        return seq.delayed_recall(n, cfg.symbols, delay, cfg.distractors, seed, *stream)
    if cfg.task == "associative retrieval":
        return seq.associative_retrieval(n, cfg.vocab, pairs, delay, cfg.distractors, seed, *stream)
    return seq.n_back(n, cfg.symbols, delay + 1, max(cfg.delays) + 1, seed, *stream)


def seq_len(cfg: WorkingMemoryConfig, pairs: int, delay: int) -> int:
    """Steps of one condition's sequences (the answer is due at the last one)."""
    if cfg.task == "delayed recall":
        return delay + 2  # symbol, D distractors, go
    if cfg.task == "associative retrieval":
        return pairs + delay + 1  # pairs, D distractors, query
    return max(cfg.delays) + 2  # n-back: max(delays) + 1 symbols, then go


def held_out(cfg: WorkingMemoryConfig, group: Group) -> seq.SeqBatch:
    """The test sequences of one (seed, pairs, delay): test_size of them from the group's own stream
    (seed; 2, pairs, delay). Fast weights read the same ones (brainsim.working_memory.retrieval)."""
    s, p, d = group
    return make_batch(cfg, cfg.test_size, p, d, s, 2, p, d)


def steps_per_block(cfg: WorkingMemoryConfig, group: Group) -> int:
    """Training steps whose sequences are drawn at once (one generator call per block, not per step:
    drawing them was a third of the run time), at most DATA_BLOCK_ELEMENTS floats. A function of the
    group's own condition and the config's sizes alone, never of the other seeds or conditions in the
    run, so a network sees the same sequences whatever runs beside it, and every learner kind the same."""
    s, p, d = group
    per_step = cfg.batch * seq_len(cfg, p, d) * make_batch(cfg, 1, p, d, s, 0).d_in
    return max(1, min(cfg.steps, DATA_BLOCK_ELEMENTS // per_step))


class TrainingBatches:
    """The training sequences of one network (group (seed, pairs, delay)): batches(step) -> x (B, T, 1,
    d_in), y (B, 1) on `device`, for steps 1, 2, ...; drawn steps_per_block steps at a time from the
    group's own stream (seed; 1, pairs, delay, block)."""

    def __init__(self, cfg: WorkingMemoryConfig, group: Group, device: torch.device):
        self.cfg, self.group, self.device = cfg, group, device
        self.per_block = steps_per_block(cfg, group)
        self._index, self._block = -1, (torch.empty(0), torch.empty(0))

    def __call__(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        b, i = divmod(step - 1, self.per_block)
        if b != self._index:
            (s, p, d), n = self.group, self.cfg.batch * self.per_block
            seqs = make_batch(self.cfg, n, p, d, s, 1, p, d, b)
            self._block = (
                seqs.x.reshape(self.per_block, self.cfg.batch, *seqs.x.shape[1:])[:, :, :, None].to(self.device),
                seqs.y.reshape(self.per_block, self.cfg.batch, 1).to(self.device),
            )
            self._index = b
        x, y = self._block
        return x[i], y[i]  # (B, T, 1, d_in), (B, 1)
