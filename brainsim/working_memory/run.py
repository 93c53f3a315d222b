"""The working-memory run: train every selected backprop learner (packed networks, one per seed and
condition), measure the fast-weight store, and return the page's tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import torch

from brainsim.runtime import resolve_device, torch_generator
from brainsim.working_memory import data, tables
from brainsim.working_memory.recurrent import KINDS, PackedNet
from brainsim.working_memory.retrieval import fast_weight_results
from brainsim.working_memory.sequences import describe
from brainsim.working_memory.training import TrainResult, accuracy, train

if TYPE_CHECKING:
    from brainsim.working_memory.experiment import WorkingMemoryConfig


@dataclass
class LearnerRun:
    """One packed module of `kind` networks after training, one network per group (seed, pairs, delay)."""

    kind: str
    groups: list[data.Group]
    result: TrainResult
    parameters: int  # trainable parameters of one network
    accuracy: torch.Tensor  # (G,) final held-out accuracy
    inputs: torch.Tensor  # (T, G, d_in) the first test sequence of every group, left-padded
    states: torch.Tensor  # (T, G, H) the hidden states over it
    layout: dict  # input blocks of the task (sequences.SeqBatch.layout)
    wall_s: float


def train_learner(
    kind: str, cfg: WorkingMemoryConfig, groups: list[data.Group], device: torch.device, report: Callable
) -> LearnerRun:
    """Train one packed module holding a network per group on its held-out and training sequences."""
    t0 = time.perf_counter()
    probe = data.make_batch(cfg, 1, groups[0][1], groups[0][2], groups[0][0], 1, 0)  # input and output sizes
    t_len = max(data.seq_len(cfg, p, d) for _, p, d in groups)
    gens = [torch_generator(s, 11, p, d) for s, p, d in groups]  # same init stream for every learner kind
    model = PackedNet(kind, len(groups), probe.d_in, cfg.hidden, probe.n_classes, gens).to(device)
    tests = [data.make_batch(cfg, cfg.test_size, p, d, s, 2) for s, p, d in groups]
    x_test, y_test = (t.to(device) for t in data.stack_groups(tests, t_len))

    def evaluate(m: PackedNet) -> tuple[torch.Tensor, torch.Tensor]:
        logits = m(x_test)  # (B, G, C)
        loss = torch.nn.functional.cross_entropy(logits.permute(0, 2, 1), y_test, reduction="none").mean(0)
        return loss, accuracy(logits, y_test)

    res = train(
        model,
        data.TrainingBatches(cfg, groups, t_len, device),
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
    return LearnerRun(
        kind=kind,
        groups=groups,
        result=res,
        parameters=model.parameter_count(),
        accuracy=final.cpu(),
        inputs=x_test[0].cpu(),
        states=states.cpu(),
        layout=tests[0].layout,
        wall_s=time.perf_counter() - t0,
    )


def run(cfg: WorkingMemoryConfig, progress=None) -> dict[str, pd.DataFrame]:
    device = resolve_device(cfg.device)
    seeds = data.seed_list(cfg)
    conds = data.conditions(cfg)
    groups = [(s, p, d) for s in seeds for p, d in conds]
    jobs = [(k, c) for k in KINDS if k in cfg.learners for c in data.pack_groups(cfg, k, groups)]
    reporters = _reporters(cfg, jobs, progress)
    runs = [train_learner(kind, cfg, chunk, device, reporters[j]) for j, (kind, chunk) in enumerate(jobs)]
    fw = fast_weight_results(cfg, seeds)
    if progress:
        progress(0.95, "fast weights")

    tail = max(cfg.delays)
    example = (seeds[0], conds[[d for _, d in conds].index(tail)][0], tail)  # the group shown in the heatmap
    hidden = []
    for r in runs:
        if example in r.groups:
            g = r.groups.index(example)
            hidden.append(tables.hidden_state_table(r, g, describe(r.inputs[:, g], r.layout)))
    params = {r.kind: r.parameters for r in runs}
    timing = [tables.timing_row(r) for r in runs]
    if "fast weights" in cfg.learners:
        params["fast weights"] = 0
        timing.append(tables.fast_weight_timing_row(len(seeds), fw.wall_s))
    chance = data.chance(cfg)
    out = tables.accuracy_tables(cfg, [row for r in runs for row in tables.accuracy_rows(r, chance)], fw)
    out["training_curves"] = tables.order(
        pd.DataFrame([row for r in runs for row in tables.curve_rows(r)], columns=tables.CURVE_COLUMNS),
        ["delay", "pairs", "seed", "step"],
    )
    out["hidden_states"] = (
        pd.concat(hidden, ignore_index=True) if hidden else pd.DataFrame(columns=tables.HIDDEN_COLUMNS)
    )
    out["fast_weight_snapshots"] = fw.snapshots
    out["trace_decay"] = fw.decay
    out["summary"] = tables.summary(cfg, out["accuracy_vs_delay"], params)
    out["timing"] = pd.DataFrame(timing, columns=tables.TIMING_COLUMNS)
    if progress:
        progress(1.0, "done")
    return out


def _reporters(cfg: WorkingMemoryConfig, jobs: list[tuple[str, list]], progress) -> list[Callable[[int, int], None]]:
    """One progress callback per packed module: training fills 90% of the bar, shared by the modules'
    cost (networks x steps per sequence)."""
    cost = [len(c) * (1 if k == "feedforward" else max(data.seq_len(cfg, p, d) for _, p, d in c)) for k, c in jobs]

    def reporter(j: int, kind: str) -> Callable[[int, int], None]:
        def report(step: int, steps: int) -> None:
            if progress and (step % max(1, steps // 20) == 0 or step == steps):
                done = sum(cost[:j]) + cost[j] * step / steps
                progress(0.9 * done / sum(cost), f"training {kind}: step {step}/{steps}")

        return report

    return [reporter(j, kind) for j, (kind, _) in enumerate(jobs)]
