"""The working-memory run: train every selected backprop learner (one network per seed and condition,
each from its own generator streams), measure the fast-weight store, and return the page's tables."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import torch

from brainsim import parallel
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
    """One network of `kind` after training, for one group (seed, pairs, delay); a PackedNet of G = 1."""

    kind: str
    groups: list[data.Group]  # [the group]
    result: TrainResult
    parameters: int  # trainable parameters of the network
    accuracy: torch.Tensor  # (1,) final held-out accuracy
    inputs: torch.Tensor  # (T, 1, d_in) its first test sequence
    states: torch.Tensor  # (T, 1, H) the hidden states over it
    layout: dict  # input blocks of the task (sequences.SeqBatch.layout)
    wall_s: float


def train_learner(
    kind: str, cfg: WorkingMemoryConfig, group: data.Group, device: torch.device, report: Callable
) -> LearnerRun:
    """Train one `kind` network for `group` on its own training sequences and measure it on its own
    held-out ones. Networks are trained one at a time, not packed side by side (recurrent.py: packing
    is exact only up to float rounding, which an RNN at a long delay amplifies into a different
    result), so nothing else in the run can change this network's rows."""
    t0 = time.perf_counter()
    s, p, d = group
    test = data.held_out(cfg, group)
    gens = [torch_generator(s, 11, p, d)]  # the group's init stream, the same for every learner kind
    model = PackedNet(kind, 1, test.d_in, cfg.hidden, test.n_classes, gens).to(device)
    x_test, y_test = test.x[:, :, None].to(device), test.y[:, None].to(device)  # (B, T, 1, d_in), (B, 1)

    def evaluate(m: PackedNet) -> tuple[torch.Tensor, torch.Tensor]:
        logits = m(x_test)  # (B, 1, C)
        loss = torch.nn.functional.cross_entropy(logits.permute(0, 2, 1), y_test, reduction="none").mean(0)
        return loss, accuracy(logits, y_test)

    res = train(
        model,
        data.TrainingBatches(cfg, group, device),
        cfg.steps,
        cfg.lr,
        cfg.clip,
        evaluate,
        eval_every=max(1, cfg.steps // 10),
        callback=report,
        optimizer=cfg.optimizer,
        schedule=cfg.schedule,
        watch=_live_rows(kind, report),
    )
    with torch.no_grad():
        _, final = evaluate(model)
        states = model.states(x_test[:1])[0]  # (T, 1, H): the first test sequence
    return LearnerRun(
        kind=kind,
        groups=[group],
        result=res,
        parameters=model.parameter_count(),
        accuracy=final.cpu(),
        inputs=x_test[0].cpu(),
        states=states.cpu(),
        layout=test.layout,
        wall_s=time.perf_counter() - t0,
    )


def run(cfg: WorkingMemoryConfig, progress=None) -> dict[str, pd.DataFrame]:
    device = resolve_device(cfg.device)
    seeds = data.seed_list(cfg)
    conds = data.conditions(cfg)
    groups = [(s, p, d) for s in seeds for p, d in conds]
    jobs = [(k, g) for k in KINDS if k in cfg.learners for g in groups]
    cost = [1 if k == "feedforward" else data.seq_len(cfg, p, d) for k, (_, p, d) in jobs]  # steps per sequence
    reporters = _reporters(jobs, parallel.SharedProgress(progress, cost, 0.0, 0.9))
    runs = parallel.map_jobs(
        lambda j: train_learner(jobs[j][0], cfg, jobs[j][1], device, reporters[j]), range(len(jobs)), cost
    )
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
    timing = tables.timing_rows(runs)
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
    out["fast_weight_frames"] = fw.frames
    out["trace_decay"] = fw.decay
    out["summary"] = tables.summary(cfg, out["accuracy_vs_delay"], params)
    out["timing"] = pd.DataFrame(timing, columns=tables.TIMING_COLUMNS)
    if progress:
        progress(1.0, "done")
    return out


def _live_rows(kind: str, report) -> Callable[[list[dict]], None] | None:
    """training.train's watch: each evaluation's (learner, step, held-out accuracy) rows, queued on the
    reporter (sent with its next progress call); None when the reporter keeps no queue."""
    queue = getattr(report, "live_rows", None)
    if queue is None:
        return None
    return lambda rows: queue.extend((kind, r["step"], r["accuracy"]) for r in rows)


def _reporters(jobs: list[tuple[str, data.Group]], shared: parallel.SharedProgress) -> list[Callable]:
    """One progress callback per network, for training.train's callback(step, steps): training fills 90% of
    the bar (shared), each network weighted by its cost; networks may train at the same time."""

    def reporter(j: int, kind: str) -> Callable[[int, int], None]:
        job = shared.job(j)

        def report(step: int, steps: int) -> None:
            if step % max(1, steps // 20) == 0 or step == steps:
                rows, report.live_rows[:] = list(report.live_rows), []
                job(step / steps, f"training {kind}: step {step}/{steps}", rows)

        report.live_rows = []  # held-out accuracy rows (learner, step, accuracy) not yet sent to the live curve
        return report

    return [reporter(j, kind) for j, (kind, _) in enumerate(jobs)]
