"""A sweep's points: the grid's cartesian product (or M of its points drawn at random) times the seeds.

    --grid lr=0.01,0.1,1        listed values (a list field's values are separated by ';': learners=a,b;c)
    --grid lr=0.001:1:4:log     4 values from 0.001 to 1, evenly spaced in log (drop ':log' for linear)

Every value is checked against the field's param() declaration (config.check_field) and every point is
built with config.make, so the cross-field checks run too: bad input is one sentence before anything runs.
Seeds: point k of `--seeds K` runs with seed = base + k * S, where S is the largest `seeds` field of the
grid (the experiments run seeds seed, seed+1, ..., seed+seeds-1 inside one run), so no two points share a seed.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from brainsim import config as cfgmod
from brainsim import textio
from brainsim.config import ConfigError

MAX_POINTS = 100_000  # grid points x seeds: a sweep's list of points stays small in memory
MAX_VALUES = 1000  # values of one field


@dataclass(frozen=True)
class Point:
    """One run of the sweep: the swept values, its seed, the full config and its store key."""

    values: tuple[tuple[str, Any], ...]  # (field, value) of each swept field, in --grid order
    seed: int
    config: Any
    config_json: str  # cfgmod.to_json(config, experiment=name): what the key hashes and the worker parses
    key: str


def point_key(config_json: str) -> str:
    """16 hex digits of the SHA-256 of a point's config JSON: the store's folder name for it."""
    return hashlib.sha256(config_json.encode("utf-8")).hexdigest()[:16]


def parse_grid(cls: type, items: list[str]) -> dict[str, tuple]:
    """--grid FIELD=VALUES items -> {field: checked values}, in order; one ConfigError sentence on bad input."""
    known = cfgmod.spec_map(cls)
    grid: dict[str, tuple] = {}
    for item in items:
        if "=" not in item:
            raise ConfigError(f"--grid expects FIELD=VALUES, got {textio.quote(item, 40)}.")
        name, text = (p.strip() for p in item.split("=", 1))
        name = cfgmod.renamed_fields(cls, {name: None}).popitem()[0] if name not in known else name
        if name not in known:
            raise ConfigError(f"--grid names unknown field {textio.quote(name, 40)}; known fields: {', '.join(known)}.")
        if name in grid:
            raise ConfigError(f"--grid names field '{name}' twice; give all its values in one --grid.")
        grid[name] = field_values(known[name], text)
    return grid


def field_values(spec: cfgmod.FieldSpec, text: str) -> tuple:
    """One --grid value text -> the field's checked values (duplicates dropped, order kept)."""
    parts = text.split(":")
    if spec.kind in (int, float) and len(parts) in (3, 4) and "," not in text:
        raw = _range(spec, parts)
    else:
        sep = ";" if ";" in text or spec.kind is tuple else ","
        raw = [p.strip() for p in text.split(sep) if p.strip()]
    if not raw:
        raise ConfigError(f"--grid gives no values for field '{spec.name}'.")
    if len(raw) > MAX_VALUES:
        raise ConfigError(f"--grid gives {len(raw)} values for field '{spec.name}'; at most {MAX_VALUES} are allowed.")
    return tuple(dict.fromkeys(cfgmod.check_field(spec, v) for v in raw))


def _range(spec: cfgmod.FieldSpec, parts: list[str]) -> list:
    """'a:b:n[:log]' -> n values from a to b (linear, or evenly spaced in log)."""
    bad = ConfigError(
        f"--grid range for field '{spec.name}' must be FROM:TO:COUNT or FROM:TO:COUNT:log, "
        f"with COUNT from 1 to {MAX_VALUES}."
    )
    try:
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise bad from None
    log = len(parts) == 4
    if not (1 <= n <= MAX_VALUES) or (log and parts[3].strip() != "log") or not math.isfinite(lo + hi):
        raise bad
    if log and (lo <= 0 or hi <= 0):
        raise ConfigError(f"--grid log range for field '{spec.name}' needs FROM and TO above 0.")
    values = np.geomspace(lo, hi, n) if log else np.linspace(lo, hi, n)
    if spec.kind is int:
        return [int(round(v)) for v in values]
    return [float(f"{v:.6g}") for v in values]  # as a person would write them: 0.0316228, not 0.03162277660168379


def combos(grid: dict[str, tuple], random: int | None = None, sample_seed: int = 0) -> list[tuple]:
    """The cartesian product of the grid's values; with `random`, that many of its points drawn without
    replacement (the order of the product kept), reproducibly from `sample_seed`."""
    sizes = [len(v) for v in grid.values()]
    total = math.prod(sizes)
    if random is not None and random < total:
        picked = np.sort(np.random.default_rng([sample_seed, 18]).choice(total, size=random, replace=False))
        return [tuple(v[i] for v, i in zip(grid.values(), np.unravel_index(k, sizes))) for k in picked]
    return list(itertools.product(*grid.values()))


def expand(
    name: str, cls: type, base, grid: dict[str, tuple], seeds: int = 1, random: int | None = None
) -> list[Point]:
    """Every point of the sweep, validated: grid combinations x seeds over the `base` config."""
    if not 1 <= seeds <= 10_000:
        raise ConfigError(f"--seeds got {seeds}; it must be from 1 to 10000.")
    if random is not None and random < 1:
        raise ConfigError(f"--random got {random}; it must be at least 1.")
    if "seed" in grid and seeds > 1:
        raise ConfigError("Sweep either the field 'seed' with --grid or give --seeds, not both.")
    total = math.prod(len(v) for v in grid.values()) if grid else 1
    count = min(total, random or total) * seeds
    if count > MAX_POINTS:
        raise ConfigError(f"The sweep has {count} points; at most {MAX_POINTS} are allowed (use --random to sample).")
    rows = combos(grid, random) if grid else [()]
    stride = _seed_stride(cls, base, grid)
    points = []
    for row in rows:
        values = tuple(zip(grid, row))
        for k in range(seeds):
            seed = base.seed + k * stride
            cfg = _config(cls, base, dict(values, **({} if "seed" in grid else {"seed": seed})))
            text = cfgmod.to_json(cfg, experiment=name)
            points.append(Point(values, cfg.seed, cfg, text, point_key(text)))
    return points


def _seed_stride(cls: type, base, grid: dict[str, tuple]) -> int:
    """How far apart two seeds of a point lie: the largest `seeds` field of the grid (1 without one)."""
    spec = cfgmod.spec_map(cls).get("seeds")
    if spec is None or spec.kind is not int:
        return 1
    return max(grid.get("seeds", (base.seeds,)))


def _config(cls: type, base, values: dict[str, Any]):
    """One point's config; a cross-field problem names the point."""
    try:
        return cfgmod.make(cls, values, base=base)
    except ConfigError as exc:
        where = ", ".join(f"{k}={cfgmod.format_value(v)}" for k, v in values.items())
        raise ConfigError(f"Sweep point {where} is invalid: {str(exc)[:1].lower()}{str(exc)[1:]}") from None
