"""Data sets: seeded synthetic 2-D tasks, scikit-learn's embedded 8x8 digits, local MNIST/IDX/npz files.

Every generator takes a seed and returns the same arrays for the same arguments. Nothing is
downloaded: digits ship inside scikit-learn; MNIST is read from a path the user gives.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

import numpy as np
from sklearn import datasets as skdata
from sklearn.model_selection import train_test_split

from brainsim.config import ConfigError
from brainsim.textio import read_bounded

LOGIC_TASKS = ("and", "or", "xor")
TASKS_2D = ("xor", "and", "or", "circles", "moons", "spiral", "blobs")
MAX_FILE_BYTES = 256 * 1024 * 1024  # refuse local files larger than this (also once unpacked)


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
    d = skdata.load_digits()
    x = (d.data / 16.0).astype(np.float32)
    return split("digits", x, d.target.astype(np.int64), train_fraction, seed, image_shape=(8, 8))


# --------------------------------------------------------------------------- local files

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(raw: bytes, source: str = "IDX data") -> np.ndarray:
    """Decode the IDX format (MNIST's): 2 zero bytes, a dtype code, ndim, big-endian int32 dims, data."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_DTYPES or raw[3] == 0:
        raise ConfigError(f"{source} is not an IDX file (bad magic number).")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ConfigError(f"{source} is truncated inside its header.")
    dims = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    dtype = np.dtype(_IDX_DTYPES[raw[2]])
    count = int(np.prod(dims))
    if len(raw) - header != count * dtype.itemsize:
        raise ConfigError(
            f"{source} holds {len(raw) - header} data bytes but its header promises {count * dtype.itemsize}."
        )
    return np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(dims)


def load_idx(path: str) -> np.ndarray:
    """Read an IDX file (optionally gzipped) from a local path."""
    return parse_idx(read_bounded(path, MAX_FILE_BYTES, gunzip=True), f"File '{path}'")


def load_npz(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Read x and y arrays from a local .npz, refusing pickled objects."""
    raw = read_bounded(path, MAX_FILE_BYTES)
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as z:
            keys = set(z.files)
            xk = next((k for k in ("x", "X", "images", "x_train") if k in keys), None)
            yk = next((k for k in ("y", "Y", "labels", "y_train") if k in keys), None)
            if xk is None or yk is None:
                raise ConfigError(f"File '{path}' must hold arrays named 'x' and 'y'; it has {sorted(keys)}.")
            return np.asarray(z[xk]), np.asarray(z[yk])
    except ConfigError:
        raise
    except (ValueError, OSError) as exc:  # includes "Object arrays cannot be loaded when allow_pickle=False"
        raise ConfigError(f"File '{path}' is not a readable .npz of numeric arrays ({exc}).") from None


def _images_to_dataset(
    name: str, x: np.ndarray, y: np.ndarray, train_fraction: float, seed: int, max_samples: int
) -> Dataset:
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
        raise ConfigError(f"Images and labels do not match: shapes {x.shape} and {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer) or y.min() < 0:
        raise ConfigError("Labels must be non-negative integers.")
    if len(np.unique(y)) < 2:
        raise ConfigError("Labels must contain at least two classes.")
    r = np.random.default_rng([seed, 5])
    if len(x) > max_samples:  # bounded subsample keeps a run within seconds
        keep = np.sort(r.choice(len(x), size=max_samples, replace=False))
        x, y = x[keep], y[keep]
    shape = tuple(x.shape[1:3]) if x.ndim == 3 else None
    xf = x.reshape(len(x), -1).astype(np.float32)
    top = float(np.abs(xf).max()) or 1.0
    xf = xf / top if top > 1.0 else xf  # uint8 pixels -> [0, 1]
    _, y = np.unique(y, return_inverse=True)  # relabel to 0..C-1
    return split(name, xf, y.astype(np.int64), train_fraction, seed, image_shape=shape)


def load_local(
    path: str, labels_path: str = "", train_fraction: float = 0.75, seed: int = 0, max_samples: int = 10_000
) -> Dataset:
    """MNIST-format data from local files: an .npz with x and y, or an IDX images file plus an
    IDX labels file (`labels_path`). Subsampled to `max_samples` rows, seeded."""
    if path.endswith(".npz"):
        x, y = load_npz(path)
    else:
        if not labels_path:
            raise ConfigError("An IDX images file needs its IDX labels file too.")
        x, y = load_idx(path), load_idx(labels_path)
    return _images_to_dataset(
        os.path.basename(path),
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
