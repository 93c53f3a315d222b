"""The boundaries DESIGN.md and issue 10 fix: only the ui package imports streamlit; the navigation comes from the
registry (no legacy pages/ folder); modules and functions stay small enough to read."""

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
    offenders = [
        p for p in python_files("brainsim") if os.sep + "ui" + os.sep not in p and "streamlit" in imported_modules(p)
    ]
    assert not offenders


def test_no_legacy_pages_folder():
    """Streamlit 1.67 treats a folder named pages/ beside app.py (even one without a .py file) as a v1
    multipage app until the first script run calls st.navigation: on a fresh server, the first visitor
    who opens a page's address is told 'Page not found'. The registry builds every page instead."""
    assert not os.path.exists(os.path.join(ROOT, "pages"))


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def test_no_module_over_400_lines():
    long = {
        os.path.relpath(p, ROOT): n
        for p in python_files("brainsim")
        if (n := len(open(p, encoding="utf-8").read().splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split by idea: {long}"


def test_no_function_over_60_lines():
    long = {}
    for p in python_files("brainsim"):
        for node in ast.walk(ast.parse(open(p, encoding="utf-8").read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{os.path.relpath(p, ROOT)}:{node.name}"] = n
    assert not long, f"name the pieces: {long}"


def test_cli_import_does_not_pull_streamlit():
    code = (
        "import sys, brainsim.cli, brainsim.registry as r; [r.get(n) for n in r.names()]; "
        "print('streamlit' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
