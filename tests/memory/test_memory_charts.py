"""Memory charts readable in a lecture room (issue 11): trace panels with four distinct looks, time ticks
in words, and identical retention curves named as such."""

from __future__ import annotations

import pandas as pd
import pytest

from brainsim.memory import charts
from brainsim.memory.experiment import EXPERIMENT, MemoryConfig


@pytest.fixture(scope="module")
def tables():
    cfg = MemoryConfig(seeds=2)
    return cfg, EXPERIMENT.run(cfg)


def test_traces_have_one_panel_per_learner_and_few_distinct_looks(tables):
    cfg, t = tables
    fig = charts.traces_chart(t["traces"], cfg)
    lines = [tr for tr in fig.data if tr.mode == "lines"]
    looks = {(tr.line.color, tr.line.dash) for tr in lines}
    assert len(looks) == len({tr.legendgroup for tr in lines}) <= 4  # one look per measure, in every panel
    assert len({tr.xaxis for tr in lines}) == t["traces"]["learner"].nunique()
    ticks = fig.layout.xaxis.ticktext or fig.layout[f"xaxis{len(fig.layout.annotations)}"].ticktext
    assert ticks and not any("µ" in s for s in ticks) and "1 h" in ticks


def test_identical_retention_curves_are_marked(tables):
    cfg, t = tables
    df = t["retention"]
    fig = charts.retention_chart(df, cfg)
    names = [tr.name for tr in fig.data if tr.fill != "toself" and tr.name]
    backprop = df[df["learner"] == "backprop net"].pivot_table(
        index=["condition", "seed"], columns="delay_h", values="recall"
    )
    conds = sorted(df["condition"].unique())
    if backprop.loc[conds[0]].equals(backprop.loc[conds[1]]):  # the backprop net ignores consolidation
        assert any("(= " in n for n in names)
    assert fig.layout.xaxis.ticktext and "1 day" in fig.layout.xaxis.ticktext


def test_custom_time_axis_does_not_break_on_one_point():
    fig = charts.retention_chart(
        pd.DataFrame(dict(learner="backprop net", condition="c", seed=0, delay_h=[2.0], recall=[0.5])), MemoryConfig()
    )
    assert fig.data
