"""Every chart of the page builds from a small run's tables, and says so when a table is empty."""

from __future__ import annotations

import pytest

from brainsim.features.experiment import EXPERIMENT, FeaturesConfig

SMALL = dict(seeds=1, hebb_epochs=2, epochs=1, hidden=4, filters=2, components=2)


@pytest.fixture(scope="module")
def small():
    cfg = FeaturesConfig(**SMALL)
    return cfg, EXPERIMENT.run(cfg)


def test_every_chart_draws_its_table(small):
    cfg, res = small
    for chart in EXPERIMENT.charts:
        fig = chart.build(res[chart.table], cfg)
        assert fig.data, chart.title


def test_fields_chart_has_one_picture_per_learner_on_one_scale(small):
    cfg, res = small
    fig = EXPERIMENT.charts[0].build(res["fields"], cfg)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == res["fields"]["learner"].nunique() == 7  # six learners and the PCA reference
    assert {(t.zmin, t.zmax) for t in heat} == {(-1.0, 1.0)}


def test_charts_of_empty_tables_say_why(small):
    cfg, res = small
    for chart in EXPERIMENT.charts:
        fig = chart.build(res[chart.table].iloc[0:0], cfg)
        assert fig.layout.annotations and fig.layout.annotations[0].text, chart.title


def test_metrics_name_the_claims(small):
    cfg, res = small
    labels = [m[0] for m in EXPERIMENT.metrics(res, cfg)]
    assert labels == ["oja", "sanger", "autoencoder angle (°)", "best probe"]
