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
    fig = charts.image_grid(images(), HopfieldConfig())
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 9
    for t in heat:
        x, y = fig.layout[t.xaxis.replace("x", "xaxis")], fig.layout[t.yaxis.replace("y", "yaxis")]
        assert y.scaleanchor == t.xaxis  # its own x axis: square pixels in every panel, not just the first
        assert x.showline and y.showline  # a frame around each pattern
    xs = sorted(fig.layout[f"xaxis{k if k > 1 else ''}"].domain for k in range(1, 4))
    ys = sorted({tuple(fig.layout[f"yaxis{k if k > 1 else ''}"].domain) for k in (1, 4, 7)})
    assert all(b[0] - a[1] > 0.01 for a, b in zip(xs, xs[1:])) and all(b[0] - a[1] > 0.01 for a, b in zip(ys, ys[1:]))


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
