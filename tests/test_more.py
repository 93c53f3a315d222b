"""The "train N more" button (issue 17, Experiment(more=More(...)), brainsim/ui/more.py): pressing it raises the
declared field by its step in the page's widget state, the page reruns the longer run, and the link carries it;
at the field's maximum the value is clamped with one sentence."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from test_live import open_page

from brainsim import config as C
from brainsim import registry
from brainsim.ui import more

ITERATIVE = ("xor", "arena", "working_memory", "continual", "optimizers", "features", "overfitting")


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _charts(at: AppTest) -> list[str]:
    return [json.dumps(json.loads(c.proto.spec)["data"], sort_keys=True) for c in at.get("plotly_chart")]


@pytest.mark.parametrize(
    "name, query",
    [
        ("overfitting", {"epochs": "5", "seeds": "1"}),
        ("arena", {"epochs": "3", "n_samples": "120", "learners": "backprop mlp,delta rule"}),
    ],
)
def test_pressing_the_button_trains_step_more_and_the_link_carries_it(name, query):
    exp = registry.get(name)
    field, step = exp.more.field, exp.more.step
    at = open_page(name, {"exp": name, **query})
    _clean(at)
    before = getattr(C.make(exp.config, {**query}), field)
    key = f"{name}.{field}"
    assert at.session_state[key] == before
    charts = _charts(at)
    button = at.button(key=f"{name}.more")
    assert button.label == f"Train {step} more {exp.more.label}"
    button.click().run()
    _clean(at)
    assert at.session_state[key] == before + step
    assert at.query_params[field] == str(before + step)  # the link reproduces the longer run
    after = _charts(at)
    assert len(after) == len(charts) and after != charts  # the shown results are those of the longer run
    at.button(key=f"{name}.more").click().run()  # and again, from there
    _clean(at)
    assert at.session_state[key] == before + 2 * step and at.query_params[field] == str(before + 2 * step)


def test_at_the_maximum_the_field_is_clamped_with_one_sentence():
    spec = more.field_spec("arena")
    top = int(spec.hi)
    assert more.raised(spec, 3, 10) == (13, None)
    value, sentence = more.raised(spec, top - 4, 10)
    assert value == top and sentence == f"'{spec.label}' is at most {top}; set to {top} instead of {top + 6}."
    assert more.raised(spec, top, 10)[0] == top


def test_the_button_on_a_field_near_its_maximum_clamps_and_says_so():
    spec = more.field_spec("continual")
    top = int(spec.hi)
    at = open_page("continual", {"exp": "continual", "epochs": str(top - 2), "seeds": "1", "scenario": "task"})
    if at.error:  # this config may be over the page's time budget here; clamping is then checked without a run
        pytest.skip("near-maximum config refused on this machine: " + at.error[0].value)
    at.button(key="continual.more").click().run()
    assert at.session_state["continual.epochs"] == top
    assert any("is at most" in i.value for i in at.info)


@pytest.mark.parametrize("name", ITERATIVE)
def test_every_iterative_page_declares_a_field_it_has(name):
    exp = registry.get(name)
    spec = more.field_spec(name)
    assert spec.kind is int and spec.hi is not None and exp.more.step > 0, name
    assert 0 < exp.more.step <= spec.hi - spec.lo
