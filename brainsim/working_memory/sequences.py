"""Seeded sequence tasks for working memory: delayed recall, associative retrieval, n-back.

Every generator returns a `SeqBatch`: one-hot inputs x (B, T, d_in) and one target class per
sequence, read at the LAST step. Sequences of different lengths in one batch are left-padded
with all-zero steps, so the answer is always due at t = T - 1 and one batched forward pass
serves every delay.

Input layouts (one-hot blocks, concatenated along the last axis):

- delayed recall:        [symbol (K) | distractor (M) | go (1)]
      t0: one of K symbols;  t1..tD: random distractors;  t(D+1): go.  Answer: the symbol.
- associative retrieval: [key (V) | value (V) | distractor (M) | query (1)]
      one step per pair (key and value shown together, distinct keys), then D distractor
      steps, then the query: a stored key with the query flag.  Answer: that key's value.
      (Ba et al. 2016 show key and value as consecutive characters; one step per pair keeps
      the store's key/value split explicit and the sequence short.)
- n-back:                [symbol (K) | go (1)]
      L random symbols then go; answer: the symbol shown n steps before the go.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from brainsim.runtime import torch_generator

TASKS = ("delayed recall", "associative retrieval", "n-back")


@dataclass(frozen=True)
class SeqBatch:
    """A batch of sequences whose answer is due at the last step."""

    x: torch.Tensor  # (B, T, d_in) float32 one-hot blocks, zero rows = padding
    y: torch.Tensor  # (B,) int64 target class
    delay: torch.Tensor  # (B,) int64 distractor steps between the last item and the go/query step
    pairs: torch.Tensor  # (B,) int64 number of key-value pairs (1 for delayed recall)
    n_classes: int
    layout: dict  # block name -> slice of the input axis

    @property
    def d_in(self) -> int:
        return self.x.shape[-1]


def _blocks(**sizes: int) -> dict[str, slice]:
    out, at = {}, 0
    for name, n in sizes.items():
        out[name] = slice(at, at + n)
        at += n
    return out


def _as_long(values, batch: int, g: torch.Generator) -> torch.Tensor:
    """Per-sequence integers: a scalar broadcasts; a tensor of length `batch` is taken as is;
    a list/tuple is sampled uniformly per sequence."""
    if isinstance(values, int):
        return torch.full((batch,), values, dtype=torch.long)
    if isinstance(values, torch.Tensor):
        if values.shape != (batch,):
            raise ValueError(f"per-sequence values need shape ({batch},), got {tuple(values.shape)}")
        return values.long()
    v = torch.as_tensor(list(values), dtype=torch.long)
    return v[torch.randint(len(v), (batch,), generator=g)]


def delayed_recall(batch: int, k: int, delays, n_distractors: int, seed: int, *stream: int) -> SeqBatch:
    """One of `k` symbols, then D distractor steps, then go; the answer is the symbol.

    delays: an int (every sequence), a (batch,) tensor (one per sequence) or a list (each sequence
    draws one uniformly).
    """
    g = torch_generator(seed, 101, *stream)
    d = _as_long(delays, batch, g)  # (B,)
    t_len = int(d.max()) + 2
    lay = _blocks(symbol=k, distractor=n_distractors, go=1)
    x = torch.zeros(batch, t_len, k + n_distractors + 1)  # (B, T, d_in)
    y = torch.randint(k, (batch,), generator=g)  # (B,)
    rows = torch.arange(batch)
    start = t_len - 2 - d  # (B,) left padding so that go is at T-1
    x[rows, start, y] = 1.0
    if n_distractors > 0:
        noise = torch.randint(n_distractors, (batch, t_len), generator=g) + k  # (B, T)
        t = torch.arange(t_len)[None, :]  # (1, T)
        is_distractor = (t > start[:, None]) & (t < t_len - 1)  # (B, T)
        x.scatter_(2, noise[..., None], is_distractor[..., None].float())
    x[:, -1, lay["go"]] = 1.0
    return SeqBatch(x, y, d, torch.ones(batch, dtype=torch.long), k, lay)


def associative_retrieval(
    batch: int, vocab: int, pairs, delays, n_distractors: int, seed: int, *stream: int
) -> SeqBatch:
    """`pairs` key-value steps (distinct keys), D distractor steps, then a query key.

    pairs, delays: an int, a (batch,) tensor, or a list to draw from per sequence. The answer is the
    queried value.
    """
    g = torch_generator(seed, 102, *stream)
    p = _as_long(pairs, batch, g)  # (B,)
    d = _as_long(delays, batch, g)  # (B,)
    if int(p.max()) > vocab:
        raise ValueError(f"pairs ({int(p.max())}) must not exceed the vocabulary ({vocab})")
    lengths = p + d + 1
    t_len = int(lengths.max())
    lay = _blocks(key=vocab, value=vocab, distractor=n_distractors, query=1)
    x = torch.zeros(batch, t_len, 2 * vocab + n_distractors + 1)  # (B, T, d_in)
    keys = torch.argsort(torch.rand(batch, vocab, generator=g), dim=1)  # (B, V) distinct keys per row
    values = torch.randint(vocab, (batch, vocab), generator=g)  # (B, V) values may repeat
    start = t_len - lengths  # (B,)
    t = torch.arange(t_len)[None, :]  # (1, T)
    slot = t - start[:, None]  # (B, T) position within the sequence
    is_pair = (slot >= 0) & (slot < p[:, None])  # (B, T)
    idx = slot.clamp(0, vocab - 1)  # (B, T)
    key_t = torch.gather(keys, 1, idx)  # (B, T)
    val_t = torch.gather(values, 1, idx)  # (B, T)
    x.scatter_(2, key_t[..., None], is_pair[..., None].float())
    x.scatter_(2, (val_t + vocab)[..., None], is_pair[..., None].float())
    if n_distractors > 0:
        noise = torch.randint(n_distractors, (batch, t_len), generator=g) + 2 * vocab  # (B, T)
        is_distractor = (slot >= p[:, None]) & (t < t_len - 1)  # (B, T)
        x.scatter_(2, noise[..., None], is_distractor[..., None].float())
    q = (torch.rand(batch, generator=g) * p).long()  # (B,) which pair is queried
    rows = torch.arange(batch)
    x[rows, -1, keys[rows, q]] = 1.0
    x[:, -1, lay["query"]] = 1.0
    y = values[rows, q]  # (B,)
    return SeqBatch(x, y, d, p, vocab, lay)


def n_back(batch: int, k: int, n: int, length: int, seed: int, *stream: int) -> SeqBatch:
    """`length` random symbols, then go; the answer is the symbol shown n steps before the go."""
    if not 1 <= n <= length:
        raise ValueError(f"n ({n}) must be between 1 and the sequence length ({length})")
    g = torch_generator(seed, 103, *stream)
    lay = _blocks(symbol=k, go=1)
    s = torch.randint(k, (batch, length), generator=g)  # (B, L)
    x = torch.zeros(batch, length + 1, k + 1)  # (B, T, d_in)
    x[:, :length].scatter_(2, s[..., None], 1.0)
    x[:, -1, k] = 1.0
    y = s[:, length - n]  # (B,)
    return SeqBatch(x, y, torch.full((batch,), n - 1, dtype=torch.long), torch.ones(batch, dtype=torch.long), k, lay)


def describe(steps: torch.Tensor, layout: dict) -> list[str]:
    """Readable tokens of one sequence's steps (T, d_in) in `layout`, e.g. ['.', 's2', 'd1', 'go']."""
    out = []
    for row in steps.numpy():
        on = np.flatnonzero(row)
        if len(on) == 0:
            out.append(".")
            continue
        parts = []
        for j in on:
            for name, sl in layout.items():
                if sl.start <= j < sl.stop:
                    parts.append(name if sl.stop - sl.start == 1 else f"{name[0]}{j - sl.start}")
        out.append("+".join(parts))
    return out
