"""Every chart draws from a small run on a custom surface where some learners diverge, and the tables
say what the charts show."""

from __future__ import annotations

import math

import pytest

from brainsim import registry


@pytest.fixture(scope="module")
def small():
    exp = registry.get("optimizers")
    cfg = exp.config(
        surface="custom",
        expression="(x - 1)^2 + 10*(y + 0.5)^2 + 0.2*sin(5*x)",
        steps=40,
        lr=0.2,  # above 2/L = 0.1 along y: SGD and Nesterov diverge
        seeds=2,
        max_outputs=4,
        depth=4,
        width=16,
        loss_steps=20,
    )
    return exp, cfg, exp.run(cfg)


def test_every_chart_draws_and_diverged_learners_are_marked(small):
    exp, cfg, tables = small
    for chart in exp.charts:
        fig = chart.build(tables[chart.table], cfg)
        assert len(fig.data) > 0, chart.title
    reach = tables["reach"].set_index(["learner", "seed"])
    assert reach.loc[("sgd", cfg.seed), "diverged"] and not reach.loc[("adam", cfg.seed), "diverged"]
    paths = tables["paths"]
    sgd = paths[(paths["learner"] == "sgd") & (paths["seed"] == cfg.seed)]
    assert sgd["loss"].isna().any() and sgd["diverged"].all()


def test_custom_surface_gap_is_measured_from_the_best_loss_found(small):
    exp, cfg, tables = small
    reach = tables["reach"]
    assert (reach["final_gap"].dropna() >= 0).all()
    best = reach.groupby("seed")["final_gap"].min()
    assert (best.abs() < 1e-9).all() or not math.isfinite(best.max())
    zeroth = reach[reach["learner"] == "evolution strategies"]["loss_evaluations"]
    assert (zeroth == 2 * cfg.pairs * cfg.steps).all()


def test_metrics_are_short(small):
    exp, cfg, tables = small
    items = exp.metrics(tables, cfg)
    assert len(items) == 6 and all(len(value) <= 16 for _, value, _ in items)
