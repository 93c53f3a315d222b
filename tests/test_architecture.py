"""The boundaries DESIGN.md fixes: only ui.py imports streamlit; pages hold no model code."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from conftest import ROOT


def imported_modules(path: str) -> set[str]:
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def python_files(folder: str):
    for base, _, files in os.walk(os.path.join(ROOT, folder)):
        for f in files:
            if f.endswith(".py"):
                yield os.path.join(base, f)


def test_only_ui_imports_streamlit():
    offenders = [p for p in python_files("brainsim")
                 if os.path.basename(p) != "ui.py" and "streamlit" in imported_modules(p)]
    assert not offenders


def test_pages_are_thin():
    for p in python_files("pages"):
        mods = imported_modules(p)
        assert not mods & {"torch", "numpy", "pandas"}, f"{p} holds model code"
        assert len(open(p, encoding="utf-8").read().splitlines()) < 30


def test_cli_import_does_not_pull_streamlit():
    code = "import sys, brainsim.cli, brainsim.registry as r; [r.get(n) for n in r.names()]; " \
           "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
