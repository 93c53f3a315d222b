"""Shared test helpers: which experiments exist, which page shows each."""

from __future__ import annotations

import os
import re

import pytest

from brainsim import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def page_files() -> dict[str, str]:
    """experiment name -> page file (relative to the repo root), read from the thin page files."""
    out = {}
    for fname in sorted(os.listdir(os.path.join(ROOT, "pages"))):
        if fname.endswith(".py"):
            text = open(os.path.join(ROOT, "pages", fname), encoding="utf-8").read()
            m = re.search(r"experiment_page\(\s*[\"'](\w+)[\"']", text)
            if m:
                out[m.group(1)] = f"pages/{fname}"
    return out


EXPERIMENTS = registry.names()


@pytest.fixture(params=EXPERIMENTS)
def experiment(request):
    return registry.get(request.param)
