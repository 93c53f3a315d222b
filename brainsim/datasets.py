"""Data sets: seeded synthetic 2-D tasks, scikit-learn's embedded 8x8 digits, local MNIST/IDX/npz files.

Every generator takes a seed and returns the same arrays for the same arguments. Nothing is
downloaded: digits ship inside scikit-learn; MNIST-format files are read through brainsim.textio
(a local path on the command line; an upload or the server's data folder in the app), bounded.
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npformat

from brainsim.config import ConfigError
from brainsim.textio import MAX_FILE_BYTES, file_label, gunzip, read_file

LOGIC_TASKS = ("and", "or", "xor")
TASKS_2D = ("xor", "and", "or", "circles", "moons", "spiral", "blobs")
MAX_CLASSES = 100  # classes of a user's data set (files and CSV): tables and charts grow with C²
MAX_SIDE = 64
MAX_PIXELS = MAX_SIDE * MAX_SIDE  # values per row of a user's image file
MAX_VALUES = 2**24  # rows × values kept from an image file (64 MB as float32)


@dataclass(frozen=True)
class Dataset:
    """A fixed train/test split. x: float32 (n, d); y: int64 class indices (n,)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    image_shape: tuple[int, int] | None = None  # (h, w) when rows are flattened images

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]


# --------------------------------------------------------------------------- logic gates


def logic_table(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four corners of the unit square and the gate's truth value: x (4, 2), y (4,)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    a, b = x[:, 0].astype(bool), x[:, 1].astype(bool)
    y = {"and": a & b, "or": a | b, "xor": a ^ b}[name]
    return x, y.astype(np.int64)


def noisy_logic(name: str, n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n points scattered with Gaussian `noise` around the four corners, labelled by the gate."""
    r = np.random.default_rng([seed, 1])
    corners, labels = logic_table(name)
    idx = r.integers(0, 4, size=n)
    x = corners[idx] + noise * r.standard_normal((n, 2)).astype(np.float32)
    return x.astype(np.float32), labels[idx]


# --------------------------------------------------------------------------- 2-D benchmarks


def spiral(n: int, noise: float, seed: int, n_arms: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved Archimedean spirals, one arm per class."""
    r = np.random.default_rng([seed, 2])
    y = r.integers(0, n_arms, size=n)
    t = r.uniform(0.0, 1.0, size=n)
    radius = t * 1.0
    angle = 3.5 * np.pi * t + 2 * np.pi * y / n_arms
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    x += noise * 0.3 * r.standard_normal((n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def make_2d(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points and labels for a named 2-D task (see TASKS_2D)."""
    state = int(np.random.SeedSequence([seed, 3]).generate_state(1)[0] % (2**31 - 1))
    if name in LOGIC_TASKS:
        return noisy_logic(name, n, noise, seed)
    from sklearn import datasets as skdata  # here, not at the top: scikit-learn takes 1-2.5 s to import

    if name == "circles":
        x, y = skdata.make_circles(n_samples=n, noise=noise, factor=0.5, random_state=state)
    elif name == "moons":
        x, y = skdata.make_moons(n_samples=n, noise=noise, random_state=state)
    elif name == "blobs":
        x, y = skdata.make_blobs(
            n_samples=n, centers=3, cluster_std=0.5 + 3 * noise, center_box=(-3, 3), random_state=state
        )
        x = x / 3.0
    elif name == "spiral":
        return spiral(n, noise, seed)
    else:
        raise ConfigError(f"Unknown task '{name}'; allowed: {', '.join(TASKS_2D)}.")
    return x.astype(np.float32), y.astype(np.int64)


def split(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    train_fraction: float,
    seed: int,
    image_shape: tuple[int, int] | None = None,
) -> Dataset:
    """Stratified train/test split, seeded."""
    state = int(np.random.SeedSequence([seed, 4]).generate_state(1)[0] % (2**31 - 1))
    n_classes = int(y.max()) + 1
    counts = np.bincount(y, minlength=n_classes)
    strat = y if counts.min() >= 2 else None
    from sklearn.model_selection import train_test_split

    xtr, xte, ytr, yte = train_test_split(x, y, train_size=train_fraction, random_state=state, stratify=strat)
    return Dataset(
        name,
        xtr.astype(np.float32),
        ytr.astype(np.int64),
        xte.astype(np.float32),
        yte.astype(np.int64),
        n_classes,
        image_shape,
    )


def task_2d(name: str, n: int = 200, noise: float = 0.1, train_fraction: float = 0.75, seed: int = 0) -> Dataset:
    """A named 2-D task, generated and split."""
    x, y = make_2d(name, n, noise, seed)
    return split(name, x, y, train_fraction, seed)


# --------------------------------------------------------------------------- digits


def digits(train_fraction: float = 0.75, seed: int = 0) -> Dataset:
    """scikit-learn's embedded 8x8 handwritten digits (1797 images, 10 classes), pixels in [0, 1]."""
    from sklearn import datasets as skdata

    d = skdata.load_digits()
    x = (d.data / 16.0).astype(np.float32)
    return split("digits", x, d.target.astype(np.int64), train_fraction, seed, image_shape=(8, 8))


# --------------------------------------------------------------------------- local files
# Every size is checked from a header before anything is allocated: an IDX header's dims, an .npy
# header inside an .npz, a zip member's declared size; unpacking stops at MAX_FILE_BYTES.

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_X_KEYS = ("x", "X", "images", "x_train")
_Y_KEYS = ("y", "Y", "labels", "y_train")
MAX_NPZ_MEMBERS = 64


def check_shape(shape: tuple[int, ...], role: str, source: str) -> None:
    """Refuse a declared shape before allocating it: images (n, ...) of at most MAX_PIXELS values
    each, labels (n,); sizes as Python ints, so nothing overflows."""
    if any(d < 0 for d in shape):
        raise ConfigError(f"{source} declares a negative size.")
    if role == "labels":
        if len(shape) != 1:
            raise ConfigError(f"{source} holds labels of {len(shape)} dimensions; labels must be one number per row.")
        return
    if not 2 <= len(shape) <= 4:
        raise ConfigError(
            f"{source} holds images of {len(shape)} dimensions; 2 to 4 (rows, height, width) are allowed."
        )
    pixels = math.prod(shape[1:])
    if pixels > MAX_PIXELS or pixels == 0:
        raise ConfigError(
            f"{source} holds rows of {pixels} values; 1 to {MAX_PIXELS} "
            f"(e.g. {MAX_SIDE}×{MAX_SIDE} images) are allowed."
        )


def parse_idx(raw: bytes, source: str = "IDX data", role: str = "images") -> np.ndarray:
    """Decode the IDX format (MNIST's): 2 zero bytes, a dtype code, ndim, big-endian int32 dims, data."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES or not 1 <= raw[3] <= 4:
        raise ConfigError(
            f"{source} is neither an .npz archive nor an IDX file (it does not start with an IDX header); "
            "choose an .npz, an IDX images file or a .csv file."
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ConfigError(f"{source} is truncated inside its header.")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    check_shape(dims, role, source)
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    nbytes = math.prod(dims) * dtype.itemsize
    if len(raw) - header != nbytes:
        raise ConfigError(f"{source} holds {len(raw) - header} data bytes but its header promises {nbytes}.")
    return np.frombuffer(raw, dtype=dtype, count=nbytes // dtype.itemsize, offset=header).reshape(dims)


def load_idx(path: str, role: str = "images", field: str = "file_path") -> np.ndarray:
    """Read an IDX file (optionally gzipped) that a config field names."""
    name, raw = read_file(path, MAX_FILE_BYTES, field)
    return parse_idx(gunzip(raw, MAX_FILE_BYTES, file_label(name)), file_label(name), role)


def load_npz(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Read x and y arrays from an .npz, checking each .npy header before reading it; never unpickles."""
    name, raw = read_file(path, MAX_FILE_BYTES)
    source = file_label(name)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_NPZ_MEMBERS:
                raise ConfigError(
                    f"{source} holds {len(infos)} files; an .npz of at most {MAX_NPZ_MEMBERS} is allowed."
                )
            arrays = {i.filename[:-4]: i for i in infos if i.filename.endswith(".npy")}
            xk = next((k for k in _X_KEYS if k in arrays), None)
            yk = next((k for k in _Y_KEYS if k in arrays), None)
            if xk is None or yk is None:
                raise ConfigError(
                    f"{source} must hold arrays named x and y (or images and labels, or x_train and y_train); "
                    f"it holds {len(arrays)} arrays without one of those pairs."
                )
            x = _npy(zf, arrays[xk], f"{source} array {xk}", "images")
            return x, _npy(zf, arrays[yk], f"{source} array {yk}", "labels")
    except ConfigError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
        RuntimeError,
        OverflowError,
        KeyError,
        SyntaxError,
    ):  # damaged, truncated, encrypted, odd headers
        raise ConfigError(f"{source} is not a readable .npz file (damaged, truncated or not a zip archive).") from None


def _npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, role: str) -> np.ndarray:
    """One .npy member: its header checked (numeric dtype, bounded shape) before its bytes are read."""
    if info.file_size > MAX_FILE_BYTES + 2**16:
        raise ConfigError(f"{source} unpacks to more than {MAX_FILE_BYTES // 2**20} MB.")
    with zf.open(info) as fh:
        version = npformat.read_magic(fh)
        if version not in ((1, 0), (2, 0)):
            raise ConfigError(f"{source} is not a plain numeric .npy array.")
        read_header = npformat.read_array_header_1_0 if version == (1, 0) else npformat.read_array_header_2_0
        shape, fortran, dtype = read_header(fh)
        if dtype.hasobject:
            raise ConfigError(f"{source} holds Python objects, which are never unpickled; save numeric arrays.")
        if dtype.kind not in "buif" or dtype.fields is not None or dtype.subdtype is not None:
            raise ConfigError(
                f"{source} holds {_KINDS.get(dtype.kind, 'non-numeric')} values; only numbers are allowed."
            )
        check_shape(tuple(int(d) for d in shape), role, source)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > MAX_FILE_BYTES or nbytes > info.file_size:
            raise ConfigError(f"{source} declares {nbytes} bytes of data but holds {info.file_size} at most.")
        data = fh.read(nbytes + 1)  # reading to the end also checks the member's CRC
    if len(data) != nbytes:
        raise ConfigError(f"{source} holds {len(data)} data bytes but its header promises {nbytes}.")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


_KINDS = {"U": "text", "S": "byte-string", "V": "structured", "c": "complex", "M": "date", "m": "time-span"}


def _images_to_dataset(
    name: str, x: np.ndarray, y: np.ndarray, train_fraction: float, seed: int, max_samples: int
) -> Dataset:
    source = file_label(name)
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
        raise ConfigError(f"{source}: images and labels do not match: shapes {x.shape} and {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and y.min() < 0):
        raise ConfigError(f"{source}: labels must be non-negative integers.")
    classes = len(np.unique(y))
    if classes < 2:
        raise ConfigError(f"{source}: labels must contain at least two classes.")
    if classes > MAX_CLASSES:
        raise ConfigError(f"{source}: the labels name {classes} classes; at most {MAX_CLASSES} are allowed.")
    r = np.random.default_rng([seed, 5])
    pixels = math.prod(x.shape[1:])
    rows = max(2 * classes, min(max_samples, MAX_VALUES // pixels))  # rows × pixels stays within MAX_VALUES
    if len(x) > rows:  # bounded subsample keeps a run within seconds
        keep = np.sort(r.choice(len(x), size=rows, replace=False))
        x, y = x[keep], y[keep]
    shape = tuple(x.shape[1:3]) if x.ndim == 3 else None
    xf = x.reshape(len(x), -1).astype(np.float32)
    if not np.isfinite(xf).all():
        raise ConfigError(f"{source}: the images hold NaN or infinite values; only finite numbers are allowed.")
    top = float(np.abs(xf).max()) or 1.0
    xf = xf / top if top > 1.0 else xf  # uint8 pixels -> [0, 1]
    _, y = np.unique(y, return_inverse=True)  # relabel to 0..C-1
    return split(name, xf, y.astype(np.int64), train_fraction, seed, image_shape=shape)


def load_local(
    path: str, labels_path: str = "", train_fraction: float = 0.75, seed: int = 0, max_samples: int = 10_000
) -> Dataset:
    """MNIST-format data from files (local paths on the command line; uploads or the data folder in
    the app): an .npz with x and y, or an IDX images file plus an IDX labels file (`labels_path`).
    Subsampled to `max_samples` rows (fewer when rows × pixels would pass MAX_VALUES), seeded."""
    if path.strip().lower().endswith(".npz"):  # an upload token ends with its file's name too
        x, y = load_npz(path)
    else:  # read the images first: a folder, a missing file or a file of another kind is named as such
        x = load_idx(path)
        if not labels_path.strip():
            raise ConfigError(
                f"{file_label(path.strip())} is an IDX images file; it needs its IDX labels file too (field "
                "'labels_path')."
            )
        y = load_idx(labels_path, "labels", "labels_path")
    return _images_to_dataset(
        os.path.basename(path.strip()),
        x,
        y.astype(np.int64) if np.issubdtype(y.dtype, np.integer) else y,
        train_fraction,
        seed,
        max_samples,
    )


def write_idx(path: str, array: np.ndarray) -> None:
    """Write a uint8 or int8 array in IDX format, the inverse of `parse_idx`."""
    codes = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09}
    a = np.ascontiguousarray(array)
    if a.dtype not in codes:
        raise ValueError("write_idx supports uint8 and int8 arrays")
    header = bytes([0, 0, codes[a.dtype], a.ndim]) + np.array(a.shape, dtype=">i4").tobytes()
    with open(path, "wb") as fh:
        fh.write(header + a.tobytes())
