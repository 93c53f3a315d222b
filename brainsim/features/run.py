"""The run: every chosen learner trained on every seed, then measured the same way (fields, PCA alignment,
linear probe). A table of name -> training function keeps `run_all` free of per-learner branches."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from brainsim import datasets, live
from brainsim.features import backprop as bp
from brainsim.features import hebbian as hb
from brainsim.features import reference as ref
from brainsim.features import snapshots as snap
from brainsim.features import tables
from brainsim.runtime import resolve_device

LEARNERS = ("oja", "sanger", "competitive", "backprop mlp", "cnn", "autoencoder")
PCA_NAME, PIXELS_NAME = "pca (reference)", "pixels (reference)"
TRACKED = ("oja", "sanger")  # unit i against principal component i, epoch by epoch
SPANNING = ("sanger", "autoencoder")  # their span against the top-k principal subspace, epoch by epoch


@dataclass
class Data:
    """The split as tensors on the run's device; xc = x minus the training mean (for the linear learners)."""

    x: torch.Tensor
    y: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    xc: torch.Tensor
    xc_test: torch.Tensor
    shape: tuple[int, int]
    n_classes: int


@dataclass
class Learned:
    """What one learner found on one seed."""

    fields: np.ndarray  # (units, h, w) first-layer weights as images
    f_train: torch.Tensor | None  # (n, features) its representation of the training images
    f_test: torch.Tensor | None
    history: list[tuple[int, torch.Tensor]]  # (epoch, first-layer weights (units, d))
    updates: int
    samples: int
    diverged: bool
    losses: list[float] = field(default_factory=list)
    net: torch.nn.Module | None = None


def _images(w: torch.Tensor, shape: tuple[int, int]) -> np.ndarray:
    """First-layer weights as images: dense rows (units, h·w) -> (units, h, w); CNN filters stay (C, k, k)."""
    w = w.detach().cpu().numpy()
    return w.reshape(w.shape[0], *shape) if w.ndim == 2 else w


def _local(t: hb.Trained, feats: Callable, xs: tuple[torch.Tensor, torch.Tensor], shape) -> Learned:
    out = (None, None) if t.diverged else (feats(t.w, xs[0]), feats(t.w, xs[1]))
    return Learned(_images(t.w, shape), *out, t.history, t.updates, t.samples, t.diverged)


def _backprop(f: bp.Fitted, xs: tuple[torch.Tensor, torch.Tensor], shape) -> Learned:
    with torch.no_grad():
        out = (None, None) if f.diverged else (f.net.features(xs[0]), f.net.features(xs[1]))
    return Learned(_images(f.net.fields(), shape), *out, f.history, f.updates, f.samples, f.diverged, f.losses, f.net)


def _oja(cfg, d: Data, seed: int) -> Learned:
    t = hb.train_oja(d.xc, cfg.hebb_lr, cfg.hebb_epochs, cfg.batch_size, seed)
    return _local(t, hb.linear_features, (d.xc, d.xc_test), d.shape)


def _sanger(cfg, d: Data, seed: int) -> Learned:
    t = hb.train_sanger(d.xc, cfg.components, cfg.hebb_lr, cfg.hebb_epochs, cfg.batch_size, seed)
    return _local(t, hb.linear_features, (d.xc, d.xc_test), d.shape)


def _competitive(cfg, d: Data, seed: int) -> Learned:
    t = hb.train_competitive(d.x, cfg.hidden, cfg.hebb_lr, cfg.hebb_epochs, cfg.batch_size, seed)
    return _local(t, hb.competitive_features, (d.x, d.x_test), d.shape)


def _mlp(cfg, d: Data, seed: int) -> Learned:
    f = bp.train_mlp(d.x, d.y, cfg.hidden, d.n_classes, cfg.lr, cfg.epochs, cfg.batch_size, seed)
    return _backprop(f, (d.x, d.x_test), d.shape)


def _cnn(cfg, d: Data, seed: int) -> Learned:
    f = bp.train_cnn(d.x, d.y, d.shape, cfg.filters, cfg.kernel, d.n_classes, cfg.lr, cfg.epochs, cfg.batch_size, seed)
    return _backprop(f, (d.x, d.x_test), d.shape)


def _autoencoder(cfg, d: Data, seed: int) -> Learned:
    f = bp.train_autoencoder(d.xc, cfg.components, cfg.ae_activation, cfg.lr, cfg.epochs, cfg.batch_size, seed)
    return _backprop(f, (d.xc, d.xc_test), d.shape)


TRAIN: dict[str, Callable[..., Learned]] = {
    "oja": _oja,
    "sanger": _sanger,
    "competitive": _competitive,
    "backprop mlp": _mlp,
    "cnn": _cnn,
    "autoencoder": _autoencoder,
}


def tensors(data: datasets.Dataset, device: torch.device) -> Data:
    x, x_test = (torch.tensor(a, device=device) for a in (data.x_train, data.x_test))
    mean = x.mean(0)
    y, y_test = (torch.tensor(a, device=device) for a in (data.y_train, data.y_test))
    return Data(x, y, x_test, y_test, x - mean, x_test - mean, tuple(data.image_shape), data.n_classes)


def run_all(cfg, data: datasets.Dataset, progress=None) -> dict[str, pd.DataFrame]:
    d = tensors(data, resolve_device(cfg.device))
    learners = [name for name in LEARNERS if name in cfg.learners]
    seeds = [cfg.seed + s for s in range(cfg.seeds)]
    k_ref = max(cfg.components, 1)
    pcs = ref.principal_components(data.x_train, min(k_ref, data.n_features))  # (k, d)
    index = cfg.image_index % len(data.y_test)
    rows = tables.Rows()
    # references, the same for every seed: the pixels themselves and their projection on the top-k components
    proj = torch.tensor(pcs.T, dtype=d.xc.dtype, device=d.xc.device)  # (d, k)
    pca_feats = [a @ proj for a in (d.xc, d.xc_test)]
    refs = {
        PIXELS_NAME: (data.n_features, ref.linear_probe(d.x, d.y, d.x_test, d.y_test, d.n_classes)),
        PCA_NAME: (len(pcs), ref.linear_probe(pca_feats[0], d.y, pca_feats[1], d.y_test, d.n_classes)),
    }
    total, done = len(seeds) * len(learners), 0
    steps = snap.timeline_epochs(cfg, data.n_features)
    for seed in seeds:
        for name, (n_feats, (train_acc, test_acc)) in refs.items():
            rows.probe.append((name, seed, n_feats, train_acc, test_acc, False))
        rows.add_fields(PCA_NAME, seed, pcs.reshape(len(pcs), *d.shape))
        for name in learners:
            live.report(progress, done / max(total, 1), f"seed {seed}: {name}")
            start = time.perf_counter()
            learned = TRAIN[name](cfg, d, seed)
            if learned.f_train is not None:
                train_acc, test_acc = ref.linear_probe(learned.f_train, d.y, learned.f_test, d.y_test, d.n_classes)
            else:
                train_acc = test_acc = float("nan")
            wall = time.perf_counter() - start
            fields = learned.fields
            if name in TRACKED and not learned.diverged:
                fields = ref.aligned(fields.reshape(len(fields), -1), pcs).reshape(fields.shape)
            rows.add_fields(name, seed, fields)
            n_feats = 0 if learned.f_train is None else int(learned.f_train.shape[1])
            rows.probe.append((name, seed, n_feats, train_acc, test_acc, learned.diverged))
            rows.timing.append((name, seed, learned.updates, learned.samples, wall, learned.diverged))
            rows.add_history(name, seed, learned.history, pcs, TRACKED, SPANNING)
            rows.add_losses(name, seed, learned.losses)
            if seed == seeds[0] and name in snap.LEARNERS:
                k, signs = snap.units(cfg, name), pcs if name in TRACKED else None
                rows.snapshots.append(snap.frames(name, seed, learned.history, steps, k, d.shape, signs))
            if name == "cnn" and not learned.diverged:
                rows.add_maps(seed, index, int(data.y_test[index]), d.x_test[index], learned.net)
            done += 1
            if name in TRACKED:
                live.report(progress, done / max(total, 1), f"seed {seed}: {name} trained", rows.curve(name, seed))
    if progress:
        progress(1.0, "done")
    return rows.tables()
