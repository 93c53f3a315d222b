"""The file readers (brainsim.textio, brainsim.datasets, brainsim.arena.data) against hostile files.

Issue 13 §2: a gzip bomb, 2048×2048 IDX images, an .npz header declaring 10¹² elements, truncated and
corrupt archives, text or structured or object arrays, /proc files, 4,000 or 20,000 classes: each is
one ConfigError sentence, with a bounded peak of memory (tracemalloc here; the process's peak RSS in
a subprocess for the 8 GiB bomb through the command line).
Issue 21: fuzzed files carrying a marker in their cells, headers, labels, array names and dtypes:
no error message ever contains the marker, whichever way the file arrives (a local path, an upload,
the data folder).
"""

from __future__ import annotations

import contextvars
import gzip
import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest
from conftest import ROOT

from brainsim import config as C
from brainsim import datasets, textio
from brainsim.arena import data as arena_data
from brainsim.arena.experiment import ArenaConfig
from brainsim.config import ConfigError

MARK = "MRKQZ"
PEAK_LIMIT = 400 * 2**20  # bytes a hostile file may make the readers allocate (limit: 64 MB a file)


def load_file(path: str, labels: str = "") -> object:
    """The arena's loading of a 'local file' task, as the CLI and the app's validation run it."""
    cfg = ArenaConfig(task="local file", file_path=path, labels_path=labels, learners=("delta rule",), epochs=1)
    return arena_data.load(cfg)


def in_app(fn, *args):
    """`fn(*args)` with the app's reader in force (uploads and the data folder), in a copied context."""

    def run():
        textio.serve_app_files()
        return fn(*args)

    return contextvars.copy_context().run(run)


def refusal(fn, *args) -> str:
    """The one sentence `fn` refuses with, and its peak memory checked."""
    tracemalloc.start()
    try:
        with pytest.raises(ConfigError) as err:
            fn(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(err.value)
    assert peak < PEAK_LIMIT, f"{peak / 2**20:.0f} MB for: {message}"
    assert "\n" not in message and len(message) < 400, message
    return message


# --------------------------------------------------------------------------- crafted files


def npy_bytes(header: dict, data: bytes = b"") -> bytes:
    """An .npy (format 1.0) with a hand-written header: it may declare anything."""
    text = repr(header).encode("latin1")
    pad = 64 - (10 + len(text) + 1) % 64
    head = text + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head + data


def write_npz(path, members: dict[str, bytes], compress: bool = False) -> str:
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return str(path)


def npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=True)
    return buf.getvalue()


def idx_header(code: int, dims: tuple[int, ...]) -> bytes:
    return bytes([0, 0, code, len(dims)]) + np.array(dims, dtype=">i4").tobytes()


def gzip_bomb(path, inflated_gib: int = 8) -> str:
    """A multi-member gzip of an IDX header and `inflated_gib` GiB of zeros: about 8 MB on disk."""
    member = gzip.compress(bytes(64 * 2**20), compresslevel=9)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(idx_header(0x08, (2**21, 64, 64))))
        for _ in range(16 * inflated_gib):
            fh.write(member)
    return str(path)


def labels_file(tmp_path, n: int = 60) -> str:
    p = tmp_path / "labels.idx"
    datasets.write_idx(str(p), (np.arange(n) % 3).astype(np.uint8))
    return str(p)


# --------------------------------------------------------------------------- issue 13 §2


def test_gzip_bomb_stops_at_the_limit(tmp_path):
    bomb = gzip_bomb(tmp_path / "bomb-images.gz", inflated_gib=1)
    assert "unpacks to more than 64 MB" in refusal(load_file, bomb, labels_file(tmp_path))


def test_gzip_bomb_of_8_gib_through_the_command_line_stays_bounded(tmp_path):
    """What the CLI allocates is traced (Python and numpy allocations, the bytes gzip inflates into):
    deterministic, unlike RSS, which also counts whatever the process has mapped, torch's 415 MB library
    among it (476 MB peak here, 1069 MB once on CI with the same code; the cause there was not found)."""
    bomb = gzip_bomb(tmp_path / "bomb-images.gz", inflated_gib=8)
    assert os.path.getsize(bomb) < 16 * 2**20
    code = (
        "import resource, sys, tracemalloc\nfrom brainsim import cli\ntracemalloc.start()\n"
        f"rc = cli.main(['run', 'arena', '--set', 'task=local file', '--set', 'file_path={bomb}', "
        f"'--set', 'labels_path={labels_file(tmp_path)}', '--out', '{tmp_path / 'out'}'])\n"
        "print(rc, tracemalloc.get_traced_memory()[1], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    rc, traced, peak_kb = out.stdout.split()[-3:]
    assert rc == "2" and "unpacks to more than 64 MB" in out.stderr and "Traceback" not in out.stderr, out.stderr
    assert int(traced) < PEAK_LIMIT, f"traced peak {int(traced) / 2**20:.0f} MB"
    assert int(peak_kb) < 2 * 2**20, f"peak RSS {int(peak_kb) / 1024:.0f} MB"  # inflating would take 8 GiB


def test_idx_images_of_2048_by_2048_are_refused_from_their_header(tmp_path):
    p = tmp_path / "big-images.gz"
    p.write_bytes(gzip.compress(idx_header(0x08, (15, 2048, 2048)) + bytes(15 * 2048 * 2048)))
    message = refusal(load_file, str(p), labels_file(tmp_path, 15))
    assert "rows of 4194304 values" in message and f"1 to {datasets.MAX_PIXELS}" in message


@pytest.mark.parametrize(
    "members, fragment",
    [
        ({"x.npy": npy_bytes({"descr": "<f8", "fortran_order": False, "shape": (10**9, 1000)})}, "declares"),
        (
            {
                "x.npy": npy(np.zeros((10, 4), np.float32)),
                "y.npy": npy_bytes({"descr": "<i8", "fortran_order": False, "shape": (10**12,)}),
            },
            "declares",
        ),
        ({"x.npy": npy_bytes({"descr": "<f4", "fortran_order": False, "shape": (10, 10**6)})}, "rows of 1000000"),
        ({"x.npy": npy(np.array([["a" * 8] * 4] * 10)), "y.npy": npy(np.arange(10))}, "holds text values"),
        (
            {"x.npy": npy(np.zeros((10, 4), dtype=[("a", "<i4")])), "y.npy": npy(np.arange(10))},
            "holds structured values",
        ),
        (
            {"x.npy": npy(np.array([[{"a": 1}]] * 10, dtype=object)), "y.npy": npy(np.arange(10))},
            "never unpickled",
        ),
        ({"x.npy": npy(np.zeros((10, 4))), "y.npy": npy(np.array(["a"] * 10))}, "holds text values"),
        ({"z.npy": npy(np.zeros((10, 4)))}, "must hold arrays named x and y"),
        ({f"{i}.npy": b"" for i in range(100)}, "files; an .npz of at most"),
    ],
)
def test_npz_headers_are_checked_before_anything_is_allocated(tmp_path, members, fragment):
    path = write_npz(tmp_path / "hostile.npz", {"y.npy": npy(np.arange(10) % 2), **members})
    assert fragment in refusal(load_file, path)


@pytest.mark.parametrize("damage", ["truncate", "crc", "garbage", "empty"])
def test_damaged_npz_is_one_sentence(tmp_path, damage):
    good = tmp_path / "good.npz"
    np.savez(good, x=np.arange(4000, dtype=np.float32).reshape(100, 40), y=np.arange(100) % 2)
    raw = bytearray(good.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "crc":
        raw[200] ^= 0xFF  # inside x's data, stored uncompressed: the sizes stay, the CRC fails
    elif damage == "garbage":
        raw = bytearray(b"PK\x03\x04" + os.urandom(500))
    else:
        raw = bytearray()
    bad = tmp_path / "bad.npz"
    bad.write_bytes(bytes(raw))
    assert "is not a readable .npz file" in refusal(load_file, str(bad))


@pytest.mark.parametrize("path", ["/proc/self/pagemap", "/proc/self/mem", "/dev/zero", "/", "/nonexistent.npz"])
def test_special_files_on_the_command_line_are_one_sentence(path):
    if not os.path.exists(path) and path != "/nonexistent.npz":
        pytest.skip(f"{path} is not on this system")
    message = refusal(load_file, path, path)
    assert any(s in message for s in ("cannot be", "not a regular file", "does not exist", "not a readable"))


def test_special_files_in_the_app_are_not_even_opened(monkeypatch):
    monkeypatch.delenv(textio.DATA_DIR_ENV, raising=False)
    for path in ("/proc/self/pagemap", "/etc/hostname", "/dev/zero"):
        assert "nothing was read" in refusal(in_app, load_file, path, path)


def test_a_csv_with_4000_classes_is_refused(tmp_path):
    p = tmp_path / "classes.csv"
    p.write_text("a,label\n" + "".join(f"{i % 9},c{i % 4000}\n" for i in range(20_000)))
    assert f"4000 classes in 'label'; at most {datasets.MAX_CLASSES}" in refusal(load_file, str(p))


def test_an_npz_with_20000_classes_is_refused(tmp_path):
    p = tmp_path / "classes.npz"
    np.savez(p, x=np.zeros((20_000, 4), np.float32), y=np.arange(20_000))
    assert f"20000 classes; at most {datasets.MAX_CLASSES}" in refusal(load_file, str(p))


def test_rows_times_pixels_are_bounded(tmp_path):
    p = tmp_path / "wide.npz"
    r = np.random.default_rng(0)
    np.savez(p, x=r.integers(0, 255, (5000, 64, 64), dtype=np.uint8), y=np.arange(5000) % 3)
    d = datasets.load_local(str(p), max_samples=20_000)
    assert len(d.x_train) + len(d.x_test) == datasets.MAX_VALUES // 4096 and d.image_shape == (64, 64)


# --------------------------------------------------------------------------- issue 21: errors never echo files


def marked_csvs(seed: int = 0, n: int = 120):
    """(name, bytes) of malformed CSV files whose cells, headers and labels carry MARK."""
    r = np.random.default_rng(seed)
    for case in range(n):
        header = ["f0", f"{MARK}h1", "label"] if case % 2 else ["f0", "f1", "label"]
        rows = [[str(r.integers(0, 9)), str(r.random()), f"{MARK}{i % 2}"] for i in range(20)]
        kind = case % 12
        i, j = int(r.integers(0, 20)), int(r.integers(0, 2))
        if kind == 0:
            rows[i][j] = f"{MARK}{r.integers(0, 99)}"
        elif kind == 1:
            rows[i] = rows[i][:2]
        elif kind == 2:
            rows[i].append(MARK)
        elif kind == 3:
            header[2] = f"{MARK}lab"
        elif kind == 4:
            rows[i][2] = f"{MARK}rare"
        elif kind == 5:
            rows = [[*row[:2], f"{MARK}{k}"] for k, row in enumerate(rows * 6)]
        elif kind == 6:
            rows[i][j] = f"inf{MARK}" if r.random() < 0.5 else "inf"
        elif kind == 7:
            rows[i][2] = ""
            rows[(i + 1) % 20][j] = MARK
        elif kind == 8:
            rows[i][j] = f'"{MARK}'
        elif kind == 9:
            rows[i][j] = MARK * 30_000  # one cell over the csv module's field limit
        text = "\n".join(",".join(row) for row in [header, *rows]).encode()
        if kind == 10:
            text = text.replace(MARK.encode(), MARK.encode() + b"\xff\xfe", 1)
        elif kind == 11:
            text = text.replace(b"\n", b"\x00\n", 3)
        yield f"marked{case}.csv", text


def marked_arrays(tmp_path, seed: int = 0, n: int = 60):
    """(name, bytes) of .npz and IDX files with MARK in array names, dtypes, text values and raw bytes,
    and randomly truncated or corrupted copies of them."""
    r = np.random.default_rng(seed)
    x, y = np.zeros((30, 4), np.float32), np.arange(30) % 3
    bases = [
        {f"{MARK}x.npy": npy(x), f"{MARK}y.npy": npy(y)},
        {"x.npy": npy(np.zeros((30, 4), dtype=[(MARK, "<f4")])), "y.npy": npy(y)},
        {"x.npy": npy(np.array([[MARK] * 4] * 30)), "y.npy": npy(y)},
        {"x.npy": npy(x), "y.npy": npy(np.array([MARK] * 30))},
        {"x.npy": npy_bytes({"descr": MARK, "fortran_order": False, "shape": (30, 4)}), "y.npy": npy(y)},
        {"x.npy": npy_bytes({"descr": "<f4", "fortran_order": False, "shape": (30, 4), MARK: 1}), "y.npy": npy(y)},
        {"x.npy": npy(x) + MARK.encode() * 50, "y.npy": npy(y)},
    ]
    for case in range(n):
        raw = bytearray(open(write_npz(tmp_path / "m.npz", bases[case % len(bases)], case % 2 == 1), "rb").read())
        if case >= len(bases) * 2:
            at = int(r.integers(0, len(raw)))
            if case % 3 == 0:
                raw = raw[:at]
            else:
                raw[at] ^= int(r.integers(1, 256))
        yield f"marked{case}.npz", bytes(raw)
    for case in range(20):
        raw = bytearray(idx_header(0x08, (10, 2, 2)) + MARK.encode() * 8)
        raw[int(r.integers(0, len(raw)))] ^= int(r.integers(1, 256))
        yield f"marked{case}-images.idx", bytes(raw)


def assert_no_mark(load, name: str, raw: bytes) -> int:
    """1 when loading refused the file (with no MARK in the sentence), 0 when the file loaded."""
    try:
        load(name, raw)
    except ConfigError as exc:
        assert MARK not in str(exc) and len(str(exc)) < 400, (name, str(exc))
        return 1
    return 0


@pytest.fixture
def hostile(tmp_path):
    return [*marked_csvs(), *marked_arrays(tmp_path)]


def test_no_error_echoes_a_local_file(tmp_path, hostile):
    labels = labels_file(tmp_path, 10)

    def local(name, raw):
        (tmp_path / name).write_bytes(raw)
        load_file(str(tmp_path / name), labels)

    refused = sum(assert_no_mark(local, name, raw) for name, raw in hostile)
    assert refused >= 0.75 * len(hostile)  # most are broken; some still load


def test_no_error_echoes_an_upload_or_a_data_folder_file(tmp_path, hostile, monkeypatch):
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv(textio.DATA_DIR_ENV, str(folder))
    datasets.write_idx(str(folder / "labels.idx"), (np.arange(10) % 3).astype(np.uint8))

    def upload(name, raw):
        in_app(load_file, textio.UPLOADS.put(name, raw), "labels.idx")

    def data_folder(name, raw):
        (folder / name).write_bytes(raw)
        in_app(load_file, name, "labels.idx")

    for load in (upload, data_folder):
        refused = sum(assert_no_mark(load, name, raw) for name, raw in hostile)
        assert refused >= 0.75 * len(hostile)  # most are broken; some still load


def test_pasted_text_may_quote_itself_but_only_briefly():
    text = "a,label\n" + "".join(f"{MARK * 50},x\n" for _ in range(10))
    with pytest.raises(ConfigError) as err:
        arena_data.parse_csv(text)
    assert MARK in str(err.value) and len(str(err.value)) < 200  # the user's own text, cut
    with pytest.raises(ConfigError) as err:
        arena_data.parse_csv(text, source="File 'x.csv'", echo=False)
    assert MARK not in str(err.value) and "row 2, column 1" in str(err.value)


def test_json_configs_with_marks_are_refused_briefly():
    for doc in ({"task": MARK * 1000}, {MARK * 1000: 1}, {"experiment": MARK * 1000}):
        with pytest.raises(ConfigError) as err:
            C.from_json(ArenaConfig, json.dumps(doc), experiment="arena")
        assert str(err.value).count(MARK) * len(MARK) <= textio.MAX_QUOTE_CHARS
