"""Run a sweep: the points not yet stored go to a backend, each result is stored the moment it arrives, and the
finished points' tables are combined into one tidy CSV per table plus sweep.json.

Combined tables keep every point's rows as the point wrote them (the cells are copied as text, never
re-parsed), with the swept fields and the point's seed as leading columns. A table that has a column of the
same name as a leading one (most have their own `seed`: seed, seed+1, ... inside one run) gets the leading
one as `sweep_<name>`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from brainsim import config as cfgmod
from brainsim import cost
from brainsim.sweep import backends
from brainsim.sweep.grid import Point
from brainsim.sweep.store import Result, Store

Progress = Callable[[int, int, int], None]  # (finished this run, to run this run, failed so far)


@dataclass
class Report:
    total: int  # points in the sweep
    ran: int  # run now
    skipped: int  # already stored by an earlier run
    failed: int  # points (run now or before) whose run raised
    seconds: float
    written: list[str]


def leading_names(points: list[Point]) -> list[str]:
    """The swept fields, then seed (unless seed itself is swept)."""
    names = [name for name, _ in points[0].values] if points else []
    return names if "seed" in names else [*names, "seed"]


def leading_values(point: Point) -> list[str]:
    values = dict(point.values)
    values.setdefault("seed", point.seed)
    return [cfgmod.format_value(v) for v in values.values()]


def combine(points: list[Point], results: dict[str, Result]) -> dict[str, bytes]:
    """One CSV per table over every finished point: leading columns, then the union of the table's columns."""
    lead = leading_names(points)
    rows: dict[str, list[tuple[list[str], dict[str, str]]]] = {}
    headers: dict[str, dict[str, None]] = {}
    for point in points:
        result = results.get(point.key)
        if result is None or not result.ok:
            continue
        for table, data in result.tables.items():
            reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
            header = next(reader, [])
            headers.setdefault(table, {}).update(dict.fromkeys(header))
            rows.setdefault(table, []).extend((leading_values(point), dict(zip(header, r))) for r in reader)
    out = {}
    for table, header in headers.items():
        names = [f"sweep_{n}" if n in header else n for n in lead]
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([*names, *header])
        for lead_cells, cells in rows[table]:
            writer.writerow([*lead_cells, *(cells.get(c, "") for c in header)])
        out[table] = buf.getvalue().encode("utf-8")
    return out


def describe(name: str, points: list[Point], results: dict[str, Result], settings: dict) -> str:
    """sweep.json: the experiment, the sweep's settings and each point's values, seed, key and status."""
    doc = {"experiment": name, **settings, "leading_columns": leading_names(points), "points": []}
    for p in points:
        r = results.get(p.key)
        status = "missing" if r is None else "ok" if r.ok else "error"
        entry = {"key": p.key, **{k: cfgmod.to_dict(p.config)[k] for k, _ in p.values}, "seed": p.seed}
        entry.update(status=status, error=None if r is None else r.error)
        doc["points"].append(entry)
    return json.dumps(doc, indent=2) + "\n"


def run_points(
    points: list[Point], store: Store, tasks: Callable[[list[Point]], Iterable[tuple[str, Result]]], progress
) -> int:
    """Store each result of `tasks(todo)` as it arrives; returns how many ran."""
    done = 0
    failed = 0
    configs = {p.key: p.config_json for p in points}
    for key, result in tasks(points):
        store.save(key, configs[key], result)
        done += 1
        failed += not result.ok
        if progress:
            progress(done, len(points), failed)
    return done


def run_sweep(
    name: str,
    points: list[Point],
    out_dir: str,
    *,
    backend: str = "local",
    jobs: int | None = None,
    address: str | None = None,
    progress: Progress | None = None,
    settings: dict | None = None,
) -> Report:
    """Run every point not yet stored in out_dir, then write <table>.csv for each table and sweep.json."""
    start = time.perf_counter()
    store = Store(out_dir)
    store.clean()
    unique = list({p.key: p for p in points}.values())
    todo = [p for p in unique if not store.done(p.key)]
    if todo:
        if backend == "ray":
            tasks = lambda ps: backends.run_ray(((p.key, name, p.config_json) for p in ps), address)  # noqa: E731
        else:
            n = min(jobs or backends.default_jobs(), len(todo))
            tasks = lambda ps: backends.run_local(((p.key, name, p.config_json) for p in ps), n, name)  # noqa: E731
        run_points(todo, store, tasks, progress)
    results = {p.key: store.load(p.key) for p in unique if store.done(p.key)}
    written = write_outputs(name, points, results, out_dir, settings or {})
    failed = sum(not r.ok for r in results.values())
    return Report(len(unique), len(todo), len(unique) - len(todo), failed, time.perf_counter() - start, written)


def write_outputs(name: str, points: list[Point], results: dict[str, Result], out_dir: str, settings: dict):
    """<table>.csv per table (written whole, then renamed into place) and sweep.json; returns the paths."""
    files = {f"{table}.csv": data for table, data in combine(points, results).items()}
    files["sweep.json"] = describe(name, points, results, settings).encode("utf-8")
    written = []
    for file_name, data in files.items():
        path = os.path.join(out_dir, file_name)
        with open(path + ".tmp", "wb") as fh:
            fh.write(data)
        os.replace(path + ".tmp", path)
        written.append(path)
    return written


def progress_line(stream=None, every_s: float = 10.0) -> Progress:
    """progress(done, total, failed) printing 'sweep [ 12/32]  38%  2.1 points/s, 10 s left' on stderr: one
    line redrawn on a terminal, a plain line every `every_s` seconds (and at the end) otherwise."""
    stream = stream or sys.stderr
    tty = stream.isatty()
    start, last = time.perf_counter(), [0.0]

    def progress(done: int, todo: int, failed: int) -> None:
        now = time.perf_counter()
        if done < todo and now - last[0] < (0.2 if tty else every_s):
            return
        last[0] = now
        rate = done / max(now - start, 1e-9)
        left = (todo - done) / rate if rate > 0 else 0.0
        width = len(str(todo))
        text = f"sweep [{done:{width}d}/{todo}] {done / todo:4.0%}  {rate:.2f} points/s"
        text += f", {cost.describe(left)} left" if done < todo else f" in {cost.describe(now - start)}"
        text += f", {failed} failed" if failed else ""
        print(f"\r{text:70s}" if tty else text, end="" if tty and done < todo else "\n", file=stream, flush=True)

    return progress
