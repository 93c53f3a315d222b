"""Issue 17: the paths on the contour map as a timeline (slider and play), built from the paths table (no new
table): the first seed's path of every learner drawn up to the step on the slider."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest

from brainsim import registry
from brainsim.optimizers import charts as oc
from brainsim.optimizers import landscape, surfaces
from brainsim.timeline import MAX_FRAMES, snapshot_steps


def _arr(v) -> np.ndarray:
    """A figure dict's array: a list, or plotly's typed-array encoding {dtype, bdata}."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).astype(float)
    return np.asarray(v, dtype=float)


def paths_of(**kw):
    cfg = registry.get("optimizers").config(**kw)
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    return cfg, landscape.run_paths(cfg, surfaces.make(cfg), seeds)[0]


@pytest.fixture(scope="module")
def quadratic():
    cfg, paths = paths_of(seeds=2)  # the default surface, 150 steps
    return cfg, paths, oc.paths_chart(paths, cfg).to_dict()  # as st.plotly_chart sends it


def _moving(fig: dict) -> list[str]:
    """Learner of each trace a frame moves (two per learner: the path, then where it is)."""
    return [fig["data"][i]["name"] for i in fig["frames"][0]["traces"]]


def test_the_page_draws_it_from_the_paths_table():
    chart = next(c for c in registry.get("optimizers").charts if c.build is oc.paths_chart)
    assert chart.table == "paths"


def test_one_frame_per_snapshot_step_with_slider_and_play(quadratic):
    cfg, _, fig = quadratic
    names = [f["name"] for f in fig["frames"]]
    assert names == [str(s) for s in snapshot_steps(cfg.steps)] and len(names) == MAX_FRAMES
    slider = fig["layout"]["sliders"][0]
    assert [s["args"][0][0] for s in slider["steps"]] == names
    assert [s["label"] for s in slider["steps"]] == names and slider["active"] == len(names) - 1
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["label"] == "▶ Play"


def test_frames_move_only_the_paths_and_the_axes_stay_on_the_box(quadratic):
    cfg, _, fig = quadratic
    learners = list(cfg.learners)
    assert _moving(fig) == [n for n in learners for _ in range(2)]
    assert fig["data"][0]["type"] == "contour" and 0 not in fig["frames"][0]["traces"]
    x0, x1, y0, y1 = surfaces.make(cfg).box
    assert fig["layout"]["xaxis"]["range"] == [x0, x1] and fig["layout"]["xaxis"]["autorange"] is False
    assert fig["layout"]["yaxis"]["range"] == [y0, y1] and fig["layout"]["yaxis"]["autorange"] is False
    assert all("layout" not in f for f in fig["frames"])
    last = fig["frames"][-1]
    for tr, i in zip(last["data"], last["traces"]):  # the figure as first drawn is the last frame
        np.testing.assert_array_equal(_arr(tr["x"]), _arr(fig["data"][i]["x"]))


def test_each_frame_draws_the_first_seeds_path_up_to_its_step(quadratic):
    cfg, paths, fig = quadratic
    first = paths[paths["seed"] == cfg.seed]
    moving = _moving(fig)
    for frame in fig["frames"]:
        step = int(frame["name"])
        for k, name in enumerate(moving[::2]):
            line, head = frame["data"][2 * k], frame["data"][2 * k + 1]
            want = first[(first["learner"] == name) & (first["step"] <= step)].sort_values("step")
            np.testing.assert_allclose(_arr(line["x"]), want["x"], rtol=1e-6, atol=1e-6)
            np.testing.assert_allclose(_arr(line["y"]), want["y"], rtol=1e-6, atol=1e-6)
            np.testing.assert_allclose(_arr(head["x"]), want["x"].iloc[-1:], rtol=1e-6, atol=1e-6)
            assert f"step {step}:" in head["hovertemplate"]
    sgd = [_arr(f["data"][1]["x"])[0] for f in fig["frames"]]
    assert len(set(sgd)) > 40  # SGD's position changes from frame to frame


def test_a_long_run_is_thinned_and_a_diverged_learner_loses_its_head():
    cfg, paths = paths_of(surface="rosenbrock", steps=3000, seeds=1, learners=("sgd", "adam"))
    fig = oc.paths_chart(paths, cfg).to_dict()
    frames = fig["frames"]
    assert len(frames) == MAX_FRAMES and frames[-1]["name"] == "3000"
    for f in frames:
        for tr in f["data"][::2]:
            assert len(_arr(tr["x"])) <= oc.PATH_POINTS
    sgd = paths[paths["learner"] == "sgd"]
    assert sgd["diverged"].all()  # η = 0.1 is far above 2/L in Rosenbrock's valley
    gone = int(sgd.loc[sgd["x"].isna(), "step"].min())
    after = [f for f in frames if int(f["name"]) >= gone]
    assert after and all(math.isnan(_arr(f["data"][1]["x"])[0]) for f in after)
    assert not math.isnan(_arr(frames[-1]["data"][3]["x"])[0])  # adam is still on the map


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_momentum_reaches_the_minimum_where_sgd_is_still_on_its_way(seed):
    """Quadratic, κ = 10, η = 0.1: SGD contracts by 1 − ημ = 0.99 per step along the flat axis, heavy-ball
    momentum (β = 0.9) by about √β ≈ 0.95 (Polyak 1964); at the last frame momentum's dot is far nearer."""
    cfg, paths = paths_of(seed=seed, seeds=1, learners=("sgd", "momentum"))
    fig = oc.paths_chart(paths, cfg).to_dict()
    first, last = fig["frames"][0]["data"], fig["frames"][-1]["data"]
    dist = {
        name: [math.hypot(_arr(d[2 * k + 1]["x"])[0], _arr(d[2 * k + 1]["y"])[0]) for d in (first, last)]
        for k, name in enumerate(("sgd", "momentum"))
    }
    assert dist["sgd"][0] == pytest.approx(dist["momentum"][0])  # the same start
    assert dist["momentum"][1] < 0.01 < 0.1 < dist["sgd"][1] < dist["sgd"][0], dist


def test_an_empty_table_draws_a_message(quadratic):
    cfg, paths, _ = quadratic
    fig = oc.paths_chart(paths.iloc[:0], cfg)
    assert not fig.to_dict().get("frames")


def test_the_page_shows_the_timeline_and_offers_the_paths_csv():
    from test_pages import assert_clean, open_page

    query = {"steps": "20", "seeds": "1", "max_updates": "500", "depth": "3", "width": "8", "loss_steps": "10"}
    at = open_page("optimizers", query, every_chart=True)
    assert_clean(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    timelines = [s for s in specs if "step by step" in s["layout"].get("title", {}).get("text", "")]
    assert timelines and [f["name"] for f in timelines[0]["frames"]] == [str(s) for s in range(21)]
    assert "Download CSV: paths" in [b.label for b in at.get("download_button")]
