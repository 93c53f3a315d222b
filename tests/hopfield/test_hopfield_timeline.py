"""Issue 17: the recall timeline, the first seed's first noisy cue frame by frame for every learner."""

from __future__ import annotations

import pytest
from conftest import heatmap_z as _z

from brainsim.export import csv_bytes
from brainsim.hopfield import charts
from brainsim.hopfield.experiment import HopfieldConfig, run
from brainsim.timeline import MAX_FRAMES


def small(seed: int, **kw) -> HopfieldConfig:
    """Below capacity (α = 5/100 = 0.05 < 0.138), one seed, a short capacity sweep."""
    base = dict(seed=seed, seeds=1, n_neurons=100, n_patterns=5, n_loads=3, cue_fraction=0.15, ae_epochs=50)
    return HopfieldConfig(**{**base, **kw})


pytestmark = pytest.mark.slow  # each module runs the experiment once (~5-10 s)


@pytest.fixture(scope="module")
def frames():
    return {s: run(small(s))["recall_frames"] for s in (0, 1, 2)}


def test_frames_are_bounded_and_cover_every_learner(frames):
    cfg = small(0)
    for seed, df in frames.items():
        assert set(df["learner"]) == set(cfg.learners)
        assert (df["seed"] == seed).all()
        for _, part in df.groupby("learner"):
            sweeps = part["sweep"].unique()
            assert 1 <= len(sweeps) <= MAX_FRAMES
            assert len(part) == len(sweeps) * cfg.n_neurons  # one row per pixel per frame
        assert len(csv_bytes(df)) < 300_000


def test_hebbian_frames_start_at_the_cue_and_rise_to_the_pattern(frames):
    """Below capacity the Hebbian net cleans the cue up: the overlap starts near 1 − 2·0.15 and ends ≥ 0.98,
    never falling on the way (async updates descend the energy and, here, move toward the pattern)."""
    for seed, df in frames.items():
        heb = df[df["learner"] == "hebbian"].groupby("sweep")["overlap"].first().sort_index()
        assert heb.iloc[0] == pytest.approx(1 - 2 * 0.15, abs=0.02), seed
        assert heb.iloc[-1] >= 0.98, (seed, heb.tolist())
        assert len(heb) >= 2, seed


def test_the_figure_has_one_frame_per_snapshot_and_frames_differ(frames):
    df = frames[0]
    fig = charts.recall_timeline(df, small(0)).to_dict()  # as st.plotly_chart sends it
    steps = sorted(df["sweep"].unique())
    frames = fig["frames"]
    assert [float(f["name"]) for f in frames] == [float(s) for s in steps]
    assert [s["args"][0][0] for s in fig["layout"]["sliders"][0]["steps"]] == [f["name"] for f in frames]
    heb = list(dict.fromkeys(df["learner"])).index("hebbian")
    first, last = (_z(frames[i]["data"][heb]) for i in (0, -1))
    assert first.shape == (10, 10)
    assert (first != last).any(), "the Hebbian state should change between the cue and the end"


def test_an_empty_table_draws_a_message(frames):
    fig = charts.recall_timeline(frames[0].iloc[0:0], small(0))
    assert not fig.to_dict().get("frames")
