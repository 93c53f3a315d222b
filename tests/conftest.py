"""Shared test helpers: the process set-up every entry point makes, and which experiments exist."""

from __future__ import annotations

import os

import pytest

from brainsim import registry, runtime

runtime.configure()  # one torch thread, subnormals flushed: as the CLI and the app run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXPERIMENTS = registry.names()


@pytest.fixture(params=EXPERIMENTS)
def experiment(request):
    return registry.get(request.param)
