"""The arena's data: the shared 2-D tasks, digits, local files, and a user's CSV (pasted text or a
local .csv file), parsed and validated here so every problem is one clear ConfigError sentence."""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass

import numpy as np

from brainsim import tasks
from brainsim.config import ConfigError

MAX_CSV_BYTES = 5 * 2**20
MAX_CSV_ROWS = 20_000
MAX_CSV_FEATURES = 1_000
MIN_ROWS_PER_CLASS = 5  # at least a few for training and one for testing after the stratified split


@dataclass(frozen=True)
class Prepared:
    """A split ready for the learners: inputs standardised when they are not images."""

    data: tasks.Dataset
    class_names: tuple[str, ...]
    mean: np.ndarray  # (d,) subtracted from raw inputs (zeros for images)
    scale: np.ndarray  # (d,) divided into them (ones for images)
    raw_train: np.ndarray  # (n, d) unstandardised, for plotting points
    raw_test: np.ndarray


def parse_csv(
    text: str, label_column: str = "label", source: str = "The CSV text"
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Numeric feature columns + one label column -> x float32 (n, d), y int64 (n,), class names.

    The first row is the header. Labels may be any text; classes are numbered in sorted order."""
    if len(text.encode("utf-8", errors="replace")) > MAX_CSV_BYTES:
        raise ConfigError(f"{source} is larger than {MAX_CSV_BYTES // 2**20} MB.")
    rows = [r for r in csv.reader(io.StringIO(text.strip())) if any(c.strip() for c in r)]
    if not rows:
        raise ConfigError(f"{source} is empty; give a header row of column names and then one row per sample.")
    header = [c.strip() for c in rows[0]]
    body = rows[1:]
    if label_column not in header:
        raise ConfigError(
            f"{source} has no label column '{label_column}'; its columns are "
            f"{', '.join(header[:12])}. Name the label column in 'label column'."
        )
    if len(header) < 2:
        raise ConfigError(f"{source} needs at least one numeric feature column besides '{label_column}'.")
    if len(body) > MAX_CSV_ROWS:
        raise ConfigError(f"{source} has {len(body)} rows; at most {MAX_CSV_ROWS} are allowed.")
    if len(header) - 1 > MAX_CSV_FEATURES:
        raise ConfigError(f"{source} has {len(header) - 1} feature columns; at most {MAX_CSV_FEATURES} are allowed.")
    li = header.index(label_column)
    x = np.empty((len(body), len(header) - 1), dtype=np.float64)
    labels = []
    for r, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise ConfigError(f"{source} row {r} has {len(row)} cells; the header has {len(header)}.")
        cells = [c.strip() for c in row]
        labels.append(cells[li])
        for j, (name, cell) in enumerate((n, c) for k, (n, c) in enumerate(zip(header, cells)) if k != li):
            try:
                v = float(cell)
            except ValueError:
                raise ConfigError(
                    f"{source} row {r}, column '{name}' holds '{cell[:20]}', which is not a "
                    f"number; feature columns must be numeric."
                ) from None
            if not math.isfinite(v):
                raise ConfigError(
                    f"{source} row {r}, column '{name}' holds '{cell[:20]}'; only finite numbers are allowed."
                )
            x[r - 2, j] = v
    if any(not lab for lab in labels):
        raise ConfigError(f"{source} has rows with an empty '{label_column}' cell; every row needs a label.")
    names, y = np.unique(np.array(labels), return_inverse=True)
    if len(names) < 2:
        raise ConfigError(f"{source} has a single class in '{label_column}'; at least two are needed.")
    counts = np.bincount(y)
    if counts.min() < MIN_ROWS_PER_CLASS:
        worst = names[int(counts.argmin())]
        raise ConfigError(
            f"{source}: class '{worst}' has {counts.min()} rows; each class needs at least {MIN_ROWS_PER_CLASS}."
        )
    return x.astype(np.float32), y.astype(np.int64), tuple(str(n) for n in names)


def read_csv_file(path: str) -> str:
    """Text of a local .csv file, refusing missing or oversized files."""
    if not os.path.isfile(path):
        raise ConfigError(f"File '{path}' does not exist.")
    if os.path.getsize(path) > MAX_CSV_BYTES:
        raise ConfigError(f"File '{path}' is larger than {MAX_CSV_BYTES // 2**20} MB; CSV files are limited to that.")
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(f"File '{path}' is not UTF-8 text.") from None


def load(cfg) -> Prepared:
    """The task named by an ArenaConfig, split (seeded by cfg.seed) and standardised."""
    names = None
    if cfg.task in tasks.TASKS_2D:
        data = tasks.task_2d(cfg.task, cfg.n_samples, cfg.noise, cfg.train_fraction, cfg.seed)
    elif cfg.task == "digits":
        data = tasks.digits(cfg.train_fraction, cfg.seed)
    elif cfg.task == "csv text":
        x, y, names = parse_csv(cfg.csv_text, cfg.label_column, "The CSV text")
        data = tasks.split("csv text", x, y, cfg.train_fraction, cfg.seed)
    else:  # local file
        path = cfg.file_path.strip()
        if not path:
            raise ConfigError("Field 'file_path' is empty; give a local .npz, IDX or .csv file.")
        if path.lower().endswith(".csv"):
            x, y, names = parse_csv(read_csv_file(path), cfg.label_column, f"File '{os.path.basename(path)}'")
            data = tasks.split(os.path.basename(path), x, y, cfg.train_fraction, cfg.seed)
        else:
            data = tasks.load_local(path, cfg.labels_path.strip(), cfg.train_fraction, cfg.seed, cfg.max_samples)
    if names is None:
        names = tuple(str(i) for i in range(data.n_classes))
    raw_train, raw_test = data.x_train, data.x_test
    if data.image_shape is None:  # z-score with training statistics only
        mean = raw_train.mean(0)
        scale = raw_train.std(0)
        scale = np.where(scale > 1e-8, scale, 1.0).astype(np.float32)
    else:  # pixels are already in [0, 1]; Hebbian features and the CNN want them as they are
        mean, scale = np.zeros(data.n_features, np.float32), np.ones(data.n_features, np.float32)
    std = tasks.Dataset(
        data.name,
        (raw_train - mean) / scale,
        data.y_train,
        (raw_test - mean) / scale,
        data.y_test,
        data.n_classes,
        data.image_shape,
    )
    return Prepared(std, names, mean.astype(np.float32), scale, raw_train, raw_test)
