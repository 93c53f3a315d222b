"""Presentation schedules in human time units: massed, spaced, expanding, or custom CSV rows.

A schedule is a list of `Event`s sorted by time (seconds). Kinds: "present" (an item is studied),
"reward" (the outcome of a presentation arrives, value R >= 0), "test" (recall is measured; tests
never change the weights).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "wk": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
MAX_SECONDS = 366 * 86400.0


def parse_duration(text: str) -> float:
    """'20 min' -> 1200.0, '1.5h' -> 5400.0, '90' -> 90.0 (bare numbers are seconds). ValueError if bad."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(text)
    unit = m.group(2).lower() or "s"
    if unit not in UNITS:
        raise ValueError(text)
    value = float(m.group(1)) * UNITS[unit]
    if not value <= MAX_SECONDS:
        raise ValueError(text)
    return value


def label(seconds: float) -> str:
    """Short human label: 1200 -> '20 min', 32400 -> '9 h', 86400 -> '1 d'."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


@dataclass(frozen=True)
class Event:
    t: float  # seconds
    kind: str  # "present", "reward", "test"
    item: int = -1  # index into the pattern bank
    value: float = 0.0  # reward R for "present" (known outcome) and "reward" events
    tag: str = ""  # free label for tests (e.g. the delay) and conditions


def rep_offsets(kind: str, n_reps: int, massed_gap: float, interval: float) -> list[float]:
    """Times of the repetitions of one item: massed (gap massed_gap), spaced (gap interval) or
    expanding (gaps interval/2, interval, 2 interval, ...; Landauer & Bjork 1978)."""
    if kind == "massed":
        gaps = [massed_gap] * (n_reps - 1)
    elif kind == "spaced":
        gaps = [interval] * (n_reps - 1)
    elif kind == "expanding":
        gaps = [interval * 2.0 ** (r - 1) for r in range(n_reps - 1)]
    else:
        raise ValueError(kind)
    out, t = [0.0], 0.0
    for g in gaps:
        t += g
        out.append(t)
    return out


def study_events(
    offsets: list[float],
    n_items: int,
    stagger: float,
    rewards: list[float],
    reward_delay: float,
    first_item: int = 0,
    t0: float = 0.0,
) -> list[Event]:
    """Each repetition is a session in which items are studied in order, `stagger` seconds apart.
    Every presentation is followed by its outcome (reward event) after `reward_delay`."""
    ev = []
    for r, off in enumerate(offsets):
        for i in range(n_items):
            t = t0 + off + i * stagger
            ev.append(Event(t, "present", first_item + i, rewards[i], f"rep {r + 1}"))
            ev.append(Event(t + reward_delay, "reward", first_item + i, rewards[i]))
    return ev


def stream_events(
    t_start: float, t_end: float, rate_per_h: float, first_item: int, max_items: int, reward_delay: float
) -> tuple[list[Event], int]:
    """Interference: other items, each presented once, every 3600/rate seconds in [t_start, t_end)."""
    if rate_per_h <= 0 or t_end <= t_start:
        return [], 0
    gap = 3600.0 / rate_per_h
    ev, n = [], 0
    t = t_start + gap / 2
    while t < t_end and n < max_items:
        ev.append(Event(t, "present", first_item + n, 0.0, "stream"))
        ev.append(Event(t + reward_delay, "reward", first_item + n, 0.0))
        n += 1
        t += gap
    return ev, n


def parse_custom(text: str, n_items: int, field: str = "custom_schedule") -> list[tuple[float, int, float]]:
    """Rows 'time, item, reward' (time like 0, 20 min, 1.5 h, 2 d; item 0..n_items-1; reward >= 0,
    optional, default 0). A header row naming the columns is allowed; blank lines and lines starting
    with # are skipped. All bad rows are reported at once, one sentence each, as a ValueError."""
    rows, problems = [], []
    lines = [ln for ln in str(text).replace(";", "\n").splitlines()]
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split(",")]
        if no == 1 and cells and cells[0].lower() in ("time", "t", "t_s"):
            continue
        where = f"Field '{field}' row {no} ('{line[:40]}')"
        if len(cells) not in (2, 3):
            problems.append(f"{where} has {len(cells)} values; write time, item, reward.")
            continue
        try:
            t = parse_duration(cells[0])
        except ValueError:
            problems.append(
                f"{where}: time '{cells[0]}' is not a duration like 90, 20 min, 1.5 h or 2 d (at most 366 d)."
            )
            continue
        try:
            item = int(cells[1])
        except ValueError:
            problems.append(f"{where}: item '{cells[1]}' is not a whole number.")
            continue
        if not 0 <= item < n_items:
            problems.append(f"{where}: item {item} is outside 0 to {n_items - 1} (set n_items to store more).")
            continue
        reward = 0.0
        if len(cells) == 3 and cells[2] != "":
            try:
                reward = float(cells[2])
            except ValueError:
                problems.append(f"{where}: reward '{cells[2]}' is not a number.")
                continue
            if not 0.0 <= reward <= 10.0:
                problems.append(f"{where}: reward {cells[2]} is outside 0 to 10.")
                continue
        rows.append((t, item, reward))
    if problems:
        raise ValueError(" ".join(problems))
    if not rows:
        raise ValueError(f"Field '{field}' has no rows; write one 'time, item, reward' row per presentation.")
    return sorted(rows, key=lambda r: (r[0], r[1]))
