"""A run's conditions and their sequences: which networks are trained (one per seed, pair count and
delay), the seeded batches each one sees, and how networks are packed side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from brainsim.working_memory import sequences as seq
from brainsim.working_memory.recurrent import MAX_PACKED_UNITS

if TYPE_CHECKING:
    from brainsim.working_memory.experiment import WorkingMemoryConfig

DATA_BLOCK_ELEMENTS = 4_000_000  # training inputs drawn at once (floats): ~16 MB
Group = tuple[int, int, int]  # (seed, pairs, delay): one trained network


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
    """One condition's sequences (seeded by seed and stream)."""
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


def pack_groups(cfg: WorkingMemoryConfig, kind: str, groups: list[Group]) -> list[list[Group]]:
    """Groups trained together in one packed module. Recurrent nets: one module per sequence length
    (a delay-5 network runs its 7 steps, not 15 blank steps before them to line up with delay 20); the
    feedforward net reads only the last step, so all its groups share one. Modules stay under
    MAX_PACKED_UNITS hidden units."""
    per = max(1, MAX_PACKED_UNITS // cfg.hidden)
    length = (lambda g: 0) if kind == "feedforward" else (lambda g: seq_len(cfg, g[1], g[2]))
    out = []
    for t_len in sorted({length(g) for g in groups}):
        same = [g for g in groups if length(g) == t_len]
        out += [same[i : i + per] for i in range(0, len(same), per)]
    return out


def pad_left(x: torch.Tensor, t_len: int) -> torch.Tensor:
    """Zero steps before the sequence so that every group answers at the same last step."""
    return torch.nn.functional.pad(x, (0, 0, t_len - x.shape[1], 0))  # (B, T, d_in)


def stack_groups(batches: list[seq.SeqBatch], t_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Groups side by side: x (B, T, G, d_in), y (B, G)."""
    x = torch.stack([pad_left(b.x, t_len) for b in batches], 2)  # (B, T, G, d_in)
    y = torch.stack([b.y for b in batches], 1)  # (B, G)
    return x, y


def steps_per_block(cfg: WorkingMemoryConfig) -> int:
    """Training steps whose sequences are drawn at once (one generator call per network and block, not per
    step: drawing them was a third of the run time). A function of the config alone, so every learner sees
    the same sequences however its networks are packed; blocks of all networks stay under
    DATA_BLOCK_ELEMENTS floats."""
    conds = conditions(cfg)
    d_in = make_batch(cfg, 1, *conds[0], cfg.seed, 0).d_in
    per_step = cfg.batch * max(seq_len(cfg, p, d) for p, d in conds) * d_in * cfg.seeds * len(conds)
    return max(1, min(cfg.steps, DATA_BLOCK_ELEMENTS // per_step))


class TrainingBatches:
    """The training sequences of one packed module: batches(step) -> x (B, T, G, d_in), y (B, G) on
    `device`, for steps 1, 2, ...; drawn steps_per_block(cfg) steps at a time (stream 1, block b)."""

    def __init__(self, cfg: WorkingMemoryConfig, groups: list[Group], t_len: int, device: torch.device):
        self.cfg, self.groups, self.t_len, self.device = cfg, groups, t_len, device
        self.per_block = steps_per_block(cfg)
        self._index, self._block = -1, (torch.empty(0), torch.empty(0))

    def __call__(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        b, i = divmod(step - 1, self.per_block)
        if b != self._index:
            cfg, n = self.cfg, self.cfg.batch * self.per_block
            x, y = stack_groups([make_batch(cfg, n, p, d, s, 1, b) for s, p, d in self.groups], self.t_len)
            self._block = (
                x.reshape(self.per_block, cfg.batch, *x.shape[1:]).to(self.device),
                y.reshape(self.per_block, cfg.batch, -1).to(self.device),
            )
            self._index = b
        x, y = self._block
        return x[i], y[i]  # (B, T, G, d_in), (B, G)
