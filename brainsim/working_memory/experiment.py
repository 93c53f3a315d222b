"""Working memory: what holds information across a delay?

Learners, all on the same sequences, seeds and (for the trained ones) the same sample budget:
- feedforward: an MLP that sees only the current step (knowledge in weights, no short-term store);
- rnn / gru / lstm: torch.nn recurrent nets trained by backprop through time (torch.optim.Adam,
  gradient clipping), one network per (seed, delay or pair count);
- fast weights: an untrained Hebbian store A <- lambda A + eta v k^T (brainsim.working_memory.fast_weights),
  defined for associative retrieval (it needs a key to read with).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from brainsim.config import BaseConfig, param
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import resolve_device, torch_generator
from brainsim.working_memory import charts as wmc
from brainsim.working_memory import sequences as st_
from brainsim.working_memory.fast_weights import FastWeightReader, store_snapshots
from brainsim.working_memory.recurrent import MAX_PACKED_UNITS, OPTIMIZERS, SCHEDULES, PackedNet, accuracy, train

TRAINED = ("feedforward", "rnn", "gru", "lstm")
LEARNERS = (*TRAINED, "fast weights")
DEFAULT_LEARNERS = ("feedforward", "rnn", "gru", "fast weights")
DATA_BLOCK_ELEMENTS = 4_000_000  # training inputs drawn at once (floats): ~16 MB


@dataclass(frozen=True)
class WorkingMemoryConfig(BaseConfig):
    task: str = param(
        "delayed recall",
        choices=st_.TASKS,
        help="delayed recall: remember one symbol across distractors until go; associative "
        "retrieval: key-value pairs, then a query key (Ba et al. 2016); n-back: name the "
        "symbol shown n steps before go (n = delay + 1).",
    )
    symbols: int = param(
        8, lo=2, hi=16, label="symbols K", help="Alphabet of delayed recall and n-back; chance is 1/K."
    )
    delays: tuple[int, ...] = param(
        (5, 20),
        lo=0,
        hi=40,
        max_items=6,
        unit="steps",
        help="Distractor steps between the item and the go/query step; one trained network per delay and seed.",
    )
    distractors: int = param(4, lo=0, hi=16, help="Size of the distractor alphabet shown during the delay.")
    vocab: int = param(
        16, lo=2, hi=32, label="vocabulary", help="Keys and values of associative retrieval (chance 1/vocabulary)."
    )
    pairs: int = param(4, lo=1, hi=32, help="Key-value pairs per sequence in associative retrieval.")
    pairs_list: tuple[int, ...] = param(
        (1, 2, 4, 8, 16),
        lo=1,
        hi=32,
        max_items=6,
        label="pairs sweep",
        help="Pair counts for the accuracy-vs-pairs chart (at the shortest delay).",
    )
    train_pair_sweep: bool = param(
        False,
        advanced=True,
        label="train the pair sweep",
        help="Associative retrieval: also train one network per pair count of the sweep (slower); "
        "otherwise only fast weights appear on the accuracy-vs-pairs chart.",
    )
    learners: tuple[str, ...] = param(
        DEFAULT_LEARNERS,
        choices=LEARNERS,
        help="Which learners to compare (lstm is off by default to keep the page fast).",
    )
    hidden: int = param(32, lo=2, hi=64, label="hidden size", help="Hidden units of every trained network.")
    lr: float = param(
        0.05,
        lo=1e-5,
        hi=1.0,
        widget="number",
        label="learning rate",
        help="Peak learning rate of the trained networks' optimizer (the cosine schedule takes it to 0).",
    )
    optimizer: str = param(
        "adam", choices=OPTIMIZERS, help="torch.optim optimizer of the trained networks (sgd: momentum 0.9)."
    )
    schedule: str = param(
        "cosine",
        choices=SCHEDULES,
        advanced=True,
        label="learning-rate schedule",
        help="constant, or cosine: the learning rate falls from its value to 0 over the training steps.",
    )
    steps: int = param(
        150,
        lo=1,
        hi=1000,
        step=10,
        label="training steps",
        help="Optimizer steps per network (the budget); samples seen = steps x batch.",
    )
    batch: int = param(64, lo=4, hi=256, advanced=True, help="Sequences per training step.")
    clip: float = param(
        1.0,
        lo=0.0,
        hi=100.0,
        advanced=True,
        label="gradient clip",
        help="Maximum gradient norm per network; 0 switches clipping off.",
    )
    lam: float = param(
        0.9,
        lo=0.0,
        hi=1.0,
        step=0.01,
        label="fast-weight decay λ",
        help="Fast-weight decay per step: a trace written D steps ago keeps λ^D of its strength.",
    )
    eta: float = param(
        0.5,
        lo=0.01,
        hi=10.0,
        step=0.01,
        label="fast-weight rate η",
        help="Hebbian write strength; it matters relative to the read-out noise.",
    )
    read_noise: float = param(
        0.05,
        lo=0.0,
        hi=2.0,
        step=0.01,
        advanced=True,
        label="read-out noise σ",
        help="Standard deviation of Gaussian noise added to the fast-weight read-out.",
    )
    fw_dim: int = param(
        64,
        lo=8,
        hi=256,
        advanced=True,
        label="fast-weight dimension",
        help="Size d of the random key/value codes (the store is d x d).",
    )
    decay_lambdas: tuple[float, ...] = param(
        (0.5, 0.8, 0.9, 0.95, 1.0),
        lo=0.0,
        hi=1.0,
        max_items=6,
        advanced=True,
        label="λ sweep",
        help="Decays compared in the trace-decay chart.",
    )
    seeds: int = param(3, lo=1, hi=5, help="Independent seeds (seed, seed+1, ...): data and initial weights.")
    test_size: int = param(
        256, lo=32, hi=1024, advanced=True, label="test sequences", help="Held-out sequences per seed and condition."
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if not self.delays:
            return "Field 'delays' must list at least one delay."
        if self.pairs > self.vocab:
            return f"Field 'pairs' ({self.pairs}) must not exceed the vocabulary ({self.vocab}): keys are distinct."
        if not self.pairs_list or max(self.pairs_list) > self.vocab:
            return f"Field 'pairs_list' must list pair counts from 1 to the vocabulary ({self.vocab})."
        if not self.decay_lambdas:
            return "Field 'decay_lambdas' must list at least one λ."
        return None


# --------------------------------------------------------------------------- conditions and data


def conditions(cfg: WorkingMemoryConfig) -> list[tuple[int, int]]:
    """(pairs, delay) of every trained network per seed: the delays at `pairs`, then (associative
    retrieval with train_pair_sweep) the pair sweep at the shortest delay."""
    out = [(cfg.pairs if cfg.task == "associative retrieval" else 1, d) for d in dict.fromkeys(cfg.delays)]
    if cfg.task == "associative retrieval" and cfg.train_pair_sweep:
        out += [(p, min(cfg.delays)) for p in cfg.pairs_list if (p, min(cfg.delays)) not in out]
    return out


def make_batch(cfg: WorkingMemoryConfig, n: int, pairs: int, delay: int, seed: int, *stream: int) -> st_.SeqBatch:
    """One condition's sequences (seeded by seed and stream)."""
    if cfg.task == "delayed recall":
        return st_.delayed_recall(n, cfg.symbols, delay, cfg.distractors, seed, *stream)
    if cfg.task == "associative retrieval":
        return st_.associative_retrieval(n, cfg.vocab, pairs, delay, cfg.distractors, seed, *stream)
    return st_.n_back(n, cfg.symbols, delay + 1, max(cfg.delays) + 1, seed, *stream)


def seq_len(cfg: WorkingMemoryConfig, pairs: int, delay: int) -> int:
    """Steps of one condition's sequences (the answer is due at the last one)."""
    if cfg.task == "delayed recall":
        return delay + 2  # symbol, D distractors, go
    if cfg.task == "associative retrieval":
        return pairs + delay + 1  # pairs, D distractors, query
    return max(cfg.delays) + 2  # n-back: max(delays) + 1 symbols, then go


def steps_per_block(cfg: WorkingMemoryConfig) -> int:
    """Training steps whose sequences are drawn at once (one generator call per network and block, not per
    step: drawing them was a third of the run time). A function of the config alone, so every learner sees
    the same sequences however its networks are packed; blocks of all networks stay under
    DATA_BLOCK_ELEMENTS floats."""
    conds = conditions(cfg)
    d_in = make_batch(cfg, 1, *conds[0], cfg.seed, 0).d_in
    per_step = cfg.batch * max(seq_len(cfg, p, d) for p, d in conds) * d_in * cfg.seeds * len(conds)
    return max(1, min(cfg.steps, DATA_BLOCK_ELEMENTS // per_step))


def _pad_left(x: torch.Tensor, t_len: int) -> torch.Tensor:
    """Zero steps before the sequence so that every group answers at the same last step."""
    return torch.nn.functional.pad(x, (0, 0, t_len - x.shape[1], 0))  # (B, T, d_in)


def _stack(batches: list[st_.SeqBatch], t_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Groups side by side: x (B, T, G, d_in), y (B, G)."""
    x = torch.stack([_pad_left(b.x, t_len) for b in batches], 2)  # (B, T, G, d_in)
    y = torch.stack([b.y for b in batches], 1)  # (B, G)
    return x, y


def _seed_list(cfg: WorkingMemoryConfig) -> list[int]:
    return [cfg.seed + i for i in range(cfg.seeds)]


# --------------------------------------------------------------------------- trained learners


def _train_learner(kind: str, cfg: WorkingMemoryConfig, groups: list[tuple[int, int, int]], device, report) -> dict:
    """Train one packed module holding a network per group (seed, pairs, delay); return its results."""
    probe = [make_batch(cfg, 1, p, d, s, 1, 0) for s, p, d in groups]
    t_len = max(b.x.shape[1] for b in probe)
    n_out, d_in = probe[0].n_classes, probe[0].d_in
    gens = [torch_generator(s, 11, p, d) for s, p, d in groups]  # same init stream for every learner kind
    model = PackedNet(kind, len(groups), d_in, cfg.hidden, n_out, gens).to(device)
    tests = [make_batch(cfg, cfg.test_size, p, d, s, 2) for s, p, d in groups]
    x_test, y_test = (t.to(device) for t in _stack(tests, t_len))

    per_block = steps_per_block(cfg)
    block: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def batch(step: int):
        b, i = divmod(step - 1, per_block)
        if b not in block:
            block.clear()
            n = cfg.batch * per_block
            x, y = _stack([make_batch(cfg, n, p, d, s, 1, b) for s, p, d in groups], t_len)
            block[b] = (
                x.reshape(per_block, cfg.batch, *x.shape[1:]).to(device),
                y.reshape(per_block, cfg.batch, -1).to(device),
            )
        x, y = block[b]
        return x[i], y[i]  # (B, T, G, d_in), (B, G)

    def evaluate(m: PackedNet):
        logits = m(x_test)  # (B, G, C)
        loss = torch.nn.functional.cross_entropy(logits.permute(0, 2, 1), y_test, reduction="none").mean(0)
        return loss, accuracy(logits, y_test)

    res = train(
        model,
        batch,
        cfg.steps,
        cfg.lr,
        cfg.clip,
        evaluate,
        eval_every=max(1, cfg.steps // 10),
        callback=report,
        optimizer=cfg.optimizer,
        schedule=cfg.schedule,
    )
    with torch.no_grad():
        _, final = evaluate(model)
        states = model.states(x_test[:1])[0]  # (T, G, H): first test sequence of every group
    return dict(model=model, res=res, final=final.cpu(), states=states.cpu(), tests=tests, t_len=t_len)


def _modules(cfg: WorkingMemoryConfig, kind: str, groups: list[tuple[int, int, int]]) -> list[list]:
    """Groups (seed, pairs, delay) trained together in one packed module. Recurrent nets: one module per
    sequence length (a delay-5 network runs its 7 steps, not 15 blank steps before them to line up with
    delay 20); the feedforward net reads only the last step, so all its groups share one. Modules stay
    under MAX_PACKED_UNITS hidden units."""
    per = max(1, MAX_PACKED_UNITS // cfg.hidden)
    length = (lambda g: 0) if kind == "feedforward" else (lambda g: seq_len(cfg, g[1], g[2]))
    out = []
    for t_len in sorted({length(g) for g in groups}):
        same = [g for g in groups if length(g) == t_len]
        out += [same[i : i + per] for i in range(0, len(same), per)]
    return out


# --------------------------------------------------------------------------- run


def run(cfg: WorkingMemoryConfig, progress=None) -> dict[str, pd.DataFrame]:
    device = resolve_device(cfg.device)
    seeds = _seed_list(cfg)
    conds = conditions(cfg)
    groups = [(s, p, d) for s in seeds for p, d in conds]
    trained = [k for k in TRAINED if k in cfg.learners]
    chance = 1.0 / (cfg.vocab if cfg.task == "associative retrieval" else cfg.symbols)
    acc_rows, curve_rows, heat_rows, timing_rows, params = [], [], [], [], {}
    tail = max(cfg.delays)
    example = (seeds[0], conds[[d for _, d in conds].index(tail)][0], tail)  # group shown in the heatmap

    jobs = [(k, c) for k in trained for c in _modules(cfg, k, groups)]
    cost = [len(c) * (1 if k == "feedforward" else max(seq_len(cfg, p, d) for _, p, d in c)) for k, c in jobs]
    for j, (kind, chunk) in enumerate(jobs):

        def report(step, steps, j=j, kind=kind):
            if progress and (step % max(1, steps // 20) == 0 or step == steps):
                done = sum(cost[:j]) + cost[j] * step / steps
                progress(0.9 * done / sum(cost), f"training {kind}: step {step}/{steps}")

        t0 = time.perf_counter()
        out = _train_learner(kind, cfg, chunk, device, report)
        res = out["res"]
        timing_rows.append(
            dict(
                learner=kind,
                groups=len(chunk),
                steps=res.steps_done,
                wall_s=time.perf_counter() - t0,
                train_s=res.wall_s,
                network_steps_per_s=res.steps_done * len(chunk) / max(res.wall_s, 1e-9),
            )
        )
        params[kind] = out["model"].parameter_count()
        for g, (s, p, d) in enumerate(chunk):
            dead = bool(res.diverged[g])
            acc_rows.append(
                dict(
                    learner=kind,
                    seed=s,
                    pairs=p,
                    delay=d,
                    accuracy=float(out["final"][g]),
                    chance=chance,
                    diverged=dead,
                )
            )
        for row in res.curve:
            s, p, d = chunk[row["group"]]
            curve_rows.append(
                dict(
                    learner=kind,
                    seed=s,
                    pairs=p,
                    delay=d,
                    step=row["step"],
                    samples=row["samples"],
                    loss=row["loss"],
                    accuracy=row["accuracy"],
                    diverged=row["diverged"],
                )
            )
        if example in chunk:
            g = chunk.index(example)
            tokens = st_.describe(
                st_.SeqBatch(
                    _pad_left(out["tests"][g].x[:1], out["t_len"]),
                    out["tests"][g].y[:1],
                    out["tests"][g].delay[:1],
                    out["tests"][g].pairs[:1],
                    out["tests"][g].n_classes,
                    out["tests"][g].layout,
                )
            )
            h = out["states"][:, g].numpy()  # (T, H)
            t_idx, u_idx = np.meshgrid(np.arange(h.shape[0]), np.arange(h.shape[1]), indexing="ij")
            heat_rows.append(
                pd.DataFrame(
                    dict(
                        learner=kind,
                        seed=example[0],
                        delay=tail,
                        t=t_idx.ravel(),
                        token=np.asarray(tokens)[t_idx.ravel()],
                        unit=u_idx.ravel(),
                        activation=h.ravel().round(6),
                    )
                )
            )

    fw = _fast_weight_tables(cfg, seeds, progress)
    if "fast weights" in cfg.learners:
        if cfg.task == "associative retrieval":
            acc_rows += fw["by_delay"]
        params["fast weights"] = 0
        timing_rows.append(
            dict(
                learner="fast weights",
                groups=len(seeds),
                steps=0,
                wall_s=fw["wall_s"],
                train_s=0.0,
                network_steps_per_s=float("nan"),
            )
        )

    cols = ["learner", "seed", "pairs", "delay", "accuracy", "chance", "diverged"]
    acc = pd.DataFrame(acc_rows, columns=cols)
    # accuracy vs pairs: trained nets when they ran the pair sweep, fast weights always when selected
    by_pairs = acc[acc["delay"] == min(cfg.delays)] if cfg.task == "associative retrieval" else acc.iloc[:0]
    if "fast weights" in cfg.learners:
        by_pairs = pd.concat([by_pairs, pd.DataFrame(fw["by_pairs"], columns=cols)], ignore_index=True)
    tables = {
        "accuracy_vs_delay": _order(
            acc[acc["pairs"] == (cfg.pairs if cfg.task == "associative retrieval" else 1)].drop(columns="pairs"),
            ["delay", "seed"],
        ),
        "accuracy_vs_pairs": _order(by_pairs.drop_duplicates(["learner", "seed", "pairs"]), ["pairs", "seed"]),
        "training_curves": _order(
            pd.DataFrame(
                curve_rows,
                columns=["learner", "seed", "pairs", "delay", "step", "samples", "loss", "accuracy", "diverged"],
            ),
            ["delay", "pairs", "seed", "step"],
        ),
        "hidden_states": pd.concat(heat_rows, ignore_index=True)
        if heat_rows
        else pd.DataFrame(columns=["learner", "seed", "delay", "t", "token", "unit", "activation"]),
        "fast_weight_snapshots": fw["snapshots"],
        "trace_decay": fw["decay"],
    }
    tables["summary"] = _summary(cfg, tables["accuracy_vs_delay"], params)
    tables["timing"] = pd.DataFrame(
        timing_rows, columns=["learner", "groups", "steps", "wall_s", "train_s", "network_steps_per_s"]
    )
    if progress:
        progress(1.0, "done")
    return tables


def _order(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Learners in canonical order, then `keys`; a fresh index."""
    rank = {name: i for i, name in enumerate(LEARNERS)}
    df = df.assign(_r=df["learner"].map(rank)).sort_values(["_r", *keys], kind="stable")
    return df.drop(columns="_r").reset_index(drop=True)


def _summary(cfg: WorkingMemoryConfig, acc: pd.DataFrame, params: dict) -> pd.DataFrame:
    rows = []
    for (learner, delay), part in acc.groupby(["learner", "delay"], sort=False):
        fast = learner == "fast weights"
        rows.append(
            dict(
                learner=learner,
                delay=delay,
                accuracy_mean=round(float(part["accuracy"].mean()), 4),
                accuracy_sd=round(float(part["accuracy"].std(ddof=0)), 4),
                seeds=len(part),
                chance=round(float(part["chance"].iloc[0]), 4),
                train_samples=0 if fast else cfg.steps * cfg.batch,
                weight_updates=0 if fast else cfg.steps,
                parameters=params.get(learner, 0),
                diverged=bool(part["diverged"].any()),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "learner",
            "delay",
            "accuracy_mean",
            "accuracy_sd",
            "seeds",
            "chance",
            "train_samples",
            "weight_updates",
            "parameters",
            "diverged",
        ],
    )


# --------------------------------------------------------------------------- fast weights


def _fast_weight_tables(cfg: WorkingMemoryConfig, seeds: list[int], progress) -> dict:
    """Accuracy vs delay and pairs, trace decay vs lambda, and store snapshots of one sequence."""
    t0 = time.perf_counter()
    chance = 1.0 / cfg.vocab
    lams = list(dict.fromkeys(cfg.decay_lambdas))
    by_delay, by_pairs, decay = [], [], []

    def batch(pairs, delay, seed, *stream):
        n = len(delay) if isinstance(delay, torch.Tensor) else cfg.test_size
        return st_.associative_retrieval(n, cfg.vocab, pairs, delay, cfg.distractors, seed, 2, *stream)

    def row(s, p, d, hits):
        return dict(
            learner="fast weights",
            seed=s,
            pairs=p,
            delay=d,
            accuracy=float(hits.float().mean()),
            chance=chance,
            diverged=False,
        )

    for s in seeds:
        layout = batch(1, 0, s).layout
        reader = FastWeightReader(layout, cfg.fw_dim, cfg.lam, cfg.eta, cfg.read_noise, s)
        for d in dict.fromkeys(cfg.delays):
            b = batch(cfg.pairs, d, s)
            by_delay.append(row(s, cfg.pairs, d, reader.predict(b.x, None, (cfg.pairs, d)) == b.y))
        for p in dict.fromkeys(cfg.pairs_list):
            b = batch(p, min(cfg.delays), s)
            by_pairs.append(row(s, p, min(cfg.delays), reader.predict(b.x, None, (p, min(cfg.delays))) == b.y))
        # trace decay: one pair, then D distractor writes: signal lambda^D plus zero-mean crosstalk;
        # and retrieval of `pairs` pairs at the same delay, for every lambda at once
        span = list(range(max(10, max(cfg.delays)) + 1))
        for part in _chunks(span, cfg.test_size * (cfg.pairs + span[-1] + 1) * max(cfg.fw_dim, 2 * cfg.vocab)):
            d_seq = torch.tensor(part).repeat_interleave(cfg.test_size)  # (n * len(part),) delay per sequence
            single, multi = batch(1, d_seq, s, 7, part[0]), batch(cfg.pairs, d_seq, s, 8, part[0])
            sig = reader.signal(single.x, single.y, lams).reshape(len(lams), len(part), -1).mean(-1)  # (L, D)
            hit = (reader.predict(multi.x, lams, (9, part[0])) == multi.y).float()
            hit = hit.reshape(len(lams), len(part), -1).mean(-1)  # (L, D)
            decay += [
                dict(
                    lam=lam,
                    seed=s,
                    delay=d,
                    signal=round(float(sig[i, j]), 6),
                    theory=round(lam**d, 6),
                    accuracy=float(hit[i, j]),
                )
                for i, lam in enumerate(lams)
                for j, d in enumerate(part)
            ]
    if progress:
        progress(0.95, "fast weights")
    return dict(
        by_delay=by_delay,
        by_pairs=by_pairs,
        snapshots=_snapshots(cfg, seeds[0]),
        wall_s=time.perf_counter() - t0,
        decay=_order_decay(pd.DataFrame(decay, columns=["lam", "seed", "delay", "signal", "theory", "accuracy"])),
    )


def _chunks(items: list, cost_each: int, budget: int = 4_000_000) -> list[list]:
    """Split `items` into runs whose summed cost stays under `budget` tensor elements (at least one each)."""
    per = max(1, budget // max(1, cost_each))
    return [items[i : i + per] for i in range(0, len(items), per)]


def _order_decay(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["lam", "seed", "delay"], kind="stable").reset_index(drop=True)


def _snapshots(cfg: WorkingMemoryConfig, seed: int) -> pd.DataFrame:
    """The store of one example sequence in symbol space, S[value, key] = c_value^T A_t e_key, at a few
    moments: after the first pair, after the last pair, mid-delay, and when the query arrives."""
    tail = max(cfg.delays)
    b = st_.associative_retrieval(1, cfg.vocab, cfg.pairs, tail, cfg.distractors, seed, 3)
    reader = FastWeightReader(b.layout, cfg.fw_dim, cfg.lam, cfg.eta, cfg.read_noise, seed)
    k, v = reader.encode(b.x)  # (1, T, d)
    a = store_snapshots(k[:, :-1], v[:, :-1], cfg.lam, cfg.eta)[0]  # (T-1, d, d): after each written step
    s = reader.association(a).numpy()  # (T-1, V, V)
    tokens = st_.describe(b)
    moments = {
        "after first pair": 0,
        "after last pair": cfg.pairs - 1,
        "mid-delay": cfg.pairs - 1 + tail // 2,
        "at the query": len(tokens) - 2,
    }
    rows = []
    for label, t in moments.items():
        vi, ki = np.meshgrid(np.arange(cfg.vocab), np.arange(cfg.vocab), indexing="ij")
        rows.append(
            pd.DataFrame(
                dict(
                    moment=label, t=t, token=tokens[t], key=ki.ravel(), value=vi.ravel(), strength=s[t].ravel().round(6)
                )
            )
        )
    return pd.concat(rows, ignore_index=True).drop_duplicates(["t", "key", "value"]).reset_index(drop=True)


# --------------------------------------------------------------------------- page


def _metrics(tables: dict, cfg: WorkingMemoryConfig) -> list[tuple[str, str]]:
    s = tables["summary"]
    tail = max(cfg.delays)
    out = []
    for learner in LEARNERS:
        part = s[(s["learner"] == learner) & (s["delay"] == tail)]
        if len(part):
            out.append((f"{learner} @ delay {tail}", f"{part['accuracy_mean'].iloc[0]:.0%}"))
    out.append(("chance", f"{s['chance'].iloc[0]:.0%}" if len(s) else "-"))
    return out


EXPERIMENT = Experiment(
    name="working_memory",
    title="Working memory",
    question="What holds information across a delay: recurrent activity trained by backprop (RNN/GRU/LSTM), "
    "Hebbian fast weights, or nothing (feedforward)?",
    config=WorkingMemoryConfig,
    run=run,
    charts=(
        Chart(
            "Accuracy vs delay",
            "accuracy_vs_delay",
            wmc.accuracy_vs_delay,
            "Mean over seeds with a 95% band; one network per delay and seed, same training budget. Dotted: "
            "chance. Fast weights appear for associative retrieval only (they need a key to read with).",
        ),
        Chart(
            "Accuracy vs number of pairs",
            "accuracy_vs_pairs",
            wmc.accuracy_vs_pairs,
            "Associative retrieval at the shortest delay. Fast weights are always shown; trained networks "
            "when the task is associative retrieval.",
        ),
        Chart(
            "Training curves",
            "training_curves",
            wmc.training_curves,
            "Held-out accuracy against training sequences seen, per delay (facets).",
        ),
        Chart(
            "Hidden state over one sequence",
            "hidden_states",
            wmc.hidden_states,
            "Activations of every hidden unit over time for one test sequence at the longest delay "
            "(first seed). A unit that keeps a symbol-specific level through the distractors is memory.",
        ),
        Chart(
            "Fast-weight store snapshots",
            "fast_weight_snapshots",
            wmc.snapshots,
            "The store in symbol space, c_value^T A e_key: stored pairs light up and fade by λ per step.",
        ),
        Chart(
            "Trace decay vs λ",
            "trace_decay",
            wmc.trace_decay,
            "Measured signal of one stored pair after D distractor writes (mean over sequences and seeds) "
            "against the theory λ^D (dashed).",
        ),
        Chart(
            "Fast-weight accuracy vs delay, per λ",
            "trace_decay",
            wmc.decay_accuracy,
            "Associative retrieval with the configured number of pairs: as λ^D sinks below the crosstalk "
            "and read-out noise, retrieval falls to chance.",
        ),
    ),
    equations=(
        Equation(
            r"h_t = \tanh(W_{ih} x_t + W_{hh} h_{t-1} + b), \quad \hat y = \mathrm{softmax}(W_o h_T)",
            "Vanilla RNN, trained by backpropagation through time (Rumelhart et al. 1986; Werbos 1990); "
            "GRU (Cho et al. 2014) and LSTM (Hochreiter & Schmidhuber 1997) add gates.",
        ),
        Equation(
            r"\frac{\partial h_T}{\partial h_t} = \prod_{s=t+1}^{T} \mathrm{diag}(1-h_s^2)\, W_{hh}",
            "Vanishing gradients: the product shrinks with the delay T − t (Bengio et al. 1994).",
        ),
        Equation(
            r"A_t = \lambda A_{t-1} + \eta\, v_t k_t^\top, \quad k_t = E_k x_t,\; v_t = E_v x_t",
            "Hebbian fast weights (Ba et al. 2016), fixed random encoders E_k, E_v: no training.",
        ),
        Equation(
            r"r = A q + \sigma\xi, \quad \hat y = \arg\max_j c_j^\top r, \quad "
            r"c_y^\top r \approx \eta \lambda^{D}",
            "Read-out by the query key; a trace written D steps before the query keeps λ^D of its strength.",
        ),
    ),
    metrics=_metrics,
    notes=(
        "Every trained network gets the same sequences, seeds and budget (by default 150 Adam steps of 64 "
        "sequences, the learning rate annealed from 0.05 to 0, gradients clipped). The feedforward net sees only the "
        "current step, so at the go signal it can only guess. Recurrent nets must carry the symbol in their "
        "activity. With these defaults the GRU bridges delay 20 in every seed we tried (15 of 15), while the "
        "vanilla RNN learns delay 5 but not delay 20: its recurrent weights grow until most units saturate "
        "(|h| > 0.99), and the gradient that reaches the symbol 20 steps back vanishes (second equation). The "
        "outcome depends on the learning rate: at a constant 0.01 neither bridges delay 20 reliably in 150 steps, "
        "and the RNN does so at least as often as the GRU, whose gates need larger or more steps to learn to "
        "hold. The LSTM (off by default) learns delay 5 but in our runs stalls at delay 20 within these budgets. "
        "Hebbian fast weights write every step into a decaying store and need no training at all."
    ),
)
