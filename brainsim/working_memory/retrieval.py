"""Measuring the fast-weight store on associative retrieval: accuracy vs delay and vs pairs, the
trace's decay vs λ, and snapshots of the store over one sequence. No training: the store is written
on the fly by the Hebbian rule."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from brainsim.timeline import snapshot_steps
from brainsim.working_memory import sequences as seq
from brainsim.working_memory.fast_weights import FastWeightReader, store_snapshots

if TYPE_CHECKING:
    from brainsim.working_memory.experiment import WorkingMemoryConfig


@dataclass
class FastWeightResults:
    by_delay: list[dict]  # accuracy rows at `pairs`, per seed and delay
    by_pairs: list[dict]  # accuracy rows at the shortest delay, per seed and pair count
    decay: pd.DataFrame  # lam, seed, delay, signal, theory, accuracy
    snapshots: pd.DataFrame  # moment, t, token, key, value, strength
    frames: pd.DataFrame  # the store at up to timeline.MAX_FRAMES steps of the same sequence
    wall_s: float


def fast_weight_results(cfg: WorkingMemoryConfig, seeds: list[int]) -> FastWeightResults:
    """Accuracy vs delay and pairs, trace decay vs lambda, and store snapshots of one sequence."""
    t0 = time.perf_counter()
    lams = list(dict.fromkeys(cfg.decay_lambdas))
    by_delay, by_pairs, decay = [], [], []
    shortest = min(cfg.delays)
    for s in seeds:
        layout = _batch(cfg, 1, 0, s).layout
        reader = FastWeightReader(layout, cfg.fw_dim, cfg.lam, cfg.eta, cfg.read_noise, s)
        for d in dict.fromkeys(cfg.delays):
            b = _batch(cfg, cfg.pairs, d, s, cfg.pairs, d)
            by_delay.append(_row(cfg, s, cfg.pairs, d, reader.predict(b.x, None, (cfg.pairs, d)) == b.y))
        for p in dict.fromkeys(cfg.pairs_list):
            b = _batch(cfg, p, shortest, s, p, shortest)
            by_pairs.append(_row(cfg, s, p, shortest, reader.predict(b.x, None, (p, shortest)) == b.y))
        decay += _trace_decay(cfg, reader, lams, s)
    decay_df = pd.DataFrame(decay, columns=["lam", "seed", "delay", "signal", "theory", "accuracy"])
    return FastWeightResults(
        by_delay=by_delay,
        by_pairs=by_pairs,
        decay=decay_df.sort_values(["lam", "seed", "delay"], kind="stable").reset_index(drop=True),
        snapshots=snapshots(cfg, seeds[0]),
        frames=store_frames(cfg, seeds[0]),
        wall_s=time.perf_counter() - t0,
    )


def _batch(cfg: WorkingMemoryConfig, pairs, delay, seed: int, *stream: int) -> seq.SeqBatch:
    """test_size held-out associative-retrieval sequences (seed; 2, *stream). With stream (pairs, delay) they are
    the trained networks' test sequences (data.held_out)."""
    return seq.associative_retrieval(cfg.test_size, cfg.vocab, pairs, delay, cfg.distractors, seed, 2, *stream)


def _row(cfg: WorkingMemoryConfig, seed: int, pairs: int, delay: int, hits: torch.Tensor) -> dict:
    return dict(
        learner="fast weights",
        seed=seed,
        pairs=pairs,
        delay=delay,
        accuracy=float(hits.float().mean()),
        chance=1.0 / cfg.vocab,
        diverged=False,
    )


def _trace_decay(cfg: WorkingMemoryConfig, reader: FastWeightReader, lams: list[float], seed: int) -> list[dict]:
    """One pair, then D distractor writes: signal lambda^D plus zero-mean crosstalk; and retrieval of
    `pairs` pairs at the same delay, for every lambda at once (delays 0 .. max(10, longest delay)).
    Each delay draws its own sequences (streams 7, 8 and noise 9, keyed by the delay), so a delay's rows
    do not depend on how far the span reaches."""
    rows = []
    for d in range(max(10, max(cfg.delays)) + 1):
        single, multi = _batch(cfg, 1, d, seed, 7, d), _batch(cfg, cfg.pairs, d, seed, 8, d)
        sig = reader.signal(single.x, single.y, lams).mean(-1)  # (L,)
        hit = (reader.predict(multi.x, lams, (9, d)) == multi.y).float().mean(-1)  # (L,)
        rows += [
            dict(
                lam=lam,
                seed=seed,
                delay=d,
                signal=round(float(sig[i]), 6),
                theory=round(lam**d, 6),
                accuracy=float(hit[i]),
            )
            for i, lam in enumerate(lams)
        ]
    return rows


def _store(cfg: WorkingMemoryConfig, seed: int) -> tuple[np.ndarray, list[str]]:
    """The store of one example sequence (longest delay) in symbol space after each written step,
    S[t, value, key] = c_value^T A_t e_key, (T-1, V, V), and the sequence's tokens."""
    tail = max(cfg.delays)
    b = seq.associative_retrieval(1, cfg.vocab, cfg.pairs, tail, cfg.distractors, seed, 3)
    reader = FastWeightReader(b.layout, cfg.fw_dim, cfg.lam, cfg.eta, cfg.read_noise, seed)
    k, v = reader.encode(b.x)  # (1, T, d)
    a = store_snapshots(k[:, :-1], v[:, :-1], cfg.lam, cfg.eta)[0]  # (T-1, d, d): after each written step
    return reader.association(a).numpy(), seq.describe(b.x[0], b.layout)


def snapshots(cfg: WorkingMemoryConfig, seed: int) -> pd.DataFrame:
    """The store of one example sequence in symbol space, S[value, key] = c_value^T A_t e_key, at a few
    moments: after the first pair, after the last pair, mid-delay, and when the query arrives."""
    tail = max(cfg.delays)
    s, tokens = _store(cfg, seed)
    moments = {
        "after first pair": 0,
        "after last pair": cfg.pairs - 1,
        "mid-delay": cfg.pairs - 1 + tail // 2,
        "at the query": len(tokens) - 2,
    }
    vi, ki = np.meshgrid(np.arange(cfg.vocab), np.arange(cfg.vocab), indexing="ij")
    rows = [
        pd.DataFrame(
            dict(moment=label, t=t, token=tokens[t], key=ki.ravel(), value=vi.ravel(), strength=s[t].ravel().round(6))
        )
        for label, t in moments.items()
    ]
    return pd.concat(rows, ignore_index=True).drop_duplicates(["t", "key", "value"]).reset_index(drop=True)


STORE_FRAME_COLUMNS = ["seed", "t", "token", "key", "value", "strength"]


def store_frames(cfg: WorkingMemoryConfig, seed: int) -> pd.DataFrame:
    """The timeline of the same store: S[value, key] after every written step of the sequence (at most
    timeline.MAX_FRAMES steps, evenly spaced, first and last kept)."""
    s, tokens = _store(cfg, seed)
    vi, ki = np.meshgrid(np.arange(cfg.vocab), np.arange(cfg.vocab), indexing="ij")
    rows = [
        pd.DataFrame(
            dict(seed=seed, t=t, token=tokens[t], key=ki.ravel(), value=vi.ravel(), strength=s[t].ravel().round(6))
        )
        for t in snapshot_steps(len(s) - 1)
    ]
    return pd.concat(rows, ignore_index=True)[STORE_FRAME_COLUMNS]
