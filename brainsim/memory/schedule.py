"""Presentation schedules in human time units: massed, spaced, expanding, or custom CSV rows.

A schedule is a list of `Event`s (times in seconds). Kinds: "present" (an item is studied),
"reward" (the outcome of a presentation arrives, value R >= 0), "test" (recall is measured; tests
never change the weights), "snapshot" (the weights are copied for the heatmaps).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from brainsim.config import ConfigError
from brainsim.textio import numbered_rows, quote

MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
UNITS = {
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": MIN,
    "min": MIN,
    "mins": MIN,
    "minute": MIN,
    "minutes": MIN,
    "h": HOUR,
    "hr": HOUR,
    "hrs": HOUR,
    "hour": HOUR,
    "hours": HOUR,
    "d": DAY,
    "day": DAY,
    "days": DAY,
    "w": 7 * DAY,
    "wk": 7 * DAY,
    "week": 7 * DAY,
    "weeks": 7 * DAY,
}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
MAX_SECONDS = 366 * DAY
MAX_REWARD = 10.0  # largest reward R a custom schedule row may give


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
    for unit, size in (("d", DAY), ("h", HOUR), ("min", MIN)):
        if seconds >= size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


@dataclass(frozen=True)
class Event:
    t: float  # seconds
    kind: str  # "present", "reward", "test", "snapshot"
    item: int = -1  # index into the pattern bank
    value: float = 0.0  # reward R for "present" (known outcome) and "reward" events
    tag: str = ""  # names a test's read-outs (e.g. its delay) or a presentation's session


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


def rewarded_items(n_items: int, fraction: float) -> list[float]:
    """R per item: evenly spread, round(fraction * n) items get 1 (item indices are arbitrary:
    patterns are random per seed)."""
    return [float(math.floor((i + 1) * fraction + 1e-9) > math.floor(i * fraction + 1e-9)) for i in range(n_items)]


def study_events(
    offsets: list[float], n_items: int, stagger: float, rewards: list[float], reward_delay: float
) -> list[Event]:
    """Each repetition is a session in which items 0..n_items-1 are studied in order, `stagger` seconds
    apart. Every presentation is followed by its outcome (reward event) after `reward_delay`."""
    ev = []
    for r, off in enumerate(offsets):
        for i in range(n_items):
            t = off + i * stagger
            ev.append(Event(t, "present", i, rewards[i], f"rep {r + 1}"))
            ev.append(Event(t + reward_delay, "reward", i, rewards[i]))
    return ev


def stream_events(
    t_start: float, t_end: float, rate_per_h: float, first_item: int, max_items: int, reward_delay: float
) -> list[Event]:
    """Interference: other items, each presented once, every 3600/rate seconds in [t_start, t_end)."""
    if rate_per_h <= 0 or t_end <= t_start:
        return []
    gap = HOUR / rate_per_h
    ev, n = [], 0
    t = t_start + gap / 2
    while t < t_end and n < max_items:
        ev.append(Event(t, "present", first_item + n, 0.0, "stream"))
        ev.append(Event(t + reward_delay, "reward", first_item + n, 0.0))
        n += 1
        t += gap
    return ev


MAX_PROBLEMS = 3  # bad rows of a custom schedule an error lists


def parse_custom(text: str, n_items: int, field: str = "custom_schedule") -> list[tuple[float, int, float]]:
    """Rows 'time, item, reward' (time like 0, 20 min, 1.5 h, 2 d; item 0..n_items-1; reward 0 to
    MAX_REWARD, optional, default 0), separated by new lines or ';'. A header row naming the columns is
    allowed; blank rows and rows starting with # are skipped. Sorted by (time, item). Bad rows are
    reported at once, one sentence each (the first MAX_PROBLEMS, then how many more), as a ConfigError."""
    rows, problems = [], []
    for no, line in numbered_rows(str(text), separators="\n;", comment="#"):
        cells = [c.strip() for c in line.split(",")]
        if no == 1 and cells[0].lower() in ("time", "t", "t_s"):
            continue
        row, problem = _custom_row(cells, n_items)
        if problem:
            problems.append((no, line, problem))
        else:
            rows.append(row)
    if problems:
        raise ConfigError(_problem_sentence(field, problems))
    if not rows:
        raise ConfigError(f"Field '{field}' has no rows; write one 'time, item, reward' row per presentation.")
    return sorted(rows, key=lambda r: (r[0], r[1]))


def _problem_sentence(field: str, problems: list[tuple[int, str, str]]) -> str:
    """One sentence for every bad row: the field named once, each kind of problem in full at its first row
    (the other rows with it by number), at most MAX_PROBLEMS kinds, then how many rows are left."""
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for no, line, problem in problems:
        groups.setdefault(re.sub(r"\d+|'[^']*'", "", problem), []).append((no, line, problem))
    parts = []
    for rows in list(groups.values())[:MAX_PROBLEMS]:
        no, line, problem = rows[0]
        alike = [str(n) for n, _, _ in rows[1:]]
        alike = alike if len(alike) <= MAX_PROBLEMS else [*alike[:MAX_PROBLEMS], "…"]
        parts.append(
            f"row {no} ({quote(line, 40)}){problem[:-1]}" + (f" (rows {', '.join(alike)} too)" if alike else "")
        )
    left = sum(len(rows) for rows in list(groups.values())[MAX_PROBLEMS:])
    if left:
        parts.append(f"{left} more rows have other problems" if left > 1 else "1 more row has another problem")
    return f"Field '{field}' " + "; ".join(parts) + "."


def _custom_row(cells: list[str], n_items: int) -> tuple[tuple[float, int, float] | None, str]:
    """One row's (time, item, reward), or the rest of a sentence saying what is wrong with it."""
    if len(cells) not in (2, 3):
        n = len(cells)
        return None, f" has {n} value{'s' if n != 1 else ''}; write 'time, item, reward', e.g. '20 min, 0, 1'."
    try:
        t = parse_duration(cells[0])
    except ValueError:
        return None, f": time {quote(cells[0])} is not a duration like 90, 20 min, 1.5 h or 2 d (at most 366 d)."
    try:
        item = int(cells[1])
    except ValueError:
        return None, f": item {quote(cells[1])} is not a whole number."
    if not 0 <= item < n_items:
        return None, f": item {item} is outside 0 to {n_items - 1} (set n_items to store more)."
    reward = 0.0
    if len(cells) == 3 and cells[2] != "":
        try:
            reward = float(cells[2])
        except ValueError:
            return None, f": reward {quote(cells[2])} is not a number."
        if not 0.0 <= reward <= MAX_REWARD:
            return None, f": reward {cells[2]} is outside 0 to {MAX_REWARD:g}."
    return (t, item, reward), ""
