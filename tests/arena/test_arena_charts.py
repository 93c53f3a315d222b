"""The arena's learned-features chart (issue 11): on 2-D tasks one arrow per hidden unit, on images one tile
per unit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from brainsim.arena import charts
from brainsim.arena.experiment import ArenaConfig


def features(n_units: int, h: int, w: int, learners=("backprop mlp", "hebbian features")) -> pd.DataFrame:
    r = np.random.default_rng(0)
    u, i, j = np.meshgrid(np.arange(n_units), np.arange(h), np.arange(w), indexing="ij")
    parts = [
        pd.DataFrame(
            dict(learner=n, seed=0, unit=u.ravel(), row=i.ravel(), col=j.ravel(), weight=r.normal(size=u.size))
        )
        for n in learners
    ]
    return pd.concat(parts, ignore_index=True)


def test_two_d_inputs_draw_one_weight_arrow_per_hidden_unit():
    df = features(16, 1, 2)
    fig = charts.feature_tiles(df, ArenaConfig())
    traces = [t for t in fig.data if t.type == "scatter"]  # one per learner, its arrows separated by gaps
    assert len(traces) == 2 and not [t for t in fig.data if t.type == "heatmap"]
    for trace, learner in zip(traces, ("backprop mlp", "hebbian features")):
        assert len(trace.x) == 3 * 16 and list(trace.marker.symbol).count("arrow") == 16
        for unit in (0, 15):
            w = df[(df["learner"] == learner) & (df["unit"] == unit)].sort_values("col")["weight"].to_numpy()
            k = 3 * unit
            assert list(trace.x[k : k + 3]) == [0.0, w[0], None] and list(trace.y[k : k + 3]) == [0.0, w[1], None]
            assert list(trace.customdata[k : k + 2]) == [unit, unit]
    assert fig.layout.yaxis.scaleanchor == "x"  # undistorted directions


def test_image_inputs_draw_one_tile_per_unit():
    fig = charts.feature_tiles(features(16, 8, 8), ArenaConfig(task="digits"))
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 2
    z = np.asarray(heat[0].z, dtype=float)
    assert z.shape == (4 * 9 - 1, 4 * 9 - 1)  # 4 × 4 tiles of 8 × 8 with one-pixel gaps
    assert np.isfinite(z).sum() == 16 * 64


def test_flat_inputs_draw_one_row_per_unit():
    fig = charts.feature_tiles(features(16, 1, 5), ArenaConfig())
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (16 * 2 - 1, 5) and np.isfinite(z).sum() == 16 * 5
