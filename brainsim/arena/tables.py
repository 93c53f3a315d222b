"""The arena's results as tidy tables: confusion counts, decision regions, learned features, the
per-learner summary (samples to target) and the headline metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from brainsim.arena.data import Prepared
from brainsim.arena.learners import BRAIN_LIKE, Learner, Split

GRID = 40  # decision-region grid points per axis
TILES = 16  # hidden units shown per learner
TARGET_FRACTION = 0.9  # "samples to reach 90% of the best learner's accuracy"
COLUMNS = {
    "boundary": ["learner", "seed", "kind", "x1", "x2", "class", "confidence"],
    "confusion": ["learner", "seed", "true_class", "predicted_class", "count"],
    "features": ["learner", "seed", "unit", "row", "col", "weight"],
}


def concat(parts: list[pd.DataFrame], table: str) -> pd.DataFrame:
    """The parts of one table stacked; an empty table keeps its columns."""
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS[table])


def confusion_table(learner: Learner, split: Split, name: str, seed: int, class_names) -> pd.DataFrame:
    """Test-set counts per (true class, predicted class), every pair listed."""
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


def boundary_table(learner: Learner, prep: Prepared, name: str, seed: int, device) -> pd.DataFrame:
    """Predicted class and its softmax probability on a GRID×GRID lattice, plus the data points."""
    pts = np.concatenate([prep.raw_train, prep.raw_test])
    lo, hi = pts.min(0), pts.max(0)
    pad = 0.1 * (hi - lo)
    a = np.linspace(lo[0] - pad[0], hi[0] + pad[0], GRID, dtype=np.float32)
    b = np.linspace(lo[1] - pad[1], hi[1] + pad[1], GRID, dtype=np.float32)
    g1, g2 = np.meshgrid(a, b)
    grid = np.stack([g1.ravel(), g2.ravel()], 1)  # (GRID², 2) raw coordinates
    with torch.no_grad():
        z = learner.scores(torch.as_tensor((grid - prep.mean) / prep.scale).to(device))  # (GRID², C)
        p = torch.softmax(z, 1).max(1)
    cls = {"class": p.indices.cpu().numpy(), "confidence": p.values.cpu().numpy()}
    parts = [pd.DataFrame(dict(learner=name, seed=seed, kind="grid", x1=grid[:, 0], x2=grid[:, 1], **cls))]
    d = prep.data
    for kind, x, y in (("train", prep.raw_train, d.y_train), ("test", prep.raw_test, d.y_test)):
        points = dict(learner=name, seed=seed, kind=kind, x1=x[:, 0], x2=x[:, 1], **{"class": y, "confidence": np.nan})
        parts.append(pd.DataFrame(points))
    return pd.concat(parts, ignore_index=True)


def features_table(learner: Learner, name: str, seed: int, tile_shape: tuple[int, int]) -> pd.DataFrame:
    """First-layer weights of up to TILES hidden units in long form; a tile is the image shape, a
    3×3 filter for the CNN, or one row of d weights for flat inputs."""
    w = learner.features()[:TILES].detach().cpu().numpy()  # (units, pixels)
    h, wd = tile_shape if w.shape[1] == tile_shape[0] * tile_shape[1] else (3, w.shape[1] // 3)
    u, r, c = np.meshgrid(np.arange(w.shape[0]), np.arange(h), np.arange(wd), indexing="ij")
    return pd.DataFrame(
        dict(learner=name, seed=seed, unit=u.ravel(), row=r.ravel(), col=c.ravel(), weight=w.reshape(-1, h, wd).ravel())
    )


def samples_to(curve: pd.DataFrame, target: float) -> float:
    """First samples_seen at which the seed-mean test accuracy reaches `target` (NaN if never)."""
    hit = curve[curve["test_accuracy"] >= target]
    return float(hit["samples_seen"].iloc[0]) if len(hit) else float("nan")


def summarize(cur: pd.DataFrame, learners: tuple[str, ...]) -> pd.DataFrame:
    """One row per learner: final accuracy mean and spread over seeds, samples to 90% of the best
    learner's final accuracy, that count relative to backprop's, updates, divergence."""
    last = cur.sort_values("epoch").groupby(["learner", "seed"], sort=False).tail(1)
    final = last.groupby("learner", sort=False)["test_accuracy"].agg(["mean", "std", "count"])
    best = float(final["mean"].max()) if final["mean"].notna().any() else float("nan")
    target = TARGET_FRACTION * best
    mean_curves = cur[~cur["diverged"]].groupby(["learner", "samples_seen"], sort=True)["test_accuracy"].mean()
    rows = []
    for name in learners:
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


def metrics(tables, cfg) -> list[tuple[str, str, str]]:
    """Headline numbers (label, short value, caption): the best learner, the best brain-like one,
    reward-modulated's sample cost, the training time."""
    s = tables["summary"]
    if s.empty or s["final_test_accuracy"].isna().all():
        return [("learners finished", "0", "every learner diverged")]
    best = s.loc[s["final_test_accuracy"].idxmax()]
    out = [(str(best["learner"]), f"{best['final_test_accuracy']:.1%}", "best test accuracy")]
    bl = s[s["brain_like"]]
    if len(bl) and bl["final_test_accuracy"].notna().any():
        b = bl.loc[bl["final_test_accuracy"].idxmax()]
        if b["learner"] != best["learner"]:
            out.append((str(b["learner"]), f"{b['final_test_accuracy']:.1%}", "best brain-like learner"))
    rm = s[s["learner"] == "reward-modulated"]
    if len(rm):
        r = float(rm["samples_vs_backprop"].iloc[0])
        reached = math.isfinite(r)
        caption = "samples to target, reward-modulated ÷ backprop" + ("" if reached else ": target not reached")
        out.append(("reward ÷ backprop", f"×{r:.1f}" if reached else "–", caption))
    wall = tables["timing"].groupby(["learner", "seed"])["wall_s"].max().sum()
    out.append(("training time", f"{wall:.2f} s", "all learners and seeds"))
    return out
