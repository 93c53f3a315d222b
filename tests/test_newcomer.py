"""What a newcomer meets in the first minutes (issue 11), through AppTest and the export functions: the global
seed and device across pages, number boxes that refuse a bad entry aloud, headline numbers short enough not
to be cut, own data under the task choice, one download per table with a config hash, CSV floats without
float32 noise, a deterministic zip that holds what the CLI writes, and every page's teacher notes.
(tests/test_browser.py checks the same items in a real Chromium.)"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import EXPERIMENTS, ROOT, default_tables
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from test_pages import TIMEOUT, assert_clean, open_page

from brainsim import cli, registry
from brainsim import config as C
from brainsim.export import config_hash, csv_bytes, file_name, float_text, zip_bytes
from brainsim.ui.results import DETAILS

APP = os.path.join(ROOT, "app.py")


def _go(at: AppTest, url_path: str) -> AppTest:
    """Open another page of app.py's navigation in the same session, as its sidebar link does (AppTest's own
    switch_page reaches file pages only; st.Page names a page by the hash of its address)."""
    at._page_hash = calc_hash(url_path)
    at.query_params.clear()  # a navigation link carries no query
    return at.run()


# --------------------------------------------------------------------------- 1. global seed and device


def test_seed_and_device_set_on_home_hold_on_every_page_and_in_its_url():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.sidebar.number_input(key="global.seed").set_value(5).run()
    at.sidebar.selectbox(key="global.device").set_value("cpu").run()
    assert_clean(at)
    assert (at.query_params["seed"], at.query_params["device"]) == ("5", "cpu")  # the home page's URL
    _go(at, registry.get("xor").url_path)
    assert_clean(at)
    assert at.title[0].value == registry.get("xor").title
    assert at.sidebar.number_input(key="global.seed").value == 5
    assert at.sidebar.selectbox(key="global.device").value == "cpu"
    assert (at.query_params["seed"], at.query_params["device"]) == ("5", "cpu")
    assert any("--set seed=5" in c.value and "--set device=cpu" in c.value for c in at.code)  # the run's config
    _go(at, registry.get("memory").url_path)
    assert at.sidebar.number_input(key="global.seed").value == 5
    _go(at, "")  # home again
    assert (at.query_params["seed"], at.query_params["device"]) == ("5", "cpu")


def test_a_home_link_sets_the_seed_and_device():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params.update({"seed": "7", "device": "cpu"})
    at.run()
    assert_clean(at)
    assert at.sidebar.number_input(key="global.seed").value == 7
    assert at.sidebar.selectbox(key="global.device").value == "cpu"


# --------------------------------------------------------------------------- 3. number boxes


def test_an_empty_or_out_of_range_number_is_refused_in_one_sentence_and_the_last_value_stays():
    at = open_page("xor")
    box = at.sidebar.number_input(key="xor.lr")
    assert box.label == "MLP learning rate (0.0001 to 100)"  # the range is in the label, not only the tooltip
    assert at.sidebar.number_input(key="global.seed").label == "seed (0 to 2147483647)"
    box.set_value(None).run()
    errors = [e.value for e in at.sidebar.error]
    assert errors == ["'MLP learning rate' was left empty: enter a number from 0.0001 to 100 (kept 0.05)."]
    assert at.sidebar.number_input(key="xor.lr").value == 0.05 and at.query_params["lr"] == "0.05"
    at.sidebar.number_input(key="xor.lr").set_value(1e6).run()
    errors = [e.value for e in at.sidebar.error]
    assert errors == ["'MLP learning rate' cannot be 1e+06: enter a number from 0.0001 to 100 (kept 0.05)."]
    assert at.sidebar.number_input(key="xor.lr").value == 0.05
    at.sidebar.number_input(key="xor.lr").set_value(0.2).run()
    assert not at.sidebar.error and at.query_params["lr"] == "0.2"
    at.sidebar.number_input(key="global.seed").set_value(-1).run()
    assert [e.value for e in at.sidebar.error] == [
        "'seed' cannot be -1: enter an integer from 0 to 2147483647 (kept 0)."
    ]
    assert not at.exception


def test_sliders_state_their_range_in_the_label():
    at = open_page("arena")
    assert at.sidebar.slider(key="arena.noise").label == "noise (0 to 1)"
    assert at.sidebar.slider(key="arena.epochs").label == "epochs (1 to 200)"


# --------------------------------------------------------------------------- 4. headline numbers

_SHORT_VALUE = re.compile(r"[<>≥≤×+−-]? ?\d[\d.,]*(%| s)?|–")


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_headline_values_are_short_numbers_and_words_go_in_labels_or_captions(name):
    exp = registry.get(name)
    cfg = exp.config()
    items = exp.metrics(default_tables(name), cfg)
    assert len(items) >= 2
    for label, value, *caption in items:
        assert _SHORT_VALUE.fullmatch(value) and len(value) <= 8, (label, value)
        assert not re.fullmatch(r"[-−+]0(\.0+)?%?", value), (label, value)  # "-0.00" reads "0.00"
        assert len(label) <= 24, label  # one line in a metric box at 1024 px
        assert len(caption) <= 1 and all(len(c) <= 60 for c in caption), caption


# --------------------------------------------------------------------------- 8. own data

CSV = "a,b,label\n" + "".join(f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}\n" for i in range(80))


def test_choosing_csv_text_puts_its_box_under_the_task_and_hides_what_does_not_apply():
    at = open_page("arena")
    assert {s.key for s in at.sidebar.slider} >= {"arena.noise", "arena.n_samples"}
    assert not at.sidebar.get("text_area")  # no data box while a 2-D task is chosen
    at.sidebar.selectbox(key="arena.task").set_value("csv text").run()
    assert not at.exception
    box = at.sidebar.text_area(key="arena.csv_text")
    assert box.label == "CSV text"
    advanced = [e for e in at.sidebar.expander if e.label == "Advanced"]
    assert all(not e.get("text_area") for e in advanced)  # not folded away in Advanced
    assert not {"arena.noise", "arena.n_samples"} & {s.key for s in at.sidebar.slider}
    uploads = [u.label for u in at.sidebar.get("file_uploader")]
    assert "Load CSV text from a file (up to 200,000 characters)" in uploads
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "the box 'CSV text' under the task" in errors[0], errors
    box.set_value(CSV).run()
    assert_clean(at)
    assert len(at.get("plotly_chart")) >= 1
    assert at.query_params["task"] == "csv text" and at.query_params["noise"] == "0.1"  # kept, only hidden


def test_shown_when_fields_keep_their_value_while_hidden():
    at = open_page("arena", {"exp": "arena", "noise": "0.3", "epochs": "2", "learners": "delta rule"})
    at.sidebar.selectbox(key="arena.task").set_value("digits").run()
    assert "arena.noise" not in {s.key for s in at.sidebar.slider}
    at.sidebar.selectbox(key="arena.task").set_value("moons").run()
    assert_clean(at)
    assert at.sidebar.slider(key="arena.noise").value == 0.3


# --------------------------------------------------------------------------- 9. exports


def test_floats_are_written_without_float32_noise():
    assert float_text(float(np.float32(0.5) - np.float32(6e-8))) == "0.5"  # 0.4999999403953552
    assert float_text(float(np.float32(0.1))) == "0.1"  # 0.10000000149011612
    assert float_text(1 / 3) == "0.333333" and float_text(1.23456789e-5) == "1.23457e-05"
    assert float_text(12345678.0) == "12345678.0" and float_text(300.0) == "300.0"  # whole numbers exact
    assert float_text(-0.0) == "0.0" and float_text(-1e-300) == "-1e-300" and float_text(math.inf) == "inf"
    df = pd.DataFrame({"learner": ["a", "b"], "step": [1, 2], "recall": np.array([0.49999994, np.nan], np.float32)})
    assert csv_bytes(df) == b"learner,step,recall\na,1,0.5\nb,2,\n"


def test_file_names_carry_the_experiment_table_and_a_config_hash():
    exp = registry.get("arena")
    base, moons = exp.config(), C.make(exp.config, {"task": "moons", "seed": 7})
    names = {file_name("arena", "curves", cfg) for cfg in (base, moons)}
    assert len(names) == 2 and all(re.fullmatch(r"arena_curves_[0-9a-f]{6}\.csv", n) for n in names)
    assert file_name("arena", "curves", base) == file_name("arena", "curves", exp.config())  # same config, same name


def test_the_zip_holds_every_table_and_config_json_as_the_cli_writes_them(tmp_path):
    exp = registry.get("xor")
    cfg = C.make(exp.config, {"seeds": 2, "epochs": 20, "seed": 3})
    tables = exp.run(cfg)
    data = zip_bytes("xor", cfg, tables)
    assert zip_bytes("xor", cfg, tables) == data  # fixed timestamps: the same bytes every time
    out = tmp_path / "out"
    sets = ["--set", "seeds=2", "--set", "epochs=20", "--set", "seed=3"]
    assert cli.main(["run", "xor", *sets, "--out", str(out), "--quiet"]) == 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        files = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}
        assert {n.split("/", 1)[0] for n in zf.namelist()} == {f"xor_{config_hash('xor', cfg)}"}
    assert set(files) == {f"{t}.csv" for t in tables} | {"config.json"}
    written = json.loads((out / "config.json").read_bytes())
    assert json.loads(files["config.json"]) == {k: v for k, v in written.items() if k != "threads"}
    for t in tables:
        if t != "timing":  # wall-clock seconds differ between two runs
            assert files[f"{t}.csv"] == (out / f"{t}.csv").read_bytes(), t


# --------------------------------------------------------------------------- teacher notes


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_page_has_a_short_intro_and_a_what_to_look_for_list(name):
    head = registry.get(name).notes.partition(DETAILS)[0].strip()
    intro, marker, rest = head.partition("**What to look for**")
    assert marker, f"{name}: no 'What to look for' list"
    intro = intro.strip()
    assert 0 < len(intro) <= 230 and intro.count("\n") <= 2, f"{name}: intro of {len(intro)} characters"
    bullets = [line for line in rest.strip().splitlines() if line.startswith("- ")]
    assert len(bullets) >= 3, name


def test_raw_symbols_in_captions_are_rendered_or_explained():
    charts = {c.title: c.caption for c in registry.get("working_memory").charts}
    assert "c_value^T" not in charts["Fast-weight store snapshots"] and "$c_{" in charts["Fast-weight store snapshots"]
    assert "step:input" in charts["Hidden state over one sequence"] and "go" in charts["Hidden state over one sequence"]
