"""One server, many users (issue 20): configs refused up front when their fields cannot go together, a
failing run that ends as one sentence with the last good results kept, links applied as one config,
the thread count recorded, runs in worker processes shared by every session (cancelled when nobody waits),
and 8 browser sessions at once."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pytest
from conftest import EXPERIMENTS
from test_pages import assert_clean, open_page

from brainsim import cli, cost, registry, runtime, workers
from brainsim import config as C
from brainsim.config import ConfigError
from brainsim.export import csv_bytes

CHEAP_S = 1.0  # estimated seconds of one sampled config (the fixed part of a run is 0.1-0.5 s)
SAMPLES = 5  # sampled configs that run, per experiment


def _draw(spec: C.FieldSpec, r: random.Random):
    """A value within the field's declared range or choices (log-uniform over wide positive ranges)."""
    if spec.kind is bool:
        return r.random() < 0.5
    if spec.kind is tuple:
        if spec.choices:
            return tuple(c for c in spec.choices if r.random() < 0.5) or (r.choice(spec.choices),)
        item = C.FieldSpec(
            spec.name, spec.item_kind, spec.default[0] if spec.default else 0, "", "", lo=spec.lo, hi=spec.hi
        )
        return tuple(sorted({_draw(item, r) for _ in range(r.randint(0, 4))}))
    if spec.choices:
        return r.choice(spec.choices)
    if spec.kind is str or spec.lo is None or spec.hi is None:
        return spec.default
    lo, hi = float(spec.lo), float(spec.hi)
    x = math.exp(r.uniform(math.log(lo), math.log(hi))) if lo > 0 and hi / lo > 20 else r.uniform(lo, hi)
    return int(round(min(max(x, lo), hi))) if spec.kind is int else x


def _cheapened(exp, values: dict, specs: list[C.FieldSpec]):
    """The config of `values`, its integer sizes (epochs, units, seeds ...) halved toward their minimum until
    the estimate is cheap; raises ConfigError when a step is refused."""
    sizes = [s for s in specs if s.kind is int and s.lo is not None]
    for _ in range(16):
        cfg = C.make(exp.config, values)
        if (cost.estimate(exp, cfg) or 0.0) <= CHEAP_S:
            return cfg
        for s in sizes:
            v = getattr(cfg, s.name)
            values[s.name] = int(s.lo) + (v - int(s.lo)) // 2
    return None


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_sampled_configs_are_refused_up_front_or_run(name):
    """Random configs within the declared ranges, several fields drawn together and the sizes then shrunk
    until cheap (cost estimate): each raises ConfigError at construction (one sentence) or runs without an
    exception."""
    exp, r = registry.get(name), random.Random(20)
    specs = [s for s in C.specs(exp.config) if not s.is_global and s.widget not in ("file", "text")]
    ran = refused = tried = 0
    while ran < SAMPLES and tried < 400:
        tried += 1
        picked = r.sample(specs, k=min(len(specs), r.randint(2, 8)))
        values = {s.name: _draw(s, r) for s in picked} | {"seed": r.randrange(1000), "device": "cpu"}
        try:
            cfg = _cheapened(exp, values, specs)
        except ConfigError as exc:
            assert "\n" not in str(exc) and str(exc).strip(), values
            refused += 1
            continue
        if cfg is None:
            continue
        if exp.validate_inputs:
            exp.validate_inputs(cfg)
        tables = exp.run(cfg)
        assert tables and all(len(df.columns) for df in tables.values()), values
        ran += 1
    assert ran == SAMPLES, f"only {ran} cheap configs among {tried} draws ({refused} refused)"


def test_arena_split_without_a_test_sample_per_class_is_refused_up_front():
    """The issue's link: 20 blobs at train_fraction 0.9 leave 2 test samples for 3 classes (sklearn raised)."""
    exp = registry.get("arena")
    with pytest.raises(ConfigError, match="n_samples.*train_fraction"):
        C.make(exp.config, {"task": "blobs", "n_samples": 20, "train_fraction": 0.9})
    ok = C.make(exp.config, {"task": "blobs", "n_samples": 40, "train_fraction": 0.9, "epochs": 2})
    exp.validate_inputs(ok)
    at = open_page("arena", {"exp": "arena", "task": "blobs", "n_samples": "20", "train_fraction": "0.9"})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "train_fraction" in errors[0] and "link was ignored" in errors[0]


@pytest.fixture
def threads_pool(monkeypatch):
    """Runs on threads of this process (BRAINSIM_WORKERS=0) for this test, so a patched run is the one used."""
    for attr in ("_POOL", "_MODE", "_SINK", "_CANCELLED"):
        monkeypatch.setattr(workers, attr, getattr(workers, attr))
    monkeypatch.setattr(workers, "_POOL", None)
    monkeypatch.setenv(workers.WORKERS_ENV, "0")
    assert workers.mode() == "threads"


def test_a_failing_run_is_one_sentence_keeps_the_last_results_and_the_next_rerun_works(threads_pool, monkeypatch):
    import brainsim.xor.experiment as xor_experiment

    good = xor_experiment.EXPERIMENT
    at = open_page("xor", {"exp": "xor", "epochs": "20", "seeds": "2"})
    assert_clean(at)
    before = at.dataframe[0].value.copy()

    def boom(cfg, progress=None):
        raise ValueError("The test_size = 2 should be greater or equal to the number of classes = 3")

    monkeypatch.setattr(xor_experiment, "EXPERIMENT", dataclasses.replace(good, run=boom))
    at.sidebar.number_input(key="global.seed").set_value(7).run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The run failed (ValueError") and "\n" not in errors[0]
    assert at.dataframe[0].value.equals(before)  # the last good results stay
    assert any("last valid run" in i.value for i in at.info)
    monkeypatch.setattr(xor_experiment, "EXPERIMENT", good)
    at.sidebar.number_input(key="global.seed").set_value(8).run()
    assert_clean(at)  # the next rerun works
    assert at.query_params["seed"] == "8"


def test_an_input_check_that_crashes_is_one_sentence(monkeypatch):
    import brainsim.arena.experiment as arena_experiment

    good = arena_experiment.EXPERIMENT

    def boom(cfg):
        raise IndexError("index 3 is out of bounds")

    monkeypatch.setattr(arena_experiment, "EXPERIMENT", dataclasses.replace(good, validate_inputs=boom))
    at = open_page("arena", {"exp": "arena", "epochs": "3", "seed": "11"})
    assert not at.exception
    assert [e.value for e in at.error] == ["Reading the inputs failed (IndexError: index 3 is out of bounds)."]


# --------------------------------------------------------------------------- links


def test_link_setting_related_fields_applies_as_one_config():
    """Working memory: vocab, pairs and pairs_list only fit together (pairs <= vocab, max(pairs_list) <= vocab)."""
    query = {"exp": "working_memory", "vocab": "32", "pairs": "32", "pairs_list": "1,32", "steps": "5"}
    query |= {"learners": "feedforward,fast weights", "seeds": "1", "delays": "2"}
    at = open_page("working_memory", query)
    assert_clean(at)
    assert (at.session_state["working_memory.vocab"], at.session_state["working_memory.pairs"]) == (32, 32)
    assert at.query_params["pairs_list"] == "1,32"


def test_link_over_the_defaults_not_the_current_widgets():
    """A link with n_patterns 60 at n_neurons 80 applies although the current widgets hold n_neurons 30."""
    at = open_page("hopfield", {"exp": "hopfield", "n_neurons": "30", "n_patterns": "5", "learners": "hebbian"})
    assert_clean(at)
    at.query_params.clear()
    for k, v in {"exp": "hopfield", "n_neurons": "80", "n_patterns": "60", "learners": "hebbian,storkey"}.items():
        at.query_params[k] = v
    at.run()
    assert_clean(at)
    assert (at.session_state["hopfield.n_neurons"], at.session_state["hopfield.n_patterns"]) == (80, 60)


def test_another_pages_link_is_one_sentence():
    at = open_page("xor", {"exp": "hopfield", "n_neurons": "80"})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "Associative memory" in errors[0] and "not applied" in errors[0]


def test_link_with_a_server_path_says_the_app_does_not_read_it():
    at = open_page("arena", {"exp": "arena", "task": "local file", "file_path": "/etc/passwd"})
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("names a file this app does not offer" in e for e in errors), errors
    assert at.session_state["arena.task"] != "local file"


CSV = "x1,x2,label\n" + "".join(f"{i % 7 / 7:.3f},{i % 5 / 5:.3f},{i % 2}\n" for i in range(40))


def test_link_carries_pasted_csv_text_up_to_the_limit():
    from brainsim.ui.links import LINK_MAX_CHARS

    assert len(CSV) <= LINK_MAX_CHARS
    at = open_page("arena", {"exp": "arena", "task": "csv text", "csv_text": CSV, "epochs": "3"})
    assert_clean(at)
    assert at.session_state["arena.csv_text"] == CSV and at.query_params["csv_text"] == CSV


def test_pasted_text_too_long_for_a_link_is_named_when_the_link_is_opened():
    from brainsim.ui.links import LINK_MAX_CHARS

    long_csv = CSV + "".join(f"{i % 3 / 3:.3f},{i % 11 / 11:.3f},{i % 2}\n" for i in range(LINK_MAX_CHARS // 10))
    at = open_page("arena", {"exp": "arena", "task": "csv text", "csv_text": long_csv, "epochs": "3"})
    assert_clean(at)  # applied from this (long) link, but the address bar cannot carry it
    shared = {k: at.query_params[k] for k in at.query_params}
    assert "csv_text" not in shared and shared["omitted"] == "csv_text"
    reopened = open_page("arena", shared)
    errors = [e.value for e in reopened.error]
    assert any("could not carry 'csv_text'" in e for e in errors), errors


# --------------------------------------------------------------------------- threads


def test_config_json_and_timing_record_the_thread_count(tmp_path):
    assert cli.main(["run", "xor", "--quiet", "--set", "epochs=5", "--set", "seeds=1", "--out", str(tmp_path)]) == 0
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["threads"] == runtime.threads() == 1
    assert C.from_json(registry.get("xor").config, json.dumps(saved)).epochs == 5  # a record, not a field
    assert "threads" in (tmp_path / "timing.csv").read_text().splitlines()[0].split(",")


# --------------------------------------------------------------------------- worker processes


def test_worker_runs_are_the_clis_bytes():
    exp = registry.get("xor")
    cfg = C.make(exp.config, {"epochs": 30, "seeds": 2, "seed": 4})
    job = workers.submit("xor", C.to_json(cfg))
    try:
        assert job.wait(120)
        tables = job.result()
    finally:
        job.release()
    assert workers.mode() == "processes"
    local = exp.execute(cfg)
    for table, df in local.items():
        if table != "timing":
            assert csv_bytes(tables[table]) == csv_bytes(df), table


def test_equal_runs_are_shared_and_the_last_waiter_cancels():
    exp = registry.get("working_memory")
    cfg = C.make(exp.config, {"steps": 1000, "seeds": 5, "learners": ["lstm"], "seed": 99})
    first = workers.submit("working_memory", C.to_json(cfg))
    second = workers.submit("working_memory", C.to_json(cfg))
    assert first is second and first.waiters == 2
    first.release()
    assert not first.future.done() and not first.future.cancelled()
    deadline = 0
    while first.progress()[0] <= 0.0 and deadline < 600:  # running and reporting progress
        first.wait(0.1)
        deadline += 1
    second.release()
    assert first.wait(30), "a cancelled run should stop at its next progress report"
    with pytest.raises(workers.RunFailed, match="cancelled"):
        first.result()


# --------------------------------------------------------------------------- 8 browser sessions at once


# What the test asserts is that every session ends (no hang) with its own bytes, not how fast: the burst costs
# about 230 CPU-seconds (most of it the 8 Chromium pages drawing), 115 s on an idle 2-core machine, and CI runs
# it while the suite's other worker holds a core (it took over 240 s there once, stop 24).
BURST_TIMEOUT_S = 420


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.xdist_group("browser")
@pytest.mark.timeout(1200)  # the burst, downloads and three cached pages, each bounded by BURST_TIMEOUT_S
def test_eight_sessions_at_once_get_their_own_results(tmp_path):
    """8 Playwright contexts open 8 pages with small runs at the same moment: each settles with no error and
    downloads the CLI's bytes for its own config (no cross-talk), and the server with its workers stays under
    4 GB. The times (burst, a cached page during another session's long run) are printed here and by
    `make bench`, not asserted: these machines are shared and noisy."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from benchmarks import bench_burst as B

    def check(s) -> None:  # while the other sessions stay open
        assert s.settled is not None, f"{s.name} {s.query} did not settle in {BURST_TIMEOUT_S} s"
        assert s.page.locator("[data-testid='stException']").count() == 0, s.name
        assert s.page.locator("[data-testid='stAlertContentError']").count() == 0, s.name
        file_name, data = B.download_first_table(s, str(tmp_path))
        table, expected = B.cli_bytes(s.name, s.query, file_name)
        assert data == expected, f"{s.name} {s.query}: {table} differs from the CLI"

    with B.server() as (url, proc), sync_api.sync_playwright() as pw:
        browser = B.launch(pw.chromium)
        figures = B.burst(browser, url, proc, check, timeout_s=BURST_TIMEOUT_S)
        browser.close()
    print(f"8-session burst settled in {max(figures['settle_s']):.1f} s; cached page ", end="")
    print(f"{B._num(figures['cached_idle_s'])} s idle, {B._num(figures['cached_during_long_s'])} s during a long run; ")
    print(f"server RSS with its workers {figures['rss_burst_mb']:.0f} MB; " + B.cpu_text(figures["cpu_burst_s"]))
    # Times are benchmark figures, not assertions (`python -m benchmarks burst`; the closing note of issues 13
    # and 20 gives them: on an idle 2-core machine the cached page took 40 s during a long run against 6.5 s
    # idle, so the target is not met yet). Memory is bounded here: 8 sessions must not exhaust the machine.
    assert figures["rss_burst_mb"] < 4000, figures["rss_burst_mb"]


@pytest.mark.slow
def test_a_cached_page_does_not_wait_for_another_sessions_run():
    """The server's part of issue 13 §4 and 20.5, on `streamlit run` with no browser (websocket sessions): the
    8-session burst's scripts all finish, and while one session's run computes (in a worker, its live curve drawn
    on the server) other sessions' cached pages finish their scripts. An ordering, not a timing: the long run
    must still be in flight when every cached page is done (it is ~15 s of work, a cached page under 1 s;
    `make bench` prints the times)."""
    from benchmarks import bench_burst as B

    long_run = ("working_memory", {"seed": "7373"})  # the default config (~15 s) on a seed no other test runs
    with B.server() as (url, _):
        figures = B.server_side(url, runs=B.BURST[:4], long_run=long_run, repeats=2)
    assert len(figures["session_s"]) == 4 and all(figures["in_flight"]), figures
