"""Training: every learner on every seed at once, with the same data, shuffles and epochs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from brainsim import live
from brainsim.runtime import is_finite, resolve_device, torch_generator
from brainsim.torchkit import make_optimizer, uniform_init
from brainsim.xor import tables
from brainsim.xor.data import XorData, stack_seeds
from brainsim.xor.neurons import (
    LEARNERS,
    BatchedMLP,
    DeltaNeuron,
    HebbianNeuron,
    loss_per_seed,
    predict,
)
from brainsim.xor.snapshots import Snapshots, snapshot_epochs

if TYPE_CHECKING:
    from brainsim.xor.experiment import XorConfig


@dataclass
class Learner:
    """One learner ready to train on all seeds: its model, its update on a mini-batch, and how it is scored."""

    name: str
    model: DeltaNeuron | BatchedMLP
    update: Callable[[torch.Tensor, torch.Tensor], None]  # (x batch, target batch) -> one weight update
    output: str  # "sigmoid" or "linear" output unit
    loss: str  # the loss it is scored on (and, for the MLP, trained on)
    batch: int  # mini-batch size: the whole training set for the neurons and for "gd"


def make_learner(name: str, cfg: XorConfig, data: XorData, seeds: list[int], device) -> Learner:
    """The learner called `name`; each seed's initial weights come from that seed's own generator."""
    _, n_train, d = data.x_train.shape
    if name == BatchedMLP.name:
        gens = [torch_generator(seed, 8) for seed in seeds]
        model = BatchedMLP(gens, d, cfg.hidden, cfg.activation).to(device)
        opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)

        def update(x: torch.Tensor, t: torch.Tensor) -> None:
            opt.zero_grad(set_to_none=True)
            loss_per_seed(model.logits(x), t, cfg.loss, cfg.output).sum().backward()
            opt.step()

        batch = n_train if cfg.optimizer == "gd" else min(cfg.batch_size, n_train)
        return Learner(name, model, update, cfg.output, cfg.loss, batch)
    gens = [torch_generator(seed, 7) for seed in seeds]  # both neurons start from the same weights
    drawn = [(uniform_init(g, (1, d), d), uniform_init(g, (1, 1), d)) for g in gens]  # each seed its own stream
    w0 = torch.stack([w for w, _ in drawn]).to(device)  # (S, 1, d)
    b0 = torch.stack([b for _, b in drawn]).to(device)  # (S, 1, 1)
    output = "sigmoid" if name == HebbianNeuron.name else cfg.output
    cls = DeltaNeuron if name == DeltaNeuron.name else HebbianNeuron
    neuron = cls(w0, b0, cfg.neuron_lr, output)
    return Learner(name, neuron, neuron.step, output, "cross-entropy", n_train)


def log_epochs(epochs: int, max_points: int = 150) -> set[int]:
    """Epochs at which curves are recorded: all of them for short runs, ~150 evenly otherwise."""
    return set(np.unique(np.linspace(0, epochs, min(epochs + 1, max_points)).round().astype(int)).tolist())


def accuracy(z: torch.Tensor, y: torch.Tensor, output: str) -> torch.Tensor:
    """Fraction of points classified correctly, per seed: (S,)."""
    return (predict(z, output).float() == y).float().mean(dim=(-2, -1))


@dataclass
class CurveLog:
    """Curve rows of one learner (columns tables.CURVE_COLUMNS); a seed stops being logged after the
    epoch at which its loss or outputs stop being finite (it diverged)."""

    learner: Learner
    data: XorData
    seeds: list[int]
    steps_per_epoch: int
    rows: list[tuple] = field(default_factory=list, init=False)
    diverged_at: list[int | None] = field(init=False)  # per seed: the epoch it diverged, or None
    weights: dict[int, tuple[torch.Tensor, torch.Tensor]] = field(default_factory=dict, init=False)  # neurons:
    # epoch -> (w (S, 1, d), b (S,)) on the CPU at every logged epoch, for the best line the neuron passed through

    def __post_init__(self) -> None:
        self.diverged_at = [None] * len(self.seeds)

    def alive(self) -> list[bool]:
        return [d is None for d in self.diverged_at]

    def record(self, epoch: int) -> None:
        learner, data = self.learner, self.data
        n_train = data.x_train.shape[1]
        with torch.no_grad():
            lt, le = learner.model.logits(data.x_train), learner.model.logits(data.x_test)
            loss = loss_per_seed(lt, data.y_train, learner.loss, learner.output)
            finite = torch.isfinite(loss).cpu() & torch.isfinite(lt).all(dim=(-2, -1)).cpu()
            tr = accuracy(lt, data.y_train, learner.output).cpu()
            te = accuracy(le, data.y_test, learner.output).cpu()
        if isinstance(learner.model, DeltaNeuron):
            self.weights[epoch] = (learner.model.w.cpu().clone(), learner.model.b[:, 0, 0].cpu().clone())
        for s, seed in enumerate(self.seeds):
            if self.diverged_at[s] is not None:
                continue
            if not finite[s]:
                self.diverged_at[s] = epoch
            self.rows.append(
                (
                    learner.name,
                    seed,
                    epoch,
                    epoch * n_train,
                    epoch * self.steps_per_epoch,
                    float(loss[s]) if finite[s] else float("nan"),
                    float(tr[s]),
                    float(te[s]),
                    not finite[s],
                )
            )


@dataclass(frozen=True)
class Trained:
    """One learner after training: its curve log, its weight-update count and its wall-clock time."""

    learner: Learner
    log: CurveLog
    updates: int  # weight updates per seed: epochs × steps per epoch
    wall_s: float
    snapshots: Snapshots | None = None  # the timeline's maps and weights of the shown seed


def _zero_diverged(model) -> None:
    """Zero NaN/inf weights of diverged seeds so they cannot leak into shared reductions."""
    if not is_finite(*model.parameters()):
        with torch.no_grad():
            for p in model.parameters():
                p.nan_to_num_(0.0, 0.0, 0.0)


def train(
    learner: Learner,
    cfg: XorConfig,
    data: XorData,
    seeds: list[int],
    progress=None,
    span: tuple[float, float] = (0.0, 1.0),
) -> Trained:
    """Train `learner` on all seeds for cfg.epochs, each seed on its own shuffle; report progress
    within `span` of the whole run (and the curve's rows to a live view); snapshot the shown seed
    (cfg.boundary_seed) for the timeline. Stops early once every seed has diverged."""
    n_seeds, n_train, d = data.x_train.shape
    batch = learner.batch
    steps_per_epoch = -(-n_train // batch)
    shuffle_gens = [torch_generator(seed, 9) for seed in seeds]  # each seed shuffles from its own stream
    log = CurveLog(learner, data, seeds, steps_per_epoch)
    log_at = log_epochs(cfg.epochs)
    start = time.perf_counter()
    log.record(0)
    shown = min(cfg.boundary_seed, len(seeds) - 1)
    snaps = Snapshots(learner.name, learner.output, shown, seeds[shown], snapshot_epochs(cfg.epochs))
    snaps.take(learner.model, 0)
    sent = 0  # curve rows already sent to the live view
    for epoch in range(1, cfg.epochs + 1):
        keys = torch.stack([torch.rand(n_train, generator=g) for g in shuffle_gens])  # (S, N)
        order = torch.argsort(keys, dim=1).to(data.x_train.device)
        for k in range(steps_per_epoch):
            idx = order[:, k * batch : (k + 1) * batch]  # (S, B): each seed its own shuffle
            xb = torch.gather(data.x_train, 1, idx.unsqueeze(-1).expand(-1, -1, d))
            yb = torch.gather(data.y_train, 1, idx.unsqueeze(-1))
            learner.update(xb, yb)
        snaps.take(learner.model, epoch)
        if epoch in log_at or not all(log.alive()):
            log.record(epoch)
            if not any(log.alive()):
                break
            _zero_diverged(learner.model)
        if progress and (epoch % 25 == 0 or epoch == cfg.epochs):
            p0, p1 = span
            rows = [(r[0], r[2], r[6]) for r in log.rows[sent:]]  # (learner, epoch, train_accuracy): the live curve
            sent = len(log.rows)
            live.report(
                progress, p0 + (p1 - p0) * epoch / cfg.epochs, f"{learner.name}: epoch {epoch}/{cfg.epochs}", rows
            )
    return Trained(learner, log, cfg.epochs * steps_per_epoch, time.perf_counter() - start, snaps)


def run(cfg: XorConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Train every chosen learner on every seed; return curves, boundary, summary, timing tables."""
    device = resolve_device(cfg.device)
    seeds = [cfg.seed + i for i in range(cfg.seeds)]
    data = stack_seeds(cfg.task, cfg.noise, cfg.n_points, seeds, device)
    chosen = [name for name in LEARNERS if name in cfg.learners]
    results = []
    for i, name in enumerate(chosen):
        learner = make_learner(name, cfg, data, seeds, device)
        results.append(train(learner, cfg, data, seeds, progress, (i / len(chosen), (i + 1) / len(chosen))))
    if progress:
        progress(1.0, "done")
    return tables.build(results, data, seeds, cfg.epochs, cfg.boundary_seed)
