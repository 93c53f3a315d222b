"""Issue 17: the timeline of the tracked items' fast and slow traces over simulated time."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from brainsim.memory import charts
from brainsim.memory.experiment import MemoryConfig, run
from brainsim.memory.sim import SYN_NAME
from brainsim.timeline import MAX_FRAMES


def _array(v) -> np.ndarray:
    """An array of a figure dict: a list, or plotly's typed-array encoding {dtype, bdata}."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


pytestmark = pytest.mark.slow  # each module runs the experiment once (~5-10 s)


@pytest.fixture(scope="module")
def traces():
    return run(MemoryConfig(seeds=2))["traces"]


def test_one_frame_per_sampled_time_up_to_the_bound(traces):
    fig = charts.traces_timeline(traces, MemoryConfig()).to_dict()
    first = traces[(traces["seed"] == traces["seed"].min()) & (traces["event"] == "test")]
    n_times = first[first["learner"] == SYN_NAME]["t_s"].nunique()
    assert len(fig["frames"]) == min(MAX_FRAMES, n_times) >= 2
    assert len(fig["layout"]["sliders"][0]["steps"]) == len(fig["frames"])
    items = first["item"].nunique()
    assert len(fig["frames"][0]["data"]) == 3 * items  # a bar trace and two plane traces per item


def test_frames_differ_and_the_slow_trace_is_built_up(traces):
    """Over the schedule the fast trace is written and decays while the slow one gains what is captured:
    across frames the bars change, and the slow trace ends above where it starts."""
    frames = charts.traces_timeline(traces, MemoryConfig()).to_dict()["frames"]
    bars = [_array(f["data"][0]["y"]) for f in frames]  # item 0: fast, slow, total
    assert any(not np.allclose(bars[0], b, equal_nan=True) for b in bars[1:])
    slow = np.array([b[1] for b in bars])
    assert np.nanmax(slow) > slow[0] + 0.05, slow
    fast = np.array([b[0] for b in bars])
    assert fast[-1] < np.nanmax(fast), fast  # the short-term trace decays after the last presentation


def test_a_table_without_synapse_rows_draws_a_message(traces):
    fig = charts.traces_timeline(traces[traces["learner"] != SYN_NAME], MemoryConfig())
    assert not fig.to_dict().get("frames")
