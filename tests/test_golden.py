"""Behaviour is pinned: every experiment's default CLI run writes the CSV bytes recorded in
tests/golden/default_runs.json (SHA-256 per table; `timing` holds wall-clock seconds and is left out).

The digests were recorded before the package restructure (issue 10). A change that must alter a
result updates the digest in the same commit and says why in its message.
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from conftest import EXPERIMENTS, ROOT

from brainsim import cli
from brainsim.export import TIMING_TABLES

GOLDEN = json.load(open(os.path.join(ROOT, "tests", "golden", "default_runs.json"), encoding="utf-8"))


def test_every_experiment_has_a_golden_run():
    assert sorted(GOLDEN) == sorted(EXPERIMENTS)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_default_run_writes_the_golden_bytes(name, tmp_path):
    assert cli.main(["run", name, "--quiet", "--out", str(tmp_path)]) == 0
    written = {f[:-4] for f in os.listdir(tmp_path) if f.endswith(".csv")} - set(TIMING_TABLES)
    assert written == set(GOLDEN[name]), f"{name}: tables changed"
    for table, digest in GOLDEN[name].items():
        data = (tmp_path / f"{table}.csv").read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, f"{name}/{table}.csv differs from the golden run"
