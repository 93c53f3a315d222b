"""Continual learning: when a network learns tasks one after another, why does it forget the earlier ones,
and what protects them: consolidating important synapses (EWC, synaptic intelligence), replaying old
experience, synapses with several timescales, or gating a task's own hidden units?

One run trains every chosen learner through the same task sequence (split digits in one of three
scenarios, or permuted digits), from the same initial weights, with the same optimizer, minibatches and
epochs per task, for several seeds at once, and measures test accuracy on every task as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brainsim import live
from brainsim.config import BaseConfig, param
from brainsim.continual import cost, page, tables, tasks
from brainsim.continual.learners import LEARNERS, TASK_ONLY
from brainsim.continual.network import init_params
from brainsim.continual.train import train_all
from brainsim.registry import Experiment, More
from brainsim.runtime import resolve_device
from brainsim.torchkit import ACTIVATIONS

OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam")  # torchkit's vocabulary; "gd" needs a full batch
MAX_WORK = 1.5e11  # floating-point operations of one run's training (seeds × learners × steps × batch × weights)


@dataclass(frozen=True)
class ContinualConfig(BaseConfig):
    benchmark: str = param(
        "split",
        choices=("split", "permuted"),
        help="split: 5 tasks of 2 digits each; permuted: every task all 10 digits under its own fixed pixel "
        "permutation.",
    )
    scenario: str = param(
        "class",
        choices=tasks.SCENARIOS,
        help="Split digits (van de Ven & Tolias 2019): task = the task is given (one head per task); domain = "
        "which digit of the pair; class = which of the 10 digits.",
        shown_when={"benchmark": ("split",)},
    )
    n_tasks: int = param(
        5,
        lo=2,
        hi=20,
        label="tasks",
        help="Permuted digits: tasks in the sequence.",
        shown_when={"benchmark": ("permuted",)},
    )
    learners: tuple[str, ...] = param(
        LEARNERS,
        choices=LEARNERS,
        help="Learners to compare (context gating runs only in the task-incremental scenario).",
    )
    seeds: int = param(3, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): images, task order, init, batches.")
    hidden: int = param(100, lo=8, hi=400, label="hidden units", help="Width of the one hidden layer.")
    activation: str = param("relu", choices=ACTIVATIONS, advanced=True, help="Hidden-unit nonlinearity.")
    optimizer: str = param("adam", choices=OPTIMIZERS, help="torch.optim optimizer, the same for every learner.")
    lr: float = param(0.003, lo=1e-5, hi=1.0, widget="number", label="learning rate", help="Optimizer step size.")
    epochs: int = param(
        10, lo=1, hi=50, label="epochs per task", help="Passes over each task's training images (120 per digit)."
    )
    batch_size: int = param(32, lo=4, hi=240, label="batch size", help="Minibatch of the current task.")
    ewc_lambda: float = param(
        100.0, lo=0.0, hi=1e7, widget="number", label="EWC λ", help="Strength of the (online) EWC penalty."
    )
    ewc_gamma: float = param(
        0.9, lo=0.0, hi=1.0, step=0.05, label="online EWC γ", help="Decay of online EWC's running Fisher per task."
    )
    si_c: float = param(
        3.0, lo=0.0, hi=1e5, widget="number", label="SI c", help="Strength of the synaptic-intelligence penalty."
    )
    si_xi: float = param(0.1, lo=1e-4, hi=10.0, widget="number", label="SI ξ", advanced=True, help="SI damping ξ.")
    buffer_size: int = param(
        200, lo=1, hi=2000, label="replay buffer", help="Examples kept for replay (reservoir sampling over all tasks)."
    )
    chain_stages: int = param(
        4, lo=2, hi=8, label="chain stages", help="Variables per synapse of the multi-timescale chain (fast to slow)."
    )
    chain_tau: float = param(
        10.0,
        lo=0.5,
        hi=1e4,
        widget="number",
        unit="steps",
        label="chain τ",
        help="Coupling time of the chain's first two stages; each deeper stage is about 4x slower.",
    )
    gate_keep: float = param(
        0.2, lo=0.05, hi=1.0, step=0.05, label="gated units kept", help="Fraction of hidden units open for each task."
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if set(self.learners) <= set(TASK_ONLY) and not (self.benchmark == "split" and self.scenario == "task"):
            return (
                "Context gating needs the task identity: choose benchmark = split with scenario = task, or add "
                "learners."
            )
        per_task = tasks.TRAIN_PER_CLASS * (2 if self.benchmark == "split" else 10)
        if self.batch_size > per_task:
            return f"Field 'batch_size' must be at most {per_task}, the training images of one task."
        if work(self) > MAX_WORK:
            return (
                f"This run needs about {work(self) / 1e9:.0f} GFLOP of training (at most {MAX_WORK / 1e9:.0f}); "
                "lower epochs, seeds, hidden units, tasks or learners."
            )
        return None


def task_count(cfg) -> int:
    return tasks.SPLIT_TASKS if cfg.benchmark == "split" else cfg.n_tasks


def active_learners(cfg) -> list[str]:
    task_il = cfg.benchmark == "split" and cfg.scenario == "task"
    return [n for n in LEARNERS if n in cfg.learners and (task_il or n not in TASK_ONLY)]


def work(cfg) -> float:
    """Floating-point operations of training (forward and backward, ~3x the forward's): every learner, seed and step."""
    n = tasks.TRAIN_PER_CLASS * (2 if cfg.benchmark == "split" else 10)
    steps = task_count(cfg) * cfg.epochs * (n // cfg.batch_size)
    weights = 64 * cfg.hidden + cfg.hidden * 10
    return 3 * len(active_learners(cfg)) * cfg.seeds * steps * 2 * cfg.batch_size * weights


def run(cfg: ContinualConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Every learner through the same task sequence; accuracy matrix, curves, summary and timing."""
    device = resolve_device(cfg.device)
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    stream = tasks.make_stream(cfg.benchmark, cfg.scenario, cfg.n_tasks, seeds, device)
    init = init_params(seeds, stream.x_train.shape[-1], cfg.hidden, stream.n_outputs, device)
    names = active_learners(cfg)

    def report(frac, rows):
        task = min(stream.n_tasks, int(frac * stream.n_tasks) + 1)
        live.report(progress, frac, f"training task {task} of {stream.n_tasks}", rows)

    res = train_all(cfg, stream, seeds, names, init, report)
    out = tables.build(res, seeds, stream.labels, cfg.batch_size)
    out["timing"] = tables.timing_table(res, len(seeds))
    return out


EXPERIMENT = Experiment(
    name="continual",
    title="Continual learning",
    question="When a network learns tasks one after another, why does it forget the earlier ones, and what "
    "protects them: consolidation (EWC, SI), replay or multi-timescale synapses?",
    config=ContinualConfig,
    run=run,
    charts=page.CHARTS,
    equations=page.EQUATIONS,
    metrics=page.metrics,
    notes=page.NOTES,
    icon=":material/layers:",
    url_path="continual_learning",
    cost=cost.seconds,
    live=live.LiveCurve(x="step", y="accuracy", title="Mean test accuracy over all tasks, live", y_range=(0, 1.02)),
    more=More(
        field="epochs",
        step=5,
        label="epochs per task",
        note="Here every task is trained longer before the next one arrives: the longer run is a new sequence with "
        "more epochs per task, not a continuation of the last task.",
    ),
)
