"""The arena's run: load the task once, then race every learner of every seed from one shared
start on the same batches, and turn what they did into the arena's tables."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from brainsim import live
from brainsim.arena import tables
from brainsim.arena.data import Prepared, load
from brainsim.arena.learners import Spec, Split, init_weights, make_learner, train
from brainsim.arena.snapshots import Recorder
from brainsim.config import ConfigError
from brainsim.runtime import resolve_device

if TYPE_CHECKING:
    from brainsim.arena.experiment import ArenaConfig

MAX_UPDATES = 300_000  # weight updates per run, summed over learners and seeds: keeps a run within seconds


def batch_size(cfg: ArenaConfig, n_train: int) -> int:
    """Samples per update: the whole training set for full-batch "gd", else the chosen batch size."""
    return n_train if cfg.optimizer == "gd" else min(cfg.batch_size, n_train)


def budget_problem(cfg: ArenaConfig, n_train: int) -> str | None:
    """One sentence when the run would make more than MAX_UPDATES weight updates, else None."""
    per_epoch = math.ceil(n_train / batch_size(cfg, n_train))
    total = len(cfg.learners) * cfg.seeds * (cfg.epochs + cfg.extra_epochs) * per_epoch
    if total > MAX_UPDATES:
        return (
            f"This run would make {total} weight updates; at most {MAX_UPDATES} are allowed: raise 'batch_size' "
            f"or lower 'epochs', 'extra_epochs', 'seeds' or the number of learners."
        )
    return None


def check_data(cfg: ArenaConfig, prep: Prepared) -> None:
    """Refuse loaded data the chosen learners cannot race on, or a budget it would exceed."""
    if "cnn" in cfg.learners and prep.data.image_shape is None:
        raise ConfigError("Learner 'cnn' needs an image task; this file holds flat feature rows.")
    problem = budget_problem(cfg, len(prep.data.y_train))
    if problem:
        raise ConfigError(problem)


def validate_inputs(cfg: ArenaConfig) -> None:
    """Load and check the data (files, CSV) so bad input fails before any training."""
    check_data(cfg, load(cfg))


def spec_of(cfg: ArenaConfig, prep: Prepared) -> Spec:
    d = prep.data
    return Spec(
        n_in=d.n_features,
        n_out=d.n_classes,
        hidden=cfg.hidden_width,
        hidden_layers=cfg.hidden_layers,
        activation=cfg.activation,
        loss=cfg.loss,
        optimizer=cfg.optimizer,
        lr=cfg.lr,
        weight_decay=cfg.weight_decay,
        local_lr=cfg.local_lr,
        reward_lr=cfg.reward_lr,
        reward_hidden_lr=cfg.reward_hidden_lr,
        reward_noise=cfg.reward_noise,
        hebb_lr=cfg.hebb_lr,
        image_shape=d.image_shape,
    )


def run(cfg: ArenaConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Race the chosen learners; returns curves, boundary, confusion, features, summary and timing."""
    prep = load(cfg)
    check_data(cfg, prep)
    d = prep.data
    device = resolve_device(cfg.device)
    split = Split.from_arrays(d.x_train, d.y_train, d.x_test, d.y_test, d.n_classes, device)
    spec = spec_of(cfg, prep)
    epochs = cfg.epochs + cfg.extra_epochs
    batch = batch_size(cfg, len(d.y_train))
    seeds = [cfg.seed + i for i in range(cfg.seeds)]
    total = len(seeds) * len(cfg.learners) * epochs
    curves, parts = [], {"boundary": [], "confusion": [], "features": []}
    snaps = Recorder(prep, epochs, device)  # the timeline: first seed, 2-D tasks
    done = 0
    for si, seed in enumerate(seeds):
        init = init_weights(spec, seed)  # shared starting point of every learner of this seed
        for name in cfg.learners:
            learner = make_learner(name, spec, init, seed, device)

            def tick(epoch, row, name=name, seed=seed, offset=done, learner=learner, first=si == 0):
                if first:
                    snaps.take(learner, name, seed, epoch)
                rows = [(name, row["samples_seen"], row["test_accuracy"])]  # the live curve (brainsim.live)
                live.report(progress, (offset + epoch) / total, f"{name}, seed {seed}: epoch {epoch} of {epochs}", rows)

            rows = train(learner, split, epochs, batch, seed, cfg.loss, tick)
            done += epochs
            curves += [dict(learner=name, seed=seed, **r) for r in rows]
            if not rows[-1]["diverged"]:
                _snapshot(parts, learner, prep, split, name, seed, first_seed=si == 0, device=device)
    if progress:
        progress(1.0, "done")
    cur = pd.DataFrame(curves)
    cur.insert(3, "phase", np.where(cur["epoch"] > cfg.epochs, "train more", "initial"))
    timing = cur[["learner", "seed", "epoch", "samples_seen", "wall_s", "test_accuracy"]].copy()
    cur = cur.drop(columns="wall_s")
    return {
        "curves": cur,
        "summary": tables.summarize(cur, cfg.learners),
        **{table: tables.concat(p, table) for table, p in parts.items()},
        "snapshots": snaps.table(),
        "snapshot_weights": snaps.weights_table(),
        "timing": timing,
    }


def _snapshot(
    parts: dict, learner, prep: Prepared, split: Split, name: str, seed: int, *, first_seed: bool, device
) -> None:
    """What a finished learner shows: its confusion counts, and for the first seed its decision
    regions (2-D tasks) and first-layer features (learners with a hidden layer)."""
    d = prep.data
    parts["confusion"].append(tables.confusion_table(learner, split, name, seed, prep.class_names))
    if not first_seed:
        return
    if d.n_features == 2 and d.image_shape is None:
        parts["boundary"].append(tables.boundary_table(learner, prep, name, seed, device))
    if learner.features() is not None:
        parts["features"].append(tables.features_table(learner, name, seed, d.image_shape or (1, d.n_features)))
