"""Issue 17: the live curve of Gradient vs perturbation is a view of the paths table, learner by learner."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brainsim.optimizers.experiment import OptimizersConfig, run
from brainsim.optimizers.landscape import LIVE_STEPS


@pytest.mark.slow  # the whole default-sized run (~25 s on a busy core)
def test_live_rows_come_per_learner_and_match_the_paths_table():
    cfg = OptimizersConfig(seeds=2, steps=300)
    batches = []

    def progress(fraction, message, rows=None):
        if rows:
            batches.append((fraction, rows))

    progress.live = True
    paths = run(cfg, progress)["paths"]
    assert len(batches) == len(cfg.learners) and batches[0][0] < 0.5  # one batch per learner, early ones early
    rows = pd.DataFrame([r for _, b in batches for r in b], columns=["learner", "step", "loss"])
    assert rows.groupby("learner")["step"].nunique().max() <= LIVE_STEPS + 1
    mean = paths.groupby(["learner", "step"])["loss"].mean()
    seen = rows.groupby(["learner", "step"])["loss"].mean()
    np.testing.assert_allclose(seen.to_numpy(), mean.loc[seen.index].to_numpy(), rtol=1e-12)
