"""Every page through streamlit's AppTest: defaults, a changed widget, a link, bad input.

app.py builds its navigation from the registry with callable pages, and AppTest.switch_page only
reaches file pages; so a page is opened through PAGE_SCRIPT, which draws what app.py's navigation
runs for it (ui.experiment_page), in one AppTest session whose "test.page" chooses the page.
"""

from __future__ import annotations

import os

import pytest
from conftest import EXPERIMENTS, ROOT, open_every_chart
from streamlit.testing.v1 import AppTest

from brainsim import config as C
from brainsim import registry

APP = os.path.join(ROOT, "app.py")
TIMEOUT = 180
# The addresses pages had before the registry built the navigation: shared links must keep working.
URLS = {
    "xor": "single_neuron",
    "memory": "memory_reinforcement",
    "arena": "learning_rules_arena",
    "hopfield": "associative_memory",
    "working_memory": "working_memory",
    "continual": "continual_learning",
    "optimizers": "gradient_vs_perturbation",
    "features": "receptive_fields",
    "overfitting": "overfitting",
}


def page_script():
    import streamlit as st

    from brainsim import runtime, ui

    runtime.configure()
    ui.experiment_page(st.session_state["test.page"])


def open_page(name: str, query: dict | None = None, every_chart: bool = False) -> AppTest:
    """The page as a link with `query` opens it; with every chart unfolded when `every_chart`."""
    at = AppTest.from_function(page_script, default_timeout=TIMEOUT)
    at.session_state["test.page"] = name
    if every_chart:
        open_every_chart(at, name)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def switch_page(at: AppTest, name: str) -> AppTest:
    at.session_state["test.page"] = name
    return at.run()


def assert_clean(at: AppTest, allow_errors: bool = False) -> None:
    assert not at.exception, [e.message for e in at.exception]
    if not allow_errors:
        assert not at.error, [e.value for e in at.error]


def test_home_lists_every_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown)
    for question in (
        "learn AND/OR but not XOR",
        "spacing and reward",
        "feedback-alignment",
        "Hopfield",
        "fast weights",
    ):
        assert question in text
    links = {link.proto.page: link.value for link in at.get("page_link")}
    assert links == {registry.get(n).url_path: registry.get(n).title for n in EXPERIMENTS}


def test_every_experiment_keeps_its_page_address():
    assert {n: registry.get(n).url_path for n in EXPERIMENTS} == URLS
    for name in EXPERIMENTS:
        assert registry.get(name).icon.startswith(":material/"), name


def _changed_value(spec: C.FieldSpec):
    """A different valid value for a field's widget (first choice that is not the default)."""
    return next(c for c in spec.choices if c != spec.default)


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_page_defaults_then_changed_widget(name):
    at = open_page(name)
    assert_clean(at)
    exp = registry.get(name)
    assert at.title[0].value == exp.title
    titles = [c.title for c in exp.charts]
    folds = {e.label: e.proto.expanded for e in at.expander if e.label in titles}  # a fold per chart with data
    marked = {c.title for c in exp.charts if c.expanded and c.title in folds} or {next(iter(folds))}
    assert {t for t, opened in folds.items() if opened} == marked  # the first look: what the experiment marks
    assert len(at.get("plotly_chart")) == len(marked) < len(folds)  # only open charts are drawn
    open_every_chart(at, name).run()
    assert len(at.get("plotly_chart")) == len(folds)
    labels = [b.label for b in at.get("download_button")]
    csv = [label.removeprefix("Download CSV: ") for label in labels if label.startswith("Download CSV")]
    assert len(csv) == len(set(csv)) and set(csv) >= {c.table for c in exp.charts}  # one button per table
    assert "Download config (JSON)" in labels and "Download all (zip)" in labels
    assert at.query_params["exp"] == name
    # one changed sidebar widget: the first selectbox-style field (or, failing that, the seed)
    spec = next((s for s in C.specs(exp.config) if s.kind is str and s.choices and not s.is_global), None)
    if spec is not None:
        at.sidebar.selectbox(key=f"{name}.{spec.name}").set_value(_changed_value(spec)).run()
        assert at.query_params[spec.name] == _changed_value(spec)
    else:
        at.sidebar.number_input(key="global.seed").set_value(1).run()
        assert at.query_params["seed"] == "1"
    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 1


def test_link_reproduces_the_run():
    at = open_page("xor", {"exp": "xor", "task": "and", "seeds": "2", "epochs": "40", "seed": "5"})
    assert_clean(at)
    assert at.sidebar.selectbox(key="xor.task").value == "and"
    assert at.sidebar.number_input(key="global.seed").value == 5
    summary = at.dataframe[0].value
    assert summary["seeds"].tolist() == [2, 2, 2]
    assert (summary["final_train_accuracy_mean"] == 1.0).all()


def test_bad_link_value_is_one_error_and_the_rest_applies():
    at = open_page("xor", {"exp": "xor", "task": "nand", "epochs": "40"})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "Field 'task'" in errors[0] and "ignored" in errors[0]
    assert at.sidebar.slider(key="xor.epochs").value == 40
    assert at.sidebar.selectbox(key="xor.task").value == "xor"


def _other_value(spec: C.FieldSpec):
    """A valid value for a field, different from its default, as a link would carry it."""
    if spec.choices:
        return C.format_value(_changed_value(spec) if spec.kind is str else spec.choices[:1])
    if spec.kind is bool:
        return C.format_value(not spec.default)
    if spec.lo != spec.default:  # the smallest value: the quickest run
        return C.format_value(spec.kind(spec.lo))
    return C.format_value(spec.lo + 1 if spec.kind is int else (spec.lo + spec.hi) / 2)


def test_link_with_a_field_renamed_since_applies():
    """A link shared before a field was renamed (a config's RENAMED) sets today's field, silently."""
    renamed = [
        (n, old, new) for n in EXPERIMENTS for old, new in getattr(registry.get(n).config, "RENAMED", {}).items()
    ]
    if not renamed:
        pytest.skip("no experiment has renamed a field")
    name, old, new = renamed[0]
    spec = C.spec_map(registry.get(name).config)[new]
    value = _other_value(spec)
    at = open_page(name, {"exp": name, old: value})
    assert_clean(at)
    widget = at.session_state[f"{name}.{new}"]
    assert C.format_value(tuple(widget) if isinstance(widget, list) else widget) == value
    assert old not in at.query_params and at.query_params[new] == value


def test_invalid_setting_keeps_last_good_results():
    at = open_page("xor")
    assert_clean(at)
    before = at.dataframe[0].value.copy()
    at.sidebar.multiselect(key="xor.learners").set_value([]).run()
    assert not at.exception
    assert any("at least one learner" in e.value for e in at.error)
    assert at.dataframe[0].value.equals(before)  # last good results still shown
    assert any("last valid run" in i.value for i in at.info)


def test_settings_survive_a_page_switch():
    at = open_page("xor")
    at.sidebar.selectbox(key="xor.task").set_value("or").run()
    switch_page(at, "memory")
    assert_clean(at)
    assert at.title[0].value == registry.get("memory").title
    switch_page(at, "xor")
    assert at.sidebar.selectbox(key="xor.task").value == "or"


def test_config_upload_restores_every_widget():
    at = open_page("xor")
    exp = registry.get("xor")
    cfg = C.make(
        exp.config,
        {
            "task": "or",
            "epochs": 60,
            "seeds": 3,
            "learners": ["backprop mlp"],
            "hidden": 6,
            "seed": 9,
            "batch_size": 16,
        },
    )
    upload = at.sidebar.get("file_uploader")[0]
    upload.set_value(("xor_config.json", C.to_json(cfg, experiment="xor").encode(), "application/json"))
    at.run()
    assert_clean(at)
    for spec in C.specs(exp.config):
        key = f"global.{spec.name}" if spec.is_global else f"xor.{spec.name}"
        value = at.session_state[key]
        expected = getattr(cfg, spec.name)
        assert (tuple(value) if isinstance(value, list) else value) == expected, spec.name
    assert at.dataframe[0].value["seeds"].tolist() == [3]


@pytest.mark.parametrize(
    "payload, fragment",
    [
        (b"{broken", "not valid JSON"),
        (b'{"experiment": "hopfield"}', "is for experiment 'hopfield'"),
        (b'{"epochs": 999999}', "Field 'epochs'"),
    ],
)
def test_bad_config_upload_is_one_error_and_loses_nothing(payload, fragment):
    at = open_page("xor")
    at.sidebar.selectbox(key="xor.task").set_value("and").run()
    before = at.dataframe[0].value.copy()
    at.sidebar.get("file_uploader")[0].set_value(("bad.json", payload, "application/json"))
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and fragment in errors[0]
    assert at.sidebar.selectbox(key="xor.task").value == "and"
    assert at.dataframe[0].value.equals(before)


def test_cuda_choice_without_a_gpu_warns_and_runs_on_cpu():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    at = open_page("xor", {"exp": "xor", "device": "cuda", "epochs": "30", "seeds": "2"})
    assert not at.exception and not at.error
    assert any("no CUDA GPU" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) >= 1
