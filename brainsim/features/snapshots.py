"""The timeline of the receptive-field page: the first seed's receptive fields as they form, copied from the
per-epoch weights every learner keeps anyway (its `history`), so taking them draws no random number and
changes no other table.

Bounds: the local rules (Oja, Sanger, competitive) and the MLP's first layer, at most MAX_UNITS units each,
on one list of epochs (the timeline's frames, at most timeline.MAX_FRAMES) thinned until the table holds at
most MAX_ROWS rows (about 300 KB of CSV); a learner whose training ended earlier holds its last fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from brainsim.timeline import MAX_FRAMES, snapshot_steps

LEARNERS = ("oja", "sanger", "competitive", "backprop mlp")  # dense first layers over the whole image
MAX_UNITS = 4  # units of each learner in the timeline (its first ones)
MAX_ROWS = 9_000  # rows of the whole table (one per pixel of a unit at an epoch)
COLUMNS = ["learner", "seed", "epoch", "unit", "row", "col", "weight"]


def units(cfg, name: str) -> int:
    """Units of a learner in the timeline: its first MAX_UNITS at most."""
    full = {"oja": 1, "sanger": cfg.components, "competitive": cfg.hidden, "backprop mlp": cfg.hidden}[name]
    return min(full, MAX_UNITS)


def last_epoch(cfg, name: str) -> int:
    return cfg.epochs if name == "backprop mlp" else cfg.hebb_epochs


def own_epochs(steps: list[int], last: int) -> list[int]:
    """A learner's snapshot epochs: the timeline's steps, those past its last epoch held at that epoch."""
    return sorted({min(s, last) for s in steps})


def timeline_epochs(cfg, n_pixels: int) -> list[int]:
    """The timeline's epochs (frames): as many as MAX_FRAMES and MAX_ROWS allow, evenly spaced over the
    longest training among the chosen learners, first and last included; [] without such a learner."""
    lasts = {name: last_epoch(cfg, name) for name in LEARNERS if name in cfg.learners}
    if not lasts:
        return []
    end = max(lasts.values())
    for count in range(min(MAX_FRAMES, end + 1), 2, -1):
        steps = snapshot_steps(end, count)
        rows = sum(units(cfg, name) * n_pixels * len(own_epochs(steps, last)) for name, last in lasts.items())
        if rows <= MAX_ROWS:
            return steps
    return snapshot_steps(end, 2)


def frames(
    name: str, seed: int, history: list[tuple[int, torch.Tensor]], steps: list[int], k: int, shape, pcs=None
) -> pd.DataFrame:
    """One learner's rows: the first k units' weights (images of `shape`) at its own snapshot epochs. With
    `pcs`, each unit's sign is that of its final fields matched to the component of the same index (as the
    fields chart draws them), one sign for the whole run, so the frames show the real trajectory."""
    by_epoch = {e: w for e, w in history}
    epochs = own_epochs(steps, max(by_epoch))
    ws = np.stack([by_epoch[e][:k].detach().cpu().double().numpy() for e in epochs])  # (F, k, d)
    if pcs is not None:
        m = min(k, len(pcs))
        flip = np.ones(k)
        flip[:m] = np.where((ws[-1, :m] * pcs[:m]).sum(1) < 0, -1.0, 1.0)
        ws = ws * flip[None, :, None]
    h, w = shape
    f, d = len(epochs), h * w
    return pd.DataFrame(
        {
            "learner": name,
            "seed": seed,
            "epoch": np.repeat(epochs, k * d),
            "unit": np.tile(np.repeat(np.arange(1, k + 1), d), f),
            "row": np.tile(np.arange(d) // w, f * k),
            "col": np.tile(np.arange(d) % w, f * k),
            "weight": ws.reshape(-1),
        },
        columns=COLUMNS,
    )
