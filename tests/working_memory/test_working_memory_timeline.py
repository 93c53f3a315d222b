"""Issue 17: timelines of one trial, the trained networks' hidden state and the fast-weight store."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from brainsim.export import csv_bytes
from brainsim.timeline import MAX_FRAMES
from brainsim.working_memory import charts, retrieval
from brainsim.working_memory.experiment import WorkingMemoryConfig
from brainsim.working_memory.run import run


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_each_written_pair_is_the_strongest_cell_of_its_frame_then_fades(seed):
    cfg = WorkingMemoryConfig(seed=seed)
    df = retrieval.store_frames(cfg, seed)
    assert df["t"].nunique() <= MAX_FRAMES and len(csv_bytes(df)) < 300_000
    frames = {int(t): part for t, part in df.groupby("t")}
    for t in range(cfg.pairs):  # the first steps write the pairs
        part = frames[t]
        key, value = map(int, re.fullmatch(r"k(\d+)\+v(\d+)", part["token"].iloc[0]).groups())
        best = part.loc[part["strength"].idxmax()]
        assert (int(best["key"]), int(best["value"])) == (key, value), (seed, t)
    first = frames[0].loc[frames[0]["strength"].idxmax(), ["key", "value"]].tolist()
    last = frames[max(frames)]
    kept = float(last[(last["key"] == first[0]) & (last["value"] == first[1])]["strength"].iloc[0])
    assert kept < 0.5 * float(frames[0]["strength"].max())  # λ^D of it is left after the delay


def test_long_sequences_are_cut_to_the_frame_bound():
    cfg = WorkingMemoryConfig(delays=(40,), pairs=16, task="associative retrieval")
    df = retrieval.store_frames(cfg, 0)
    assert df["t"].nunique() == MAX_FRAMES
    assert df["t"].min() == 0 and df["t"].max() == cfg.pairs + 40 - 1


def _array(v) -> np.ndarray:
    """An array of a figure dict: a list, or plotly's typed-array encoding {dtype, bdata}."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


@pytest.fixture(scope="module")
def tables():
    return run(WorkingMemoryConfig(seeds=1, steps=60, learners=("rnn", "lstm", "fast weights")))


@pytest.mark.slow
def test_hidden_timeline_has_one_frame_per_step_and_frames_differ(tables):
    df = tables["hidden_states"]
    fig = charts.hidden_timeline(df, None).to_dict()
    frames = fig["frames"]
    assert len(frames) == min(MAX_FRAMES, df["t"].nunique()) >= 2
    assert len(fig["layout"]["sliders"][0]["steps"]) == len(frames)
    assert len(frames[0]["data"]) == df["learner"].nunique()
    heights = [_array(f["data"][0]["y"]) for f in frames]
    assert any(not np.allclose(heights[0], h) for h in heights[1:]), "the hidden state never moves"


@pytest.mark.slow
def test_store_timeline_has_one_frame_per_snapshot(tables):
    df = tables["fast_weight_frames"]
    fig = charts.store_timeline(df, None).to_dict()
    assert [int(f["name"]) for f in fig["frames"]] == sorted(df["t"].unique())
    assert fig["layout"]["sliders"][0]["steps"][0]["label"].startswith("0:")
