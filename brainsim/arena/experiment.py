"""Learning-rules arena: brain-like learners and backprop race on one task, one split, one seed and
one sample budget; we record accuracy and loss against samples seen and wall time, decision regions,
confusion matrices, learned features and a summary with the samples each rule needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from brainsim import tasks
from brainsim.arena import charts
from brainsim.arena.data import Prepared, load
from brainsim.arena.learners import (
    ACTIVATIONS,
    BRAIN_LIKE,
    LEARNERS,
    LOSSES,
    OPTIMIZERS,
    Spec,
    Split,
    init_weights,
    make_learner,
    train,
)
from brainsim.config import BaseConfig, ConfigError, param
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import resolve_device

TASKS = ("xor", "circles", "moons", "spiral", "blobs", "digits", "local file", "csv text")
DEFAULT_LEARNERS = ("backprop mlp", "feedback alignment", "reward-modulated", "hebbian features", "delta rule")
IMAGE_ONLY = ("cnn",)
MAX_UPDATES = 300_000  # weight updates per run, summed over learners and seeds: keeps a run within seconds
GRID = 40  # decision-region grid points per axis
TILES = 16  # hidden units shown per learner
TARGET_FRACTION = 0.9  # "samples to reach 90% of the best learner's accuracy"
DIGITS_TRAIN = 1348  # training rows of digits at the default split, for the budget estimate


@dataclass(frozen=True)
class ArenaConfig(BaseConfig):
    task: str = param(
        "circles",
        choices=TASKS,
        help="The task every learner races on: a 2-D toy, the 8×8 digits, "
        "a local .npz/IDX/.csv file, or CSV text pasted below.",
    )
    noise: float = param(0.1, lo=0.0, hi=1.0, step=0.05, help="Noise of the 2-D tasks (std of the jitter).")
    n_samples: int = param(400, lo=20, hi=4000, label="size", help="Points drawn for a 2-D task.")
    train_fraction: float = param(
        0.75, lo=0.2, hi=0.9, step=0.05, help="Fraction of the data used for training; the rest is the test set."
    )
    learners: tuple[str, ...] = param(
        DEFAULT_LEARNERS,
        choices=tuple(LEARNERS),
        max_items=len(LEARNERS),
        help="Which learners race (cnn needs an image task).",
    )
    hidden_width: int = param(100, lo=2, hi=256, help="Hidden units H of every learner with a hidden layer.")
    hidden_layers: int = param(1, lo=1, hi=3, help="Hidden layers of the backprop MLP (the local learners have one).")
    activation: str = param(
        "tanh",
        choices=ACTIVATIONS,
        help="Hidden activation f of the backprop networks, feedback alignment and the reward-modulated learner.",
    )
    loss: str = param(
        "cross-entropy",
        choices=LOSSES,
        help="Loss ℓ: cross-entropy of softmax outputs or ½ squared error of linear outputs against one-hot targets.",
    )
    optimizer: str = param(
        "Adam",
        choices=OPTIMIZERS,
        help="torch.optim optimizer of the backprop networks; "
        "GD = full-batch gradient descent (every learner then takes whole-set batches).",
    )
    lr: float = param(0.01, lo=1e-5, hi=10.0, widget="number", help="Learning rate of the backprop networks.")
    batch_size: int = param(32, lo=1, hi=4096, help="Samples per weight update (shared by every learner).")
    weight_decay: float = param(0.0, lo=0.0, hi=0.1, widget="number", help="L2 weight decay of the backprop networks.")
    epochs: int = param(20, lo=1, hi=200, help="Passes over the training set: every learner sees the same samples.")
    extra_epochs: int = param(
        0,
        lo=0,
        hi=200,
        label="train more (epochs)",
        help="Continue every learner from where the run stopped for this many more epochs; "
        "curves mark them phase 'train more'.",
    )
    n_seeds: int = param(
        1,
        lo=1,
        hi=5,
        label="seeds",
        help="Model seeds (initial weights, batch order, sampling): mean and 95% bands over them.",
    )
    local_lr: float = param(
        0.3,
        lo=1e-4,
        hi=5.0,
        widget="number",
        advanced=True,
        help="Rate η of the delta rule, feedback alignment and the Hebbian readout (plain SGD).",
    )
    reward_lr: float = param(
        1.0, lo=1e-4, hi=10.0, widget="number", advanced=True, help="Output-layer rate η of the reward-modulated rules."
    )
    reward_hidden_lr: float = param(
        0.003,
        lo=0.0,
        hi=1.0,
        widget="number",
        advanced=True,
        help="Hidden-layer (node perturbation) rate of the reward-modulated learner.",
    )
    reward_noise: float = param(
        0.3, lo=0.01, hi=2.0, advanced=True, help="σ of the hidden-unit perturbation ξ of the reward-modulated learner."
    )
    hebb_lr: float = param(
        0.005,
        lo=1e-5,
        hi=1.0,
        widget="number",
        advanced=True,
        help="Rate of the competitive Hebbian (Krotov-Hopfield) feature rule.",
    )
    file_path: str = param(
        "",
        advanced=True,
        help="Local file for task 'local file': .npz with x and y, an IDX "
        "images file (labels in 'labels path'), or a .csv with a label column.",
    )
    labels_path: str = param("", advanced=True, help="IDX labels file that goes with an IDX images file.")
    max_samples: int = param(
        5000, lo=100, hi=20000, advanced=True, help="Rows kept from a local image file (seeded subsample)."
    )
    csv_text: str = param(
        "",
        widget="text",
        advanced=True,
        help="For task 'csv text': a header row, then rows of numeric features and a label.",
    )
    label_column: str = param("label", advanced=True, help="Name of the label column of a CSV.")

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' is empty; pick at least one learner."
        if "cnn" in self.learners and self.task in (*tasks.TASKS_2D, "csv text"):
            return "Learner 'cnn' needs an image task (digits or a local image file); remove it or change 'task'."
        if self.task == "local file" and not self.file_path.strip():
            return "Task 'local file' needs a path in 'file_path' (.npz, IDX or .csv)."
        if self.task == "csv text" and not self.csv_text.strip():
            return "Task 'csv text' needs CSV text in 'csv_text': a header row, then one row per sample."
        n = {"digits": DIGITS_TRAIN, "local file": self.max_samples, "csv text": 50}.get(
            self.task, self.n_samples * self.train_fraction
        )
        return budget_problem(self, int(n))


def batches_per_epoch(cfg: ArenaConfig, n_train: int) -> int:
    return 1 if cfg.optimizer == "GD" else math.ceil(n_train / min(cfg.batch_size, n_train))


def budget_problem(cfg: ArenaConfig, n_train: int) -> str | None:
    total = len(cfg.learners) * cfg.n_seeds * (cfg.epochs + cfg.extra_epochs) * batches_per_epoch(cfg, n_train)
    if total > MAX_UPDATES:
        return (
            f"This run would make {total} weight updates; at most {MAX_UPDATES} are allowed: raise 'batch_size' "
            f"or lower 'epochs', 'extra_epochs', 'n_seeds' or the number of learners."
        )
    return None


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


def validate_inputs(cfg: ArenaConfig) -> None:
    """Load and check the data (files, CSV) so bad input fails before any training."""
    prep = load(cfg)
    if "cnn" in cfg.learners and prep.data.image_shape is None:
        raise ConfigError("Learner 'cnn' needs an image task; this file holds flat feature rows.")
    problem = budget_problem(cfg, len(prep.data.y_train))
    if problem:
        raise ConfigError(problem)


# --------------------------------------------------------------------------- run


def run(cfg: ArenaConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Race the chosen learners; returns curves, boundary, confusion, features, summary and timing."""
    validate_inputs(cfg)
    prep = load(cfg)
    d = prep.data
    device = resolve_device(cfg.device)
    split = Split.from_arrays(d.x_train, d.y_train, d.x_test, d.y_test, d.n_classes, device)
    spec = spec_of(cfg, prep)
    epochs = cfg.epochs + cfg.extra_epochs
    batch = len(d.y_train) if cfg.optimizer == "GD" else cfg.batch_size
    seeds = [cfg.seed + i for i in range(cfg.n_seeds)]
    total = len(seeds) * len(cfg.learners) * epochs
    curves, confusion, boundary, features = [], [], [], []
    done = 0
    for si, seed in enumerate(seeds):
        init = init_weights(spec, seed)  # shared starting point of every learner of this seed
        for name in cfg.learners:
            learner = make_learner(name, spec, init, seed, device)

            def tick(epoch, name=name, seed=seed, offset=done):
                if progress:
                    progress((offset + epoch) / total, f"{name}, seed {seed}: epoch {epoch} of {epochs}")

            rows = train(learner, split, epochs, batch, seed, cfg.loss, tick)
            done += epochs
            curves += [dict(learner=name, seed=seed, **r) for r in rows]
            if rows[-1]["diverged"]:
                continue
            confusion.append(_confusion(learner, split, name, seed, prep.class_names))
            if si == 0:
                if d.n_features == 2 and d.image_shape is None:
                    boundary.append(_boundary(learner, prep, name, seed))
                if learner.features() is not None:
                    features.append(_features(learner, name, seed, d.image_shape or (1, d.n_features)))
    if progress:
        progress(1.0, "done")
    cur = pd.DataFrame(curves)
    cur.insert(3, "phase", np.where(cur["epoch"] > cfg.epochs, "train more", "initial"))
    timing = cur[["learner", "seed", "epoch", "samples_seen", "wall_s", "test_accuracy"]].copy()
    cur = cur.drop(columns="wall_s")
    return {
        "curves": cur,
        "summary": summarize(cur, cfg),
        "boundary": _concat(boundary, ["learner", "seed", "kind", "x1", "x2", "class", "confidence"]),
        "confusion": _concat(confusion, ["learner", "seed", "true_class", "predicted_class", "count"]),
        "features": _concat(features, ["learner", "seed", "unit", "row", "col", "weight"]),
        "timing": timing,
    }


def _concat(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def _confusion(learner, split: Split, name: str, seed: int, class_names) -> pd.DataFrame:
    with torch.no_grad():
        pred = learner.scores(split.x_test).argmax(1).cpu().numpy()  # (n_test,)
    c = len(class_names)
    counts = np.bincount(split.y_test.cpu().numpy() * c + pred, minlength=c * c).reshape(c, c)  # (true, predicted)
    ti, pi = np.meshgrid(np.arange(c), np.arange(c), indexing="ij")
    names = np.array(class_names)
    return pd.DataFrame(
        dict(
            learner=name,
            seed=seed,
            true_class=names[ti.ravel()],
            predicted_class=names[pi.ravel()],
            count=counts.ravel(),
        )
    )


def _boundary(learner, prep: Prepared, name: str, seed: int) -> pd.DataFrame:
    """Predicted class and its softmax probability on a GRID×GRID lattice, plus the data points."""
    pts = np.concatenate([prep.raw_train, prep.raw_test])
    lo, hi = pts.min(0), pts.max(0)
    pad = 0.1 * (hi - lo)
    a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID, dtype=np.float32)
    b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID, dtype=np.float32)
    g1, g2 = np.meshgrid(a, b)
    grid = np.stack([g1.ravel(), g2.ravel()], 1)  # (GRID², 2) raw coordinates
    dev = prep_device(learner)
    with torch.no_grad():
        z = learner.scores(torch.as_tensor((grid - prep.mean) / prep.scale).to(dev))  # (GRID², C)
        p = torch.softmax(z, 1).max(1)
    d = prep.data
    parts = [
        pd.DataFrame(
            dict(
                learner=name,
                seed=seed,
                kind="grid",
                x1=grid[:, 0],
                x2=grid[:, 1],
                **{"class": p.indices.cpu().numpy(), "confidence": p.values.cpu().numpy()},
            )
        )
    ]
    for kind, x, y in (("train", prep.raw_train, d.y_train), ("test", prep.raw_test, d.y_test)):
        parts.append(
            pd.DataFrame(
                dict(learner=name, seed=seed, kind=kind, x1=x[:, 0], x2=x[:, 1], **{"class": y, "confidence": np.nan})
            )
        )
    return pd.concat(parts, ignore_index=True)


def prep_device(learner):
    return learner.parameters()[0].device


def _features(learner, name: str, seed: int, tile_shape: tuple[int, int]) -> pd.DataFrame:
    """First-layer weights of up to TILES hidden units in long form; a tile is the image shape, a
    3×3 filter for the CNN, or one row of d weights for flat inputs."""
    w = learner.features()[:TILES].detach().cpu().numpy()  # (units, pixels)
    h, wd = tile_shape if w.shape[1] == tile_shape[0] * tile_shape[1] else (3, w.shape[1] // 3)
    u, r, c = np.meshgrid(np.arange(w.shape[0]), np.arange(h), np.arange(wd), indexing="ij")
    return pd.DataFrame(
        dict(learner=name, seed=seed, unit=u.ravel(), row=r.ravel(), col=c.ravel(), weight=w.reshape(-1, h, wd).ravel())
    )


# --------------------------------------------------------------------------- summary


def samples_to(curve: pd.DataFrame, target: float) -> float:
    """First samples_seen at which the seed-mean test accuracy reaches `target` (NaN if never)."""
    hit = curve[curve["test_accuracy"] >= target]
    return float(hit["samples_seen"].iloc[0]) if len(hit) else float("nan")


def summarize(cur: pd.DataFrame, cfg: ArenaConfig) -> pd.DataFrame:
    """One row per learner: final accuracy mean and spread over seeds, samples to 90% of the best
    learner's final accuracy, that count relative to backprop's, updates, divergence."""
    last = cur.sort_values("epoch").groupby(["learner", "seed"], sort=False).tail(1)
    final = last.groupby("learner", sort=False)["test_accuracy"].agg(["mean", "std", "count"])
    best = float(final["mean"].max()) if final["mean"].notna().any() else float("nan")
    target = TARGET_FRACTION * best
    mean_curves = cur[~cur["diverged"]].groupby(["learner", "samples_seen"], sort=True)["test_accuracy"].mean()
    rows = []
    for name in cfg.learners:
        if name not in final.index:
            continue
        mc = (
            mean_curves.loc[name].reset_index()
            if name in mean_curves.index.get_level_values(0)
            else pd.DataFrame(columns=["samples_seen", "test_accuracy"])
        )
        f = final.loc[name]
        part = last[last["learner"] == name]
        rows.append(
            dict(
                learner=name,
                brain_like=name in BRAIN_LIKE,
                seeds=int(f["count"]),
                final_test_accuracy=f["mean"],
                test_accuracy_std=f["std"] if f["count"] > 1 else 0.0,
                final_train_accuracy=part["train_accuracy"].mean(),
                target_accuracy=target,
                samples_to_target=samples_to(mc, target),
                weight_updates=part["weight_updates"].mean(),
                diverged=bool(cur.loc[cur["learner"] == name, "diverged"].any()),
            )
        )
    out = pd.DataFrame(rows)
    ref = out.loc[out["learner"] == "backprop mlp", "samples_to_target"]
    ref = float(ref.iloc[0]) if len(ref) else float("nan")
    out["samples_vs_backprop"] = out["samples_to_target"] / ref
    return out


def metrics(tables, cfg) -> list[tuple[str, str]]:
    s = tables["summary"]
    if s.empty or s["final_test_accuracy"].isna().all():
        return [("learners finished", "0")]
    best = s.loc[s["final_test_accuracy"].idxmax()]
    out = [("best learner", str(best["learner"])), ("its test accuracy", f"{best['final_test_accuracy']:.1%}")]
    bl = s[s["brain_like"]]
    if len(bl) and bl["final_test_accuracy"].notna().any():
        b = bl.loc[bl["final_test_accuracy"].idxmax()]
        out.append((f"best brain-like ({b['learner']})", f"{b['final_test_accuracy']:.1%}"))
    rm = s[s["learner"] == "reward-modulated"]
    if len(rm):
        r = float(rm["samples_vs_backprop"].iloc[0])
        out.append(("reward-modulated samples ÷ backprop", f"×{r:.1f}" if math.isfinite(r) else "target not reached"))
    wall = tables["timing"].groupby(["learner", "seed"])["wall_s"].max().sum()
    out.append(("training wall time", f"{wall:.2f} s"))
    return out


NOTES = """
Every learner starts from the same split, the same initial weights where shapes allow (W₁ and W₂ of
one hidden layer of H units), sees the same batches in the same order, and is scored on the same test
set after each epoch. Backprop networks use the chosen torch.optim optimizer; the brain-like rules use
plain local updates with their own rates (Advanced), so set the optimizer to SGD for a like-for-like
comparison. The **reward-modulated** learner never sees a label: it samples an answer and gets reward
1 or 0; its hidden layer learns by node perturbation. **Hebbian features** are learned without labels
(competitive Krotov-Hopfield rule); only the readout uses labels (or reward, for *hebbian + reward*).

*Train more* continues every learner from where the run stopped: the run is deterministic, so it trains
`epochs + extra_epochs` epochs from the same state and marks the extra ones phase "train more".
Samples to target = samples seen when the seed-mean test accuracy first reaches 90 % of the best
learner's final accuracy (resolution: one epoch). Wall-clock seconds are in the *timing* table only.
"""

EQUATIONS = (
    Equation(
        r"\Delta W = -\tfrac{\eta}{B}\sum_b (y_b - t_b)\,x_b^\top",
        "Delta rule / single-layer perceptron "
        "(Widrow & Hoff 1960); y = z (MSE) or softmax(z) (cross-entropy), t the one-hot target.",
    ),
    Equation(
        r"\delta_1 = (B\,e)\odot f'(a_1),\quad \Delta W_1 = -\tfrac{\eta}{B}\sum_b \delta_1 x^\top",
        "Feedback alignment (Lillicrap et al. 2016): the output error e returns through a fixed random "
        "matrix B instead of W₂ᵀ.",
    ),
    Equation(
        r"\Delta W_2 = \eta\,(R-\bar R)\,(\mathbf{1}_k - \pi)\,h^\top,\quad "
        r"\Delta W_1 = \eta_h\,(R-\bar R)\,\tfrac{\xi}{\sigma^2}\,x^\top,\quad \bar R \leftarrow \bar R + "
        r"\alpha(R-\bar R)",
        "Reward-modulated three-factor rule: REINFORCE for the sampled answer k ~ π = softmax(z) and node "
        "perturbation ξ ~ N(0, σ²) of the hidden units (Williams 1992; Frémaux & Gerstner 2016).",
    ),
    Equation(
        r"\Delta w_\mu = \eta\, g_\mu\,(x - \langle w_\mu, x\rangle w_\mu),\quad g = 1 \text{ (winner)},"
        r"\ -\Delta \text{ (k-th)},\ 0 \text{ (others)}",
        "Competitive Hebbian features with Oja decay (Krotov & Hopfield 2019; Oja 1982).",
    ),
    Equation(
        r"W \leftarrow \mathrm{opt}\big(W, \partial \ell / \partial W\big)",
        "Backpropagation (Rumelhart, Hinton & Williams 1986) with a torch.optim optimizer.",
    ),
)

EXPERIMENT = Experiment(
    name="arena",
    title="Learning-rules arena",
    question="On the same task and budget, how do Hebbian, reward-modulated, feedback-alignment and backprop "
    "learners compare in accuracy, speed and samples needed?",
    config=ArenaConfig,
    run=run,
    charts=(
        Chart(
            "Accuracy vs samples seen",
            "curves",
            charts.accuracy_curves,
            "Train and test accuracy against the number of training samples each learner has seen.",
        ),
        Chart("Loss vs samples seen", "curves", charts.loss_curves, "The chosen loss on train and test sets."),
        Chart(
            "Accuracy vs wall time",
            "timing",
            charts.wall_time_curves,
            "Test accuracy against training seconds (machine-dependent; evaluation time excluded).",
        ),
        Chart("Decision regions", "boundary", charts.boundaries, "Each learner's predicted class over the plane."),
        Chart("Confusion matrices", "confusion", charts.confusion, "Where each learner's test answers go."),
        Chart(
            "Learned features",
            "features",
            charts.feature_tiles,
            "First-layer weights of 16 hidden units per learner: image tiles, 3×3 filters for the CNN, one row of "
            "weights per unit for flat inputs.",
        ),
    ),
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    validate_inputs=validate_inputs,
)
