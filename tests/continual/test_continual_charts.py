"""The page's figures draw from a small run's tables, mark the task boundaries, and stay blank but
labelled on empty tables; the tables are tidy and consistent with each other."""

from __future__ import annotations

import pytest

from brainsim import registry
from brainsim.continual import charts as cc
from brainsim.continual import experiment as exp


@pytest.fixture(scope="module")
def small():
    cfg = exp.ContinualConfig(epochs=1, seeds=2, scenario="task", learners=("fine-tuning", "replay", "context gating"))
    return cfg, exp.run(cfg)


def test_every_chart_draws_its_table(small):
    cfg, out = small
    for chart in registry.get("continual").charts:
        fig = chart.build(out[chart.table], cfg)
        assert len(fig.data) > 0, chart.title


def test_curves_mark_every_task_boundary(small):
    cfg, out = small
    fig = cc.curves_chart(out["curves"], cfg)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert len(lines) == 3 * (5 - 1)  # three learner panels, a line between each pair of tasks


def test_matrix_diagonal_is_the_accuracy_just_after_learning(small):
    cfg, out = small
    m, c = out["accuracy_matrix"], out["curves"]
    per_task = c["step"].max() // 5
    for (learner, seed), part in m[m["after_task"] == m["task"]].groupby(["learner", "seed"]):
        for _, row in part.iterrows():
            at = c[(c.learner == learner) & (c.seed == seed) & (c.step == per_task * row.task) & (c.task == row.task)]
            assert at["accuracy"].item() == pytest.approx(row.accuracy)


def test_empty_tables_give_labelled_blank_figures(small):
    cfg, out = small
    for build, table in (
        (cc.matrix_chart, "accuracy_matrix"),
        (cc.curves_chart, "curves"),
        (cc.final_chart, "summary"),
    ):
        fig = build(out[table].iloc[:0], cfg)
        assert fig.layout.annotations[0].text == "No learner ran."
