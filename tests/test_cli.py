"""The command line: list, help, run every experiment, bad input exits 2 with one sentence."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shlex
import subprocess
import sys

import pandas as pd
import pytest
from conftest import EXPERIMENTS, ROOT, default_tables

from brainsim import cli, registry
from brainsim import config as C
from brainsim.export import TIMING_TABLES, csv_bytes


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainsim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_list_names_every_experiment():
    out = run_cli("list")
    assert out.returncode == 0
    for name in EXPERIMENTS:
        assert name in out.stdout


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_help_lists_every_field(name):
    out = run_cli("run", name, "--help")
    assert out.returncode == 0
    for spec in C.specs(registry.get(name).config):
        assert f"  {spec.name}" in out.stdout and spec.allowed() in out.stdout


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_run_writes_tables_and_config_matching_app_bytes(name, tmp_path):
    """The CLI's CSVs are the bytes the app's download buttons serve for the same config."""
    exp = registry.get(name)
    out = run_cli("run", name, "--out", str(tmp_path), "--quiet")
    assert out.returncode == 0, out.stderr
    cfg = C.from_json(exp.config, (tmp_path / "config.json").read_text(), experiment=name)
    assert cfg == exp.config()
    tables = default_tables(name)  # what the page's cached run returns (this worker's default run)
    for table, df in tables.items():
        data = (tmp_path / f"{table}.csv").read_bytes()
        assert not pd.read_csv(io.BytesIO(data)).empty or df.empty
        if table not in TIMING_TABLES:
            assert data == csv_bytes(df), f"{name}/{table}.csv differs from the app's download"


def test_set_and_config_file_compose(tmp_path):
    cfg_file = tmp_path / "run.json"
    cfg_file.write_text(json.dumps({"experiment": "xor", "task": "and", "seeds": 2, "epochs": 20}))
    out = run_cli(
        "run", "xor", "--config", str(cfg_file), "--set", "epochs=30", "--out", str(tmp_path / "o"), "--quiet"
    )
    assert out.returncode == 0, out.stderr
    saved = json.loads((tmp_path / "o" / "config.json").read_text())
    assert (saved["task"], saved["seeds"], saved["epochs"]) == ("and", 2, 30)


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["run", "nope", "--out", "x"], "Unknown experiment 'nope'"),
        (["run", "xor", "--set", "lr=-1", "--out", "x"], "Field 'lr'"),
        (["run", "xor", "--set", "task=nand", "--out", "x"], "allowed: and, or, xor"),
        (["run", "xor", "--set", "bogus=1", "--out", "x"], "Unknown field 'bogus'"),
        (["run", "xor", "--set", "epochs", "--out", "x"], "NAME=VALUE"),
        (["run", "xor", "--config", "/nonexistent.json", "--out", "x"], "does not exist"),
        (["run", "xor"], "--out DIR is required"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_sentence(args, fragment, capsys):
    code = cli_main_exit(args)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def cli_main_exit(args) -> int:
    try:
        return cli.main(args)
    except SystemExit as exc:  # argparse's own errors
        return exc.code


def test_malformed_config_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"task": "xor",')
    out = run_cli("run", "xor", "--config", str(bad), "--out", str(tmp_path / "o"))
    assert out.returncode == 2 and "not valid JSON" in out.stderr and "Traceback" not in out.stderr
    assert not os.path.exists(tmp_path / "o")


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_every_experiment_refuses_bad_input_with_exit_2(name, capsys, tmp_path):
    """For each experiment: an unknown field, a value above a numeric field's maximum and an
    unknown choice all exit 2 with one sentence naming the field, and write nothing."""
    specs = C.specs(registry.get(name).config)
    number = next(s for s in specs if s.kind in (int, float) and not s.is_global)
    choice = next((s for s in specs if s.kind is str and s.choices and not s.is_global), None)
    bad = [
        ("no_such_field=1", "Unknown field 'no_such_field'"),
        (f"{number.name}={number.hi * 2 + 1}", f"Field '{number.name}'"),
    ]
    if choice is not None:
        bad.append((f"{choice.name}=not-a-choice", f"Field '{choice.name}'"))
    for setting, fragment in bad:
        code = cli_main_exit(["run", name, "--set", setting, "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert code == 2 and fragment in err and len(err.strip().splitlines()) == 1, (setting, err)
    assert not (tmp_path / "o").exists()


def test_command_line_shown_by_the_app_reruns_the_same_config():
    """The page's "Run this from the command line" text, split as a shell would, rebuilds the config."""
    exp = registry.get("xor")
    cfg = C.make(exp.config, {"task": "and", "learners": list(exp.config().learners[-2:]), "seed": 3})
    argv = shlex.split(cli.command_line("xor", cfg))
    assert argv[:5] == ["python", "-m", "brainsim", "run", "xor"] and argv[-2:] == ["--out", "results/xor"]
    sets = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--set"]
    assert len(sets) == 3 and cli.build_config(exp, None, sets) == cfg
    assert cli.command_line("xor", exp.config()) == "python -m brainsim run xor --out results/xor"


def unusable_outs(tmp_path) -> list[str]:
    """An existing file, a path under a file, a name too long, a folder that cannot be written (/proc)."""
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    return [str(a_file), str(a_file / "sub"), str(tmp_path / ("n" * 300)), "/proc/brainsim", "/proc"]


def test_unusable_out_is_one_sentence_and_exit_2_before_running(tmp_path, capsys):
    for out in unusable_outs(tmp_path):
        code = cli_main_exit(["run", "xor", "--out", out, "--quiet"])
        err = capsys.readouterr().err
        assert code == 2 and "--out" in err and "cannot hold the results" in err, (out, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "name, setting, fragment",
    [
        ("memory", "distal_delays=", "Field 'distal_delays'"),
        ("memory", "distal_delays=,,,,", "Field 'distal_delays'"),
        ("memory", "distal_tau_e=", "Field 'distal_tau_e'"),
        ("xor", "task=" + "x" * 100_000, "Field 'task'"),
    ],
)
def test_issue_13_inputs_are_one_sentence(name, setting, fragment, tmp_path, capsys):
    code = cli_main_exit(["run", name, "--set", setting, "--out", str(tmp_path / "o"), "--check"])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and len(err) < 1000 and len(err.strip().splitlines()) == 1


def test_config_file_with_bom_deep_nesting_or_a_huge_number(tmp_path, capsys):
    for payload, code_wanted in [
        (b"\xef\xbb\xbf{}", 0),
        (b"[" * 100_000 + b"]" * 100_000, 2),
        (b'{"seeds": ' + b"7" * 5000 + b"}", 2),
    ]:
        path = tmp_path / "c.json"
        path.write_bytes(payload)
        code = cli_main_exit(["run", "xor", "--config", str(path), "--out", str(tmp_path / "o"), "--check"])
        err = capsys.readouterr().err
        assert code == code_wanted and len(err.strip().splitlines()) == code_wanted // 2, err


def test_arena_noise_of_minus_zero_runs(tmp_path, capsys):
    sets = ["noise=-0", "epochs=1", "learners=delta rule", "n_samples=40"]
    code = cli_main_exit(["run", "arena", *[a for s in sets for a in ("--set", s)], "--out", str(tmp_path), "--quiet"])
    assert code == 0, capsys.readouterr().err
    assert json.loads((tmp_path / "config.json").read_text())["noise"] == 0.0


def test_over_budget_run_warns_with_the_estimate_and_check_runs_nothing(tmp_path, capsys, monkeypatch):
    slow = ["--set", "noise=0.1", "--set", "n_points=2000", "--set", "batch_size=1"]
    code = cli_main_exit(["run", "xor", *slow, "--out", str(tmp_path), "--check"])
    out = capsys.readouterr().out
    assert code == 0 and "estimated run time" in out and not (tmp_path / "config.json").exists()

    def quick(cfg, progress=None):  # stands in for the six-minute run: the CLI's part is what is tested
        progress(0.5, "training")
        return {"curves": pd.DataFrame({"epoch": [1]})}

    stub = dataclasses.replace(registry.get("xor"), run=quick)
    monkeypatch.setattr(registry, "get", lambda name: stub)
    code = cli_main_exit(["run", "xor", *slow, "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0 and err.startswith("warning: this run is estimated at about") and "budget of 60 s" in err
    assert (tmp_path / "curves.csv").exists()


def test_progress_shows_time_left(capsys):
    progress = cli.progress_printer(estimate=100.0)
    progress(0.0, "starting")
    progress(0.5, "half way")
    err = capsys.readouterr().err
    assert "starting" in err and "left" in err and "half way" in err
