"""When does a network memorise its training set instead of generalising, and what stops it?

An MLP and a small CNN learn a small labelled subset of the embedded 8x8 digits whose labels are partly
wrong (label noise). Every epoch measures loss and accuracy on the (noisy) training set, a validation set
with the same noise (what early stopping watches) and a clean test set, for the unregularised networks and
for weight decay, dropout and (CNN) shift augmentation; early stopping picks the epoch of best validation
accuracy. Optional sweeps repeat the unregularised training over hidden widths or training-set sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brainsim import live, parallel
from brainsim.config import BaseConfig, param
from brainsim.overfitting import cost, data, page, snapshots, tables
from brainsim.overfitting.training import Member, Variant, train
from brainsim.registry import Experiment, More
from brainsim.runtime import resolve_device
from brainsim.timeline import snapshot_steps
from brainsim.torchkit import OPTIMIZERS

LEARNERS = ("mlp", "mlp + weight decay", "mlp + dropout", "cnn", "cnn + augmentation")
SWEEPS = ("none", "width", "training set size")
MAX_MEMBER_EPOCH_IMAGES = 60_000_000  # networks × epochs × images per epoch: bounds one run's work


@dataclass(frozen=True)
class OverfittingConfig(BaseConfig):
    learners: tuple[str, ...] = param(
        LEARNERS,
        choices=LEARNERS,
        help="Networks to train: the unregularised MLP and CNN (early stopping is read off their curves), and "
        "each with a regulariser.",
    )
    n_train: int = param(200, lo=20, hi=1200, step=10, label="training images", help="Size of the labelled subset.")
    label_noise: float = param(
        0.2,
        lo=0.0,
        hi=0.8,
        step=0.05,
        help="Fraction of training (and validation) labels replaced by a random other class; the test labels "
        "stay clean.",
    )
    epochs: int = param(40, lo=1, hi=400, help="Passes through the training set.")
    hidden_width: int = param(128, lo=1, hi=1024, label="MLP hidden width", help="ReLU units of the MLP.")
    weight_decay: float = param(
        0.01, lo=1e-6, hi=1.0, widget="number", help="λ of 'mlp + weight decay': λ·w is added to every gradient."
    )
    dropout: float = param(
        0.5, lo=0.05, hi=0.9, step=0.05, help="Drop probability of 'mlp + dropout' on the hidden units."
    )
    optimizer: str = param("adam", choices=OPTIMIZERS, help="torch.optim optimizer (gd: one batch per epoch).")
    lr: float = param(0.01, lo=1e-4, hi=1.0, widget="number", label="learning rate", help="Step size η.")
    batch_size: int = param(32, lo=1, hi=1200, help="Mini-batch size (ignored by gd, which uses the whole set).")
    seeds: int = param(2, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): subset, noise, init, order.")
    sweep: str = param(
        "none",
        choices=SWEEPS,
        help="Also train the unregularised networks over hidden widths (MLP) or training-set sizes (MLP and "
        "CNN); each point is a full training run.",
    )
    sweep_widths: tuple[int, ...] = param(
        (2, 4, 8, 16, 32, 64, 128, 256, 512),
        lo=1,
        hi=1024,
        max_items=12,
        help="Hidden widths of the width sweep.",
        shown_when={"sweep": ("width",)},
    )
    sweep_sizes: tuple[int, ...] = param(
        (50, 100, 200, 400, 800),
        lo=20,
        hi=1200,
        max_items=12,
        help="Training-set sizes of the size sweep.",
        shown_when={"sweep": ("training set size",)},
    )
    n_val: int = param(100, lo=20, hi=300, advanced=True, label="validation images", help="Early stopping's set.")
    n_test: int = param(200, lo=50, hi=500, advanced=True, label="test images", help="Clean held-out images.")

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        biggest = max([self.n_train] + (list(self.sweep_sizes) if self.sweep == "training set size" else []))
        if biggest + self.n_val + self.n_test > data.N_IMAGES:
            return (
                f"Training ({biggest}), validation ({self.n_val}) and test ({self.n_test}) images must add up to "
                f"at most the {data.N_IMAGES} digits; lower n_train, sweep_sizes, n_val or n_test."
            )
        if self.sweep == "width" and not self.sweep_widths:
            return "Field 'sweep_widths' must list at least one width for the width sweep."
        if self.sweep == "training set size" and not self.sweep_sizes:
            return "Field 'sweep_sizes' must list at least one size for the training-set size sweep."
        work = cost.member_epoch_images(self)
        if work > MAX_MEMBER_EPOCH_IMAGES:
            return (
                f"This run would push about {work / 1e6:.0f} million images through its networks (at most "
                f"{MAX_MEMBER_EPOCH_IMAGES // 1_000_000} million allowed); lower epochs, seeds, n_train or the sweep."
            )
        return None


def variant(name: str, cfg: OverfittingConfig) -> Variant:
    arch = name.split(" ")[0]
    return Variant(
        name,
        arch,
        weight_decay=cfg.weight_decay if "weight decay" in name else 0.0,
        dropout=cfg.dropout if "dropout" in name else 0.0,
        augment="augmentation" in name,
    )


def _train(cfg, split, seeds, names, width, progress, show_live):
    """One job's learners (packed members, one per learner and seed); progress(fraction, message, rows)
    is the job's own share of the run's bar."""
    members = [Member(s, i, variant(n, cfg)) for n in names for i, s in enumerate(seeds)]
    n = split.n_train
    batch = n if cfg.optimizer == "gd" else min(cfg.batch_size, n)

    def report(fraction, message, rows):  # the main runs' rows feed the page's live curve; a sweep's do not
        progress(fraction, message, rows if show_live else None)

    return train(
        members,
        split,
        width=width,
        epochs=cfg.epochs,
        batch_size=batch,
        optimizer=cfg.optimizer,
        lr=cfg.lr,
        progress=None if progress is None else report,
    )


def run(cfg: OverfittingConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Train every chosen learner on each seed's noisy subset, then the optional sweep."""
    device = resolve_device(cfg.device)
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    groups = [[n for n in LEARNERS if n in cfg.learners and n.startswith(a)] for a in ("mlp", "cnn")]
    groups = [g for g in groups if g]
    jobs = [(g, cfg.hidden_width, cfg.n_train) for g in groups]
    if cfg.sweep == "width":
        jobs += [(["mlp"], w, cfg.n_train) for w in cfg.sweep_widths]
    elif cfg.sweep == "training set size":
        jobs += [([a], cfg.hidden_width, n) for n in cfg.sweep_sizes for a in ("mlp", "cnn")]
    weights = [len(g) * (n + cfg.n_val + cfg.n_test) for g, _, n in jobs]
    splits = {}
    for _, _, n in jobs:
        if n not in splits:
            splits[n] = data.make_split(seeds, n, cfg.n_val, cfg.n_test, cfg.label_noise, device)
    shared = parallel.SharedProgress(progress, weights)

    def train_job(k: int):
        names, width, n = jobs[k]
        return _train(cfg, splits[n], seeds, names, width, progress and shared.job(k), k < len(groups))

    # the jobs share nothing but the data (each member draws from its own generators): the run's threads
    results = parallel.map_jobs(train_job, range(len(jobs)), weights)
    curves, summary, sweep, timing, frames = [], [], [], [], []
    for k, ((names, width, n), result) in enumerate(zip(jobs, results)):
        main = k < len(groups)
        if main:
            curves.append(tables.curves(result))
            summary += tables.summary(result)
            frames.append(snapshots.predictions(result, splits[n], snapshot_steps(cfg.epochs)))
        if main or cfg.sweep != "none":
            rows = tables.sweep_rows(cfg.sweep if not main else "none", result, width, n)
            sweep += [r for r in rows if r["learner"] in ("mlp", "cnn")] if main else rows
        size = f"width {width}, {n} images" if names[0].startswith("mlp") else f"{n} images"
        timing.append(tables.timing_row(f"{'/'.join(names)} ({size})", result))
    order = [x for n in LEARNERS for x in (n, n + tables.EARLY)]
    return {
        "curves": pd.concat(curves, ignore_index=True),
        "summary": tables.summary_table(summary, order),
        "sweep": tables.sweep_table(sweep),
        "timing": pd.DataFrame(timing),
        "predictions": pd.concat(frames, ignore_index=True),
    }


EXPERIMENT = Experiment(
    name="overfitting",
    title="Overfitting",
    question="When does a network memorise its training set instead of generalising, and what stops it?",
    config=OverfittingConfig,
    run=run,
    charts=page.CHARTS,
    equations=page.EQUATIONS,
    metrics=page.metrics,
    notes=page.NOTES,
    icon=":material/psychology_alt:",
    url_path="overfitting",
    cost=cost.seconds,
    live=live.LiveCurve("epoch", "test_accuracy", "Test accuracy, live (mean over seeds)", (0.0, 1.02)),
    more=More(field="epochs", step=20, label="epochs"),
)
