"""Issue 21: a visitor cannot make the server read a file it does not offer, and errors never show
what a file holds.

In the app (streamlit's AppTest), a link or an uploaded config that names a file outside the data
folder reads nothing (a spy on every open of that file) and shows one sentence; with
BRAINSIM_DATA_DIR set, a file inside loads, and a link inside pointing outside is neither offered
nor read. Uploads go through the same bounded readers. The server's settings match the code's limits.
"""

from __future__ import annotations

import builtins
import json
import os
import tomllib

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from brainsim import config as C
from brainsim import textio
from brainsim.arena.experiment import ArenaConfig

TIMEOUT = 180
QUICK = {"task": "local file", "learners": "delta rule", "epochs": "1"}  # a run of a fraction of a second


def csv_text(label_a: str = "cat", label_b: str = "dog") -> str:
    rows = [f"{i % 7},{(i * 3) % 5},{label_a if i % 2 else label_b}" for i in range(24)]
    return "a,b,label\n" + "\n".join(rows) + "\n"


def arena_script():
    from brainsim import runtime, ui

    runtime.configure()
    ui.experiment_page("arena")


def open_arena(query: dict | None = None) -> AppTest:
    at = AppTest.from_function(arena_script, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


@pytest.fixture
def opened(monkeypatch):
    """Every path the process opens while the test runs (builtins.open, io.open, os.open)."""
    seen: list[str] = []

    def spy(real):
        def wrapper(file, *args, **kwargs):
            if isinstance(file, (str, bytes, os.PathLike)):
                seen.append(os.fsdecode(file))
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(builtins.open))
    monkeypatch.setattr(os, "open", spy(os.open))
    return seen


def read_of(seen: list[str], path) -> list[str]:
    target = os.path.realpath(path)
    return [p for p in seen if os.path.realpath(p) == target]


def errors(at: AppTest) -> list[str]:
    assert not at.exception, [e.message for e in at.exception]
    return [e.value for e in at.error]


@pytest.fixture
def outside(tmp_path):
    """A CSV the server could read but does not offer: outside any data folder."""
    path = tmp_path / f"outside_{tmp_path.name}.csv"
    path.write_text(csv_text("SECRETCLASS", "OTHERCLASS"))
    return path


def test_a_link_naming_a_server_file_reads_nothing(outside, opened, monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    at = open_arena({"exp": "arena", **QUICK, "file_path": str(outside)})
    shown = errors(at)
    assert len(shown) == 1 and "does not offer" in shown[0] and "nothing was read" in shown[0], shown
    assert shown[0].count(". ") == 0 and "SECRET" not in shown[0]
    assert not read_of(opened, outside)
    # the link was not applied: the page keeps its own settings, so nothing came from the file
    assert at.session_state["arena.task"] != "local file"


def test_an_uploaded_config_naming_a_server_file_reads_nothing(outside, opened, monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    at = open_arena()
    cfg = C.make(ArenaConfig, {**QUICK, "file_path": str(outside)})
    upload = at.sidebar.file_uploader(key="arena.upload")
    upload.set_value(("arena_config.json", C.to_json(cfg, experiment="arena").encode(), "application/json"))
    at.run()
    shown = errors(at)
    assert len(shown) == 1 and "does not offer" in shown[0], shown
    assert not read_of(opened, outside)
    assert at.session_state["arena.file_path"] == str(outside)  # shown as it is, and refused by the reader


def test_the_data_folder_is_opt_in_and_offers_its_files_only(tmp_path, outside, opened, monkeypatch):
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    name = f"inside_{tmp_path.name}.csv"
    (folder / "sub" / name).write_text(csv_text())
    (folder / "link.csv").symlink_to(outside)  # a link inside the folder pointing out of it
    (folder / ".hidden.csv").write_text(csv_text())
    monkeypatch.setenv(textio.DATA_DIR_ENV, str(folder))
    assert textio.data_files(textio.data_folder()) == [f"sub/{name}"]

    at = open_arena({"exp": "arena", **QUICK, "file_path": f"sub/{name}"})
    assert errors(at) == []
    assert at.sidebar.selectbox(key="arena.file_path").options == ["(no file)", f"sub/{name} (data folder)"]
    assert len(at.get("plotly_chart")) >= 1  # the file loaded and the race ran

    for refused in ("link.csv", "../" + outside.name, str(outside), f"sub/../../{outside.name}"):
        at = open_arena({"exp": "arena", **QUICK, "file_path": refused})
        shown = errors(at)
        assert len(shown) == 1 and "listed from its data folder" in shown[0] and "nothing was read" in shown[0]
    assert not read_of(opened, outside)


def test_an_upload_loads_through_the_bounded_readers(monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    at = open_arena({"exp": "arena", "learners": "delta rule", "epochs": "1"})
    at.sidebar.selectbox(key="arena.task").set_value("local file").run()  # its file box shows under the task
    at.sidebar.file_uploader(key="arena.file_path.file").set_value(("my data.csv", csv_text().encode(), "text/csv"))
    at.run()
    assert errors(at) == []
    value = at.session_state["arena.file_path"]
    assert value.startswith(textio.UPLOAD_PREFIX) and value.endswith("/my_data.csv")
    assert at.sidebar.selectbox(key="arena.file_path").value == value
    assert len(at.get("plotly_chart")) >= 1


def test_an_upload_over_the_limit_is_one_sentence(monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(textio, "MAX_FILE_BYTES", 1000)  # the same check as at 64 MB, with a small file
    at = open_arena()
    at.sidebar.selectbox(key="arena.task").set_value("local file").run()  # its file box shows under the task
    big = b"a,label\n" + b"1,x\n" * 400
    at.sidebar.file_uploader(key="arena.file_path.file").set_value(("big.csv", big, "text/csv"))
    at.run()
    shown = [e.value for e in at.sidebar.error]  # (the page also says the task still needs a file)
    assert len(shown) == 1 and shown[0] == "File 'big.csv' is larger than 1000 bytes.", shown
    assert at.session_state["arena.file_path"] == ""


def test_a_malformed_data_folder_file_is_described_by_its_shape_only(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    name = f"bad_{tmp_path.name}.csv"
    (folder / name).write_text(csv_text().replace("3,4,", "3,HIDDENVALUE,", 1))
    monkeypatch.setenv(textio.DATA_DIR_ENV, str(folder))
    at = open_arena({"exp": "arena", **QUICK, "file_path": name})
    shown = errors(at)
    assert len(shown) == 1 and "column 2" in shown[0] and "not a number" in shown[0], shown
    assert "HIDDEN" not in shown[0]


def test_the_cli_keeps_local_paths(outside, tmp_path):
    from brainsim import cli

    assert (
        cli.main(
            [
                "run",
                "arena",
                "--set",
                "task=local file",
                "--set",
                f"file_path={outside}",
                "--set",
                "learners=delta rule",
                "--set",
                "epochs=1",
                "--out",
                str(tmp_path / "o"),
            ]
        )
        == 0
    )
    assert "SECRETCLASS" in (tmp_path / "o" / "confusion.csv").read_text()


def test_streamlit_settings_agree_with_the_code():
    with open(os.path.join(ROOT, ".streamlit", "config.toml"), "rb") as fh:
        settings = tomllib.load(fh)
    server = settings["server"]
    assert server["maxUploadSize"] == textio.MAX_FILE_MB
    assert server["enableCORS"] is True and server["enableXsrfProtection"] is True
    assert server["fileWatcherType"] == "none" and settings["browser"]["gatherUsageStats"] is False
    assert settings["client"]["toolbarMode"] in ("minimal", "viewer")
    assert settings["client"]["showErrorDetails"] in ("type", "none")


def test_the_sidebar_states_the_upload_limits(monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    at = open_arena()
    at.sidebar.selectbox(key="arena.task").set_value("local file").run()  # its file box shows under the task
    helps = {u.label: u.help for u in at.sidebar.get("file_uploader")}
    assert any(f"At most {textio.MAX_FILE_MB} MB" in h for h in helps.values()), helps
    assert any(f"At most {C.MAX_JSON_BYTES >> 10} KB" in h for h in helps.values()), helps


def test_every_error_quotes_at_most_80_characters_of_user_text():
    long = "Z" * 100_000
    cases = [
        lambda: C.make(ArenaConfig, {"task": long}),
        lambda: C.make(ArenaConfig, {"epochs": long}),
        lambda: C.make(ArenaConfig, {long: 1}),
        lambda: C.from_json(ArenaConfig, json.dumps({"experiment": long}), experiment="arena"),
        lambda: C.make(ArenaConfig, {"epochs": 10**5000}),
    ]
    for case in cases:
        with pytest.raises(C.ConfigError) as err:
            case()
        assert str(err.value).count("Z") <= textio.MAX_QUOTE_CHARS and len(str(err.value)) < 400
