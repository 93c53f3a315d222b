"""Issue 19's speed-ups change nothing that is shown: a frozen figure sends the same spec, a table drawn from
its cached Arrow form holds the same values, and `list` prints the declared titles without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import plotly.tools
import pytest
from conftest import EXPERIMENTS, ROOT

from brainsim import registry
from brainsim.ui.results import _arrow, freeze


def _figure() -> go.Figure:
    """Arrays of several dtypes, NaN, text, a pandas Series and animation frames: what the pages' figures hold."""
    x = np.linspace(0, 1, 500)
    fig = go.Figure(
        [
            go.Scatter(x=x, y=np.sin(7 * x), name="sine <b>", mode="lines"),
            go.Scatter(x=pd.Series(x[:5]), y=[1.0, float("nan"), 3.0, None, 5.0], text=list("abcde")),
            go.Heatmap(z=np.arange(12, dtype=np.float32).reshape(3, 4), colorscale="Viridis"),
        ],
        frames=[go.Frame(data=[go.Scatter(y=np.arange(4, dtype=np.int64) * k)], name=str(k)) for k in range(3)],
    )
    fig.update_layout(title="τ_e / ms", xaxis_title="x", sliders=[{"steps": [{"label": "0"}]}])
    return fig


def _spec(fig) -> str:
    """The spec string st.plotly_chart writes for `fig` (streamlit.elements.plotly_chart)."""
    return pio.to_json(plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True), validate=False)


def test_a_frozen_figure_sends_the_same_spec_every_time():
    expected = _spec(_figure())
    frozen = freeze(_figure())
    assert isinstance(frozen, go.Figure)
    assert _spec(frozen) == expected
    assert _spec(frozen) == expected  # and again: nothing was consumed or changed by the first call


def test_anything_but_a_plain_figure_passes_through_unchanged():
    other = {"data": [{"type": "bar", "y": [1, 2]}]}
    assert freeze(other) is other


def test_a_table_shown_from_its_arrow_form_holds_the_same_values():
    df = pd.DataFrame(
        {
            "learner": pd.Categorical(["hebbian", "backprop", "hebbian"]),
            "seed": np.array([0, 1, 2], dtype=np.int64),
            "accuracy": [0.5, float("nan"), 0.75],
            "diverged": [False, True, False],
            "note": ["a", None, "c"],
        }
    )
    shown = _arrow(df)
    assert not isinstance(shown, pd.DataFrame)
    pd.testing.assert_frame_equal(shown.to_pandas(), df)
    mixed = pd.DataFrame({"x": [1, "a", 2.5]})  # Arrow refuses it: left to st.dataframe's own fixes
    assert _arrow(mixed) is mixed


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_titles_read_from_the_source_are_the_declared_ones(name):
    exp = registry.get(name)
    assert registry.describe(name) == (exp.title, exp.question)
    card = registry.card(name)
    assert (card.title, card.question, card.icon, card.url_path) == (exp.title, exp.question, exp.icon, exp.url_path)


def _fresh_python(code: str, timeout: int = 180, **env: str) -> list[str]:
    """Run `code` in a fresh interpreter at the project root (nothing imported yet); its stdout lines."""
    env = {**os.environ, "PYTHONPATH": ROOT, **env}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()


def test_the_home_page_imports_no_experiment_nor_torch():
    """The first page after a server start is sent without importing torch or any experiment (seconds of
    imports), nor pandas and what draws an experiment's results (1 s more): the navigation and the home page's
    links read each experiment's card from its source. The background import that follows it is held off here,
    to see what the page itself needed."""
    code = (
        "import sys; from brainsim import prepare; prepare.IDLE_S = 1e9\n"
        "from streamlit.testing.v1 import AppTest\n"
        "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
        "assert not at.exception, at.exception\n"
        "links = at.get('page_link')\n"
        "print(len(links), sorted(m for m in sys.modules if m in ('torch', 'pandas') or m.endswith('.experiment')))"
    )
    assert _fresh_python(code, 120, BRAINSIM_WORKERS="0")[-1] == f"{len(EXPERIMENTS)} []"


def test_list_prints_every_experiment_without_importing_torch():
    code = (
        "import sys; from brainsim import cli; cli.main(['list']); print(sorted({'torch', 'pandas'} & {*sys.modules}))"
    )
    *lines, loaded = _fresh_python(code, 120)
    assert loaded == "[]"
    expected = [f"{n:16s} {registry.get(n).title}: {registry.get(n).question}" for n in EXPERIMENTS]
    assert lines == expected


def test_a_prepared_process_runs_a_first_page_without_loading_the_heavy_modules():
    """prepare.prepare (run in every worker a few seconds after the app's first page) loads what a fresh process's
    first run and figures would otherwise load lazily: torch.optim's torch._dynamo (2.4 s), plotly express's
    narwhals backend, every experiment; a first xor page then took 1.8 s in a worker instead of 7.4 s."""
    code = (
        "import sys\n"
        "from brainsim import config as C, figspecs, prepare, registry\n"
        "prepare.prepare()\n"
        "before = set(sys.modules)\n"
        "exp = registry.get('xor'); cfg = C.make(exp.config, {'seeds': '1', 'epochs': '20'})\n"
        "figspecs.page_figures('xor', C.to_json(cfg), exp.execute(cfg))\n"
        "heavy = ('torch._dynamo', 'narwhals._pandas_like', 'sklearn', 'brainsim.')\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith(heavy)))"
    )
    assert _fresh_python(code)[-1] == "[]"


def test_the_server_collects_no_garbage_after_every_script_and_freezes_what_it_has_loaded():
    """Streamlit's default full collection after every script run walked the 450,000 objects of torch, plotly
    and pandas: 0.45 s of the server's one interpreter lock per run, two runs per link (a cached page took
    0.9 s on the server; 0.08 s without it). The served config turns it off, and a prepared process moves what
    it has loaded out of the collector's reach, so Python's own full collections stay short too."""
    code = (
        "import gc\n"
        "from streamlit import config\n"
        "from brainsim import prepare\n"
        "prepare.prepare('plotly'); prepare.prepare('xor')\n"
        "prepare.prepare('settle')\n"
        "print(config.get_option('runner.postScriptGC'), gc.get_freeze_count() > 10 * len(gc.get_objects()))"
    )
    assert _fresh_python(code)[-1] == "False True"


def test_figures_a_worker_builds_are_the_spec_the_server_would_send():
    """A page's figures are built in the worker after its run (brainsim.figspecs) and sent as they are: each
    must be the spec the server would make from the same tables and config, through st.plotly_chart's path."""
    from brainsim import config as C
    from brainsim import workers
    from brainsim.ui.results import prebuilt

    exp = registry.get("arena")
    cfg = C.make(exp.config, {"epochs": "3", "seeds": "1", "seed": "31"})
    job = workers.submit("arena", C.to_json(cfg), figures=True)
    try:
        tables, figures = job.result(), job.figures()
    finally:
        job.release()
    opened = [i for i, is_open in exp.first_look(tables).items() if is_open]
    assert len(figures) == len(exp.charts) and [i for i, f in enumerate(figures) if f is not None] == opened
    assert len(opened) >= 2  # the charts the page opens with; the folded ones are built if a user opens them
    for chart, plain in zip(exp.charts, figures):
        if plain is not None:
            assert _spec(prebuilt(plain)) == _spec(freeze(chart.build(tables[chart.table], cfg))), chart.title


def test_a_fresh_page_takes_its_figures_from_the_worker_not_from_the_server(monkeypatch):
    """The server builds no figure of a fresh config itself: the page opens with the worker's (AppTest, whose
    page script runs in this process; the run and the figures in a worker process). A fold opened later is
    built here, once."""
    from test_pages import assert_clean, open_page

    from brainsim.ui import results

    built = []
    real = results.freeze
    monkeypatch.setattr(results, "freeze", lambda fig: built.append(fig) or real(fig))
    at = open_page("xor", {"exp": "xor", "epochs": "30", "seeds": "1", "seed": "9173"})
    assert_clean(at)
    assert len(at.get("plotly_chart")) == 2
    assert built == [], f"{len(built)} figures built on the server"
    at.session_state[results.chart_key("xor", 4)] = True  # "Timeline: the network", folded until now
    at.run()
    at.run()  # a cached rerun builds nothing more
    assert len(at.get("plotly_chart")) == 3 and len(built) == 1, len(built)


def test_folded_sections_are_sent_only_when_opened():
    """Equations, the longer notes and the tables no chart draws wait in folds, and a folded chart is neither
    built nor sent (issue 19: the browser drew every one on every visit); opening a fold draws what it holds."""
    from test_pages import assert_clean, open_page

    from brainsim.ui.results import chart_key

    query = {"exp": "xor", "epochs": "30", "seeds": "1", "seed": "9174"}
    at = open_page("xor", query)
    assert_clean(at)
    folds = {e.label: e.proto.expanded for e in at.expander}
    assert folds["Equations and references"] is False and not at.get("latex")
    assert folds["Timeline: the network"] is False
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert not any("network while training" in t for t in titles)
    at.session_state["xor.fold.equations"] = True
    at.session_state[chart_key("xor", 4)] = True  # "Timeline: the network"
    at.run()
    assert_clean(at)
    assert len(at.get("latex")) == len(registry.get("xor").equations)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("network while training" in t for t in titles)
