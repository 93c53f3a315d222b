"""Bounded file and text input with one error style for every parser (arena CSV, Hopfield
patterns, memory schedules, IDX/npz files), and where a file may come from.

Every problem is a ConfigError of one sentence that starts with where it is ("File 'x.csv'",
"Field 'patterns_csv' row 3") and says what is allowed. A user's pasted text is quoted shortened
(`quote`, at most MAX_QUOTE_CHARS), so a long pasted value is never echoed back whole; readers of
files never quote what a file holds, only its shape (row, column number, expected type).

Where files come from (`read_file`): the command line reads local paths (whoever runs it owns the
machine). The app (`serve_app_files`, set by brainsim.ui for its script thread) reads only files a
visitor uploaded (`UPLOADS`, named by an "upload:<hash>/<name>" token) and, when whoever starts the
server opts in with BRAINSIM_DATA_DIR, files inside that folder, resolved without following links
out of it; any other path is refused before anything is opened.
"""

from __future__ import annotations

import collections
import contextvars
import gzip
import hashlib
import io
import os
import re
import stat
import threading
import zlib
from collections.abc import Callable

from brainsim.config import ConfigError

QUOTE_CHARS = 20  # characters of a user's cell an error message repeats
MAX_QUOTE_CHARS = 80  # the most any error repeats of user text
MAX_FILE_MB = 64  # per file, also once unpacked; .streamlit/config.toml's server.maxUploadSize says the same
MAX_FILE_BYTES = MAX_FILE_MB * 2**20
MAX_UPLOADS_BYTES = 4 * MAX_FILE_BYTES  # uploads the server holds at once, all sessions together
DATA_DIR_ENV = "BRAINSIM_DATA_DIR"
MAX_DATA_FILES = 200  # files of the data folder offered in the app
UPLOAD_PREFIX = "upload:"
_UPLOAD_RE = re.compile(r"upload:([0-9a-f]{32})/([A-Za-z0-9._-]{1,64})")


def quote(cell: object, limit: int = QUOTE_CHARS) -> str:
    """A user's text as an error message shows it: quoted, cut to `limit` (at most MAX_QUOTE_CHARS)
    characters, with control characters escaped."""
    text, limit = str(cell), max(1, min(limit, MAX_QUOTE_CHARS))
    cut = len(text) > limit
    text = text[:limit]
    while len(repr(text)) > limit + 2 and text:  # escapes (\x00, \U...) lengthen the repr
        text, cut = text[: len(text) // 2], True
    return repr(text + "...") if cut else repr(text)


def file_label(name: str) -> str:
    """How messages name a file: "File 'name'" (a long name cut)."""
    return f"File {quote(name, MAX_QUOTE_CHARS - 3)}"


def size_text(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 1024} KB" if n >= 1024 else f"{n} bytes"


# --------------------------------------------------------------------------- bounded reading


def read_local(path: str, max_bytes: int, *, label: str | None = None, follow_links: bool = True) -> bytes:
    """The bytes of a local regular file of at most `max_bytes`. Missing, unreadable, special
    (a FIFO, a device) or oversized files are one ConfigError sentence; nothing beyond
    `max_bytes` + 1 bytes is read, whatever size the file system reports (/proc files report 0)."""
    where = label or file_label(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags) if path else -1
    except (FileNotFoundError, NotADirectoryError):
        fd = -1
    except (OSError, ValueError):  # permission, a link where none may be, a NUL in the name
        raise ConfigError(f"{where} cannot be opened for reading.") from None
    if fd < 0:
        raise ConfigError(f"{where} does not exist.")
    info = os.fstat(fd)
    problem = "a folder, not a regular file" if stat.S_ISDIR(info.st_mode) else ""
    problem = problem or ("not a regular file" if not stat.S_ISREG(info.st_mode) else "")  # a FIFO, a device
    problem = problem or (f"larger than {size_text(max_bytes)}" if info.st_size > max_bytes else "")
    if problem:
        os.close(fd)
        raise ConfigError(f"{where} is {problem}.")
    chunks, total = [], 0
    with os.fdopen(fd, "rb", buffering=0) as fh:
        try:
            while total <= max_bytes:
                chunk = fh.read(min(2**20, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        except OSError:
            raise ConfigError(f"{where} cannot be read.") from None
    if total > max_bytes:
        raise ConfigError(f"{where} is larger than {size_text(max_bytes)}.")
    return b"".join(chunks)


def gunzip(raw: bytes, max_bytes: int, where: str) -> bytes:
    """`raw` itself, or its unpacked bytes when it starts with gzip's magic bytes; inflating stops
    after `max_bytes` + 1 bytes, so a small file that unpacks to gigabytes costs no more than that."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            out = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error):
        raise ConfigError(f"{where} is not a readable gzip file.") from None
    if len(out) > max_bytes:
        raise ConfigError(f"{where} unpacks to more than {size_text(max_bytes)}.")
    return out


def decode_text(raw: bytes, source: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped, as some editors write one)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"{source} is not UTF-8 text; save it as UTF-8 CSV and try again.") from None


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


# --------------------------------------------------------------------------- where files come from

Reader = Callable[[str, int, str], tuple[str, bytes]]  # (value, max_bytes, field) -> (name, bytes)
_READER: contextvars.ContextVar[Reader | None] = contextvars.ContextVar("brainsim.file_reader", default=None)


def read_file(value: str, max_bytes: int, field: str = "file_path") -> tuple[str, bytes]:
    """(name for messages, bytes) of the file a config field names, through the reader in force:
    local paths (the command line, tests) unless the app has set its own (`serve_app_files`)."""
    return (_READER.get() or local_files)(value.strip(), max_bytes, field)


def read_file_text(value: str, max_bytes: int, field: str = "file_path") -> tuple[str, str]:
    """(name, UTF-8 text) of the file a config field names."""
    name, raw = read_file(value, max_bytes, field)
    return name, decode_text(raw, file_label(name))


def local_files(value: str, max_bytes: int, field: str = "file_path") -> tuple[str, bytes]:
    """The command line's reader: any local path the user running it can read."""
    if value.startswith(UPLOAD_PREFIX):
        raise ConfigError(
            f"Field '{field}' names a file uploaded to the app; the command line reads local paths, "
            "so give the file's path."
        )
    return value, read_local(value, max_bytes)


def serve_app_files() -> None:
    """From now on in this context (a Streamlit script run: brainsim.ui calls it at the top of every
    page), files come from uploads and the data folder only."""
    _READER.set(app_files)


def app_files(value: str, max_bytes: int, field: str = "file_path") -> tuple[str, bytes]:
    """The app's reader: an upload token, or a file of the data folder; anything else is refused
    with one sentence and nothing is opened."""
    m = _UPLOAD_RE.fullmatch(value)
    if m:
        held = UPLOADS.get(m[1])
        if held is None:
            raise ConfigError(
                f"Field '{field}' names an upload this server no longer holds ({m[2]}); upload the file again."
            )
        if len(held) > max_bytes:
            raise ConfigError(f"{file_label(m[2])} is larger than {size_text(max_bytes)}.")
        return m[2], held
    root = data_folder()
    path = resolve_in_folder(root, value) if root else None
    if path is None:
        where = "uploaded in the sidebar or listed from its data folder" if root else "uploaded in the sidebar"
        raise ConfigError(
            f"Field '{field}' names a file this app does not offer: it reads only files {where}, so nothing was read."
        )
    return value, read_local(path, max_bytes, label=file_label(value), follow_links=False)


# --------------------------------------------------------------------------- the data folder (opt-in)


def data_folder() -> str | None:
    """The folder whoever started the server offers (BRAINSIM_DATA_DIR), resolved; None when unset or missing."""
    root = os.environ.get(DATA_DIR_ENV, "").strip()
    if not root:
        return None
    root = os.path.realpath(root)
    return root if os.path.isdir(root) else None


def resolve_in_folder(root: str, name: str) -> str | None:
    """The real path of the regular file `name` (relative, '/'-separated) inside `root`, or None when
    the name is absolute, climbs out, or resolves (through any link) outside `root`."""
    parts = name.split("/")
    if not name or name.startswith("/") or "\\" in name or "\x00" in name or any(p in ("", ".", "..") for p in parts):
        return None
    real = os.path.realpath(os.path.join(root, *parts))
    try:
        inside = os.path.commonpath([root, real]) == root
    except ValueError:
        return None
    return real if inside and real != root and os.path.isfile(real) else None


def data_files(root: str | None) -> list[str]:
    """The files the app offers from `root` (names relative to it, sorted): regular files that resolve
    inside it, hidden ones skipped, at most MAX_DATA_FILES, three folders deep."""
    if not root:
        return []
    out = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        depth = os.path.relpath(folder, root).count(os.sep) + (folder != root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")) if depth < 3 else []
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/")
            if not f.startswith(".") and resolve_in_folder(root, rel):
                out.append(rel)
                if len(out) >= MAX_DATA_FILES:
                    return sorted(out)
    return sorted(out)


# --------------------------------------------------------------------------- uploads


class UploadStore:
    """Uploaded files held in memory, named by their content's hash, least recently used dropped
    first once they total more than `max_total` bytes; shared by every session, thread-safe."""

    def __init__(self, max_total: int = MAX_UPLOADS_BYTES):
        self.max_total = max_total
        self._items: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._lock = threading.Lock()

    def put(self, name: str, data: bytes) -> str:
        """Hold `data`; return the token a config field carries: "upload:<hash>/<safe name>"."""
        if len(data) > MAX_FILE_BYTES:
            raise ConfigError(f"{file_label(name)} is larger than {size_text(MAX_FILE_BYTES)}.")
        digest = hashlib.sha256(data).hexdigest()[:32]
        with self._lock:
            self._items[digest] = data
            self._items.move_to_end(digest)
            while sum(map(len, self._items.values())) > self.max_total and len(self._items) > 1:
                self._items.popitem(last=False)
        return f"{UPLOAD_PREFIX}{digest}/{safe_name(name)}"

    def get(self, digest: str) -> bytes | None:
        with self._lock:
            data = self._items.get(digest)
            if data is not None:
                self._items.move_to_end(digest)
            return data


def upload_file(name: str, data: bytes, spec=None) -> str:
    """An uploaded file held by the server (UPLOADS): the token its config field carries (`spec`, the
    field, is unused: the same call as upload_text)."""
    return UPLOADS.put(name, data)


def upload_text(name: str, data: bytes, spec) -> str:
    """An uploaded text file as the value of a pasted-text field (`spec.max_chars` at most)."""
    too_long = ConfigError(f"{file_label(name)} holds more than the {spec.max_chars} characters '{spec.name}' allows.")
    if len(data) > 4 * spec.max_chars + 3:  # UTF-8: at most 4 bytes a character, and a byte-order mark
        raise too_long
    text = decode_text(data, file_label(name))
    if len(text) > spec.max_chars:
        raise too_long
    return text


def file_options(current: str) -> list[str]:
    """What the app's file field offers: no file, the data folder's files, and the field's current value
    (an upload, or whatever a link or config file named: the reader judges it)."""
    options = ["", *data_files(data_folder())]
    return options if current in options else [*options, current]


def describe_choice(value: str) -> str:
    """How the app's file field shows a value."""
    if not value:
        return "(no file)"
    name = upload_name(value)
    if name:
        return f"{name} (uploaded)"
    root = data_folder()
    return (
        f"{value} (data folder)"
        if root and resolve_in_folder(root, value)
        else f"{quote(value, 40)} (not offered here)"
    )


def safe_name(name: str) -> str:
    """A file name reduced to letters, digits, '.', '_' and '-' (at most 64, the extension kept)."""
    base = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(str(name).replace("\\", "/"))) or "upload"
    stem, ext = os.path.splitext(base)
    return (stem[: 64 - len(ext[:16])] + ext[:16]).lstrip(".") or "upload"


def upload_name(value: str) -> str | None:
    """The file name an upload token carries, or None when `value` is not an upload token."""
    m = _UPLOAD_RE.fullmatch(value)
    return m[2] if m else None


UPLOADS = UploadStore()
