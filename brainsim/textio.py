"""Bounded file and text input with one error style for every parser (arena CSV, Hopfield
patterns, memory schedules, IDX/npz files).

Every problem is a ConfigError of one sentence that starts with where it is ("File 'x.csv'",
"Field 'patterns_csv' row 3") and says what is allowed; cells are quoted shortened, so a long
pasted value is never echoed back whole.
"""

from __future__ import annotations

import gzip
import os
import re

from brainsim.config import ConfigError

QUOTE_CHARS = 20  # characters of a user's cell an error message repeats


def quote(cell: str, limit: int = QUOTE_CHARS) -> str:
    """A cell as an error message shows it: quoted, cut to `limit` characters."""
    text = str(cell)
    return repr(text if len(text) <= limit else text[:limit] + "...")


def read_bounded(path: str, max_bytes: int, *, gunzip: bool = False) -> bytes:
    """The bytes of a local file, refusing a missing file or one over `max_bytes` (also once unpacked,
    when `gunzip` and the file starts with gzip's magic bytes)."""
    if not path or not os.path.isfile(path):
        raise ConfigError(f"File '{path}' does not exist.")
    if os.path.getsize(path) > max_bytes:
        raise ConfigError(f"File '{path}' is larger than {_size(max_bytes)}.")
    with open(path, "rb") as fh:
        raw = fh.read(max_bytes + 1)
    if gunzip and raw[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                raw = fh.read(max_bytes + 1)
        except (OSError, EOFError):
            raise ConfigError(f"File '{path}' is not a readable gzip file.") from None
        if len(raw) > max_bytes:
            raise ConfigError(f"File '{path}' unpacks to more than {_size(max_bytes)}.")
    return raw


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped, as some editors write one)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{source} is not UTF-8 text; save it as UTF-8 CSV and try again.") from None


def read_text(path: str, max_bytes: int) -> str:
    """The UTF-8 text of a local file of at most `max_bytes`."""
    return decode_text(read_bounded(path, max_bytes), f"File '{path}'")


def numbered_rows(text: str, separators: str = "\n", comment: str | None = None) -> list[tuple[int, str]]:
    """(row number from 1, stripped row) for every non-blank row of `text`; rows are split at any of
    the characters in `separators`, and rows starting with `comment` are skipped."""
    pattern = "[" + re.escape(separators) + "]"
    out = []
    for no, row in enumerate(re.split(pattern, text or ""), start=1):
        row = row.strip()
        if row and not (comment and row.startswith(comment)):
            out.append((no, row))
    return out


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 1024} KB"
