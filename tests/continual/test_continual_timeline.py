"""Issue 17: the continual page's timeline, the accuracy on each task seen so far as tasks arrive, built from
the curves table (no new table: the frames are its evaluation steps, at most timeline.MAX_FRAMES)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from brainsim import registry
from brainsim.continual import charts as cc
from brainsim.continual import experiment as exp
from brainsim.timeline import MAX_FRAMES

pytestmark = pytest.mark.slow  # two small runs of 3 seeds (~2-5 s each)


def small(seed: int) -> exp.ContinualConfig:
    """Class-incremental split digits, 5 epochs per task: enough for fine-tuning to learn each pair, then forget it."""
    return exp.ContinualConfig(seed=seed, seeds=3, epochs=5, learners=("fine-tuning", "replay"))


@pytest.fixture(scope="module")
def runs():
    return {seed: exp.run(small(seed)) for seed in (0, 3)}


def _frames(curves: pd.DataFrame, cfg) -> tuple[dict, dict[str, list]]:
    fig = cc.tasks_timeline(curves, cfg).to_dict()  # as st.plotly_chart sends it
    return fig, {f["name"]: f["data"] for f in fig["frames"]}


def _synthetic(n_tasks: int, evals: int) -> pd.DataFrame:
    """A curves table of two learners and two seeds: accuracy of task j at evaluation e is a known number."""
    rows = []
    for name in ("fine-tuning", "ewc"):
        for seed in (0, 1):
            for e in range(n_tasks * evals + 1):
                training = max(1, -(-e // evals))
                for task in range(1, n_tasks + 1):
                    acc = (e % 7 + task + seed) / 20 + (0.1 if name == "ewc" else 0.0)
                    rows.append((name, seed, 10 * e, training, task, acc))
    return pd.DataFrame(rows, columns=["learner", "seed", "step", "training_task", "task", "accuracy"])


def test_the_page_draws_the_timeline_from_the_curves_table():
    chart = next(c for c in registry.get("continual").charts if c.build is cc.tasks_timeline)
    assert chart.table == "curves"


def test_one_frame_per_evaluation_with_slider_labels_and_the_last_step_shown(runs):
    cfg, out = small(0), runs[0]
    curves = out["curves"]
    fig, frames = _frames(curves, cfg)
    steps = sorted(curves["step"].unique())
    assert list(frames) == [str(s) for s in steps] and len(steps) <= MAX_FRAMES
    slider = fig["layout"]["sliders"][0]
    assert [s["args"][0][0] for s in slider["steps"]] == list(frames)
    assert slider["active"] == len(steps) - 1
    training = curves.groupby("step")["training_task"].max()
    assert [s["label"] for s in slider["steps"]] == [f"{s}:t{training[s]}" for s in steps]
    assert fig["layout"]["title"]["text"].endswith("mean over 3 seeds")
    # the figure as first drawn is the last frame
    assert [tr["y"] for tr in fig["data"]] == [tr["y"] for tr in frames[str(steps[-1])]]


def test_bars_are_the_seed_mean_of_the_tasks_seen_so_far_and_frames_differ(runs):
    cfg, curves = small(0), runs[0]["curves"]
    _, frames = _frames(curves, cfg)
    mean = curves.groupby(["learner", "step", "task"])["accuracy"].mean()
    training = curves.groupby("step")["training_task"].max()
    for k, name in enumerate(("fine-tuning", "replay")):
        for step, data in frames.items():
            bars, average = data[2 * k], data[2 * k + 1]
            now = training[int(step)]
            expected = [mean[name, int(step), t] if t <= now else None for t in range(1, 6)]
            assert bars["y"] == pytest.approx(expected, nan_ok=True)
            assert bars["marker"]["line"]["width"] == [2.5 if t == now else 0 for t in range(1, 6)]
            assert average["y"][0] == pytest.approx(sum(expected[:now]) / now)
    first, last = frames[min(frames, key=int)], frames[max(frames, key=int)]
    assert first[0]["y"] != last[0]["y"]


def test_axes_are_fixed_across_frames_and_spare_grid_cells_hidden():
    df = _synthetic(n_tasks=3, evals=2)
    fig = cc.tasks_timeline(df, None).to_dict()
    axes = {k: v for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))}
    assert len(axes) == 4  # two learners side by side
    for key, ax in axes.items():
        assert ax["autorange"] is False
        assert ax["range"] == ([0.5, 3.5] if key.startswith("x") else [0, 1.05])


def test_a_long_sequence_is_bounded_by_max_frames_first_and_last_kept():
    df = _synthetic(n_tasks=20, evals=5)  # 101 evaluations
    fig, frames = _frames(df, None)
    names = [int(n) for n in frames]
    assert len(names) == MAX_FRAMES and names[0] == 0 and names[-1] == 1000
    last = frames[str(names[-1])]
    assert len(last[0]["y"]) == 20 and None not in last[0]["y"]  # every task seen by the end
    assert fig["layout"]["title"]["text"].endswith("mean over 2 seeds")
    assert len(cc.tasks_timeline(df[df["seed"] == 1], None).to_dict()["frames"]) == MAX_FRAMES


def test_fine_tuning_forgets_the_first_task_and_replay_keeps_some_of_it(runs):
    """Class-incremental (van de Ven & Tolias 2019), mean over 3 seeds, two seed sets: at the end of task 1 both
    learners know it (≥ 0.85); by the last frame fine-tuning's task-1 bar is ≤ 0.05, replay's ≥ 0.3."""
    for seed, out in runs.items():
        curves = out["curves"]
        _, frames = _frames(curves, small(seed))
        end1 = str(curves.loc[curves["training_task"] == 1, "step"].max())
        last = frames[str(curves["step"].max())]
        assert frames[end1][0]["y"][0] >= 0.85 and frames[end1][2]["y"][0] >= 0.85, seed
        assert last[0]["y"][0] <= 0.05, (seed, last[0]["y"])
        assert last[2]["y"][0] >= 0.3, (seed, last[2]["y"])


def test_an_empty_table_draws_a_message(runs):
    fig = cc.tasks_timeline(runs[0]["curves"].iloc[:0], small(0))
    assert not fig.to_dict().get("frames")
    assert fig.layout.annotations[0].text == "No learner ran."


def test_the_page_shows_the_timeline_and_offers_the_curves_csv():
    from test_pages import assert_clean, open_page

    at = open_page("continual", {"epochs": "1", "seeds": "1"}, every_chart=True)
    assert_clean(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    timelines = [
        s for s in specs if "Accuracy on the tasks seen so far" in s["layout"].get("title", {}).get("text", "")
    ]
    names = [f["name"] for f in timelines[0]["frames"]] if timelines else []
    assert 2 <= len(names) <= MAX_FRAMES and names[0] == "0" and names[-1] == "35"  # 5 tasks × 240 // 32 steps
    assert "Download CSV: curves" in [b.label for b in at.get("download_button")]
