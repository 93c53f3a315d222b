"""The decision-boundary chart shows what its caption says (issue 11): the single neuron's line (its boundary,
or the best line it passed through when it ends flat), the MLP's hidden-unit lines, and the seed the user picks."""

from __future__ import annotations

import numpy as np
import pytest

from brainsim.config import ConfigError
from brainsim.xor import charts
from brainsim.xor.experiment import EXPERIMENT, XorConfig
from brainsim.xor.training import run

NEURONS = ("single neuron (delta)", "single neuron (hebbian)")


def line_traces(fig, kind: str) -> list:
    return [t for t in fig.data if t.type == "scatter" and t.legendgroup == kind]


@pytest.fixture(scope="module")
def xor_run():
    cfg = XorConfig(seeds=3, epochs=100)
    return cfg, run(cfg)


def test_every_single_neuron_panel_draws_a_line_on_xor(xor_run):
    cfg, tables = xor_run
    fig = charts.boundary_chart(tables["boundary"], cfg)
    drawn = line_traces(fig, "line") + line_traces(fig, "best line")
    assert len(drawn) == len(NEURONS)  # one line per single neuron, although both end at P = 0.5
    assert all(len(t.x) == 2 for t in drawn)
    assert len(line_traces(fig, "unit line")) == cfg.hidden  # the MLP: one line per hidden unit


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_on_xor_the_neurons_end_flat_at_one_half(seed):
    """Why no final line: the cross-entropy's only minimum on XOR is w = 0, b = 0, so P = 0.5 everywhere."""
    b = run(XorConfig(seed=seed, seeds=1, epochs=300, learners=NEURONS))["boundary"]
    grid = b[b["kind"] == "grid"]
    assert np.allclose(grid["p_class1"], 0.5, atol=0.005)
    assert set(b["kind"]) == {"grid", "point", "best line"}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_on_and_the_drawn_line_separates_the_points_as_the_neuron_does(seed):
    b = run(XorConfig(task="and", seed=seed, seeds=1, epochs=300, learners=NEURONS))["boundary"]
    for name in NEURONS:
        part = b[b["learner"] == name]
        (x0, y0), (x1, y1) = part[part["kind"] == "line"][["x1", "x2"]].to_numpy()
        pts = part[part["kind"] == "point"]
        side = (x1 - x0) * (pts["x2"] - y0) - (y1 - y0) * (pts["x1"] - x0)  # which side of the drawn line
        says = pts["p_class1"] > 0.5
        assert (says == (pts["label"] == 1)).all()  # AND is learned: 4 of 4
        assert len(set(zip(side > 0, says))) == 2  # one side is class 1, the other class 0


def test_the_user_picks_the_seed_shown(xor_run):
    cfg, _ = xor_run
    b = run(XorConfig(seeds=3, epochs=20, boundary_seed=2))["boundary"]
    assert set(b["seed"]) == {2}
    fig = charts.boundary_chart(b, cfg)
    assert all("seed 2" in a.text for a in fig.layout.annotations if "neuron" in a.text or "mlp" in a.text)
    with pytest.raises(ConfigError, match=r"'boundary_seed' must be below seeds \(3\)"):
        XorConfig(seeds=3, boundary_seed=3)


def test_caption_says_why_the_delta_rule_ends_at_one_half():
    caption = next(c.caption for c in EXPERIMENT.charts if c.table == "boundary")
    assert "w·x + b = 0" in caption and "P = 0.5" in caption and "cross-entropy" in caption
