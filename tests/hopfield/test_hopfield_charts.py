"""Associative-memory pictures and messages (issue 11): square pixels with gaps between panels, energy ticks
that do not collide, settings that do not apply hidden, and the check naming the values the user gave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brainsim.config import ConfigError, spec_map
from brainsim.hopfield import charts
from brainsim.hopfield.experiment import HopfieldConfig


def images(n_patterns: int = 3, side: int = 6) -> pd.DataFrame:
    r = np.random.default_rng(1)
    rows = []
    for q in range(n_patterns):
        for panel in ("stored", "cue", "hebbian"):
            px = r.choice([-1, 1], size=(side, side))
            rows += [
                dict(panel=panel, pattern=q, row=i, col=j, pixel=int(px[i, j]))
                for i in range(side)
                for j in range(side)
            ]
    return pd.DataFrame(rows)


def test_every_pattern_panel_has_square_pixels_and_a_gap():
    """One heatmap of the whole grid (cheap to draw): square pixels, each panel's pixels where its row and
    column put them, blank gaps between panels, a frame around each and a title over each column."""
    df = images()
    fig = charts.image_grid(df, HopfieldConfig())
    (heat,) = [t for t in fig.data if t.type == "heatmap"]
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.autorange == "reversed"  # square, row 0 on top
    z = np.asarray(heat.z, dtype=float)
    side, step = 6, 6 + charts.GAP
    assert z.shape == (3 * step - charts.GAP, 3 * step - charts.GAP)
    for (panel, q), part in df.groupby(["panel", "pattern"]):
        c = ["stored", "cue", "hebbian"].index(panel)
        want = part.pivot(index="row", columns="col", values="pixel").to_numpy()
        assert np.array_equal(z[q * step : q * step + side, c * step : c * step + side], want), (panel, q)
    gaps = [k for k in range(z.shape[0]) if k % step >= side]
    assert np.isnan(z[gaps, :]).all() and np.isnan(z[:, gaps]).all()  # blank between panels, both ways
    frames = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(frames) == 9 and all(s.x1 - s.x0 == side and s.y1 - s.y0 == side for s in frames)
    assert [a.text for a in fig.layout.annotations] == ["stored", "cue", "hebbian"]
    where = np.asarray(heat.customdata)
    assert tuple(where[step + 2, 2 * step + 3]) == (2, 3)  # the hover's row and column within the panel


def test_energy_panels_wrap_two_to_a_row_with_few_ticks():
    learners = ["hebbian", "storkey", "pseudo-inverse", "modern hopfield"]
    df = pd.DataFrame(
        [
            dict(learner=n, seed=0, cue=0, sweep=s, energy_per_neuron=-0.3 - 0.05 * s - 0.01 * k, overlap=1.0)
            for k, n in enumerate(learners)
            for s in range(4)
        ]
    )
    fig = charts.energy_chart(df, HopfieldConfig())
    domains = {tuple(fig.layout[k].domain) for k in fig.layout if k.startswith("xaxis")}
    assert len(domains) == 2  # four panels in two columns
    left = sorted(domains)[0]
    right = sorted(domains)[-1]
    assert right[0] - left[1] >= 0.1  # room for the right panels' tick labels
    assert all(fig.layout[k].nticks == 5 for k in fig.layout if k.startswith("yaxis"))


def test_the_size_check_names_the_values_given():
    with pytest.raises(ConfigError) as err:
        HopfieldConfig(n_patterns=450, n_neurons=16)
    assert "below n_neurons (16), not 450" in str(err.value)


def test_sliders_that_do_not_apply_are_hidden():
    specs = spec_map(HopfieldConfig)
    for mode in ("digits", "upload"):
        assert not specs["n_neurons"].applies({"patterns": mode})
        assert not specs["load_max"].applies({"patterns": mode})
    assert specs["n_neurons"].applies({"patterns": "random"})
    assert specs["digit_scale"].applies({"patterns": "digits"}) and not specs["digit_scale"].applies(
        {"patterns": "upload"}
    )
    assert specs["patterns_csv"].applies({"patterns": "upload"})
