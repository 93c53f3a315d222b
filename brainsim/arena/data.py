"""The arena's data: the shared data sets (brainsim.datasets), files, and a user's CSV (pasted text or a
.csv file: a local path on the command line, an upload or the data folder in the app), parsed and
validated here so every problem is one clear ConfigError sentence in brainsim.textio's style; errors
about a file never quote what it holds."""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np

from brainsim import datasets
from brainsim.config import ConfigError
from brainsim.textio import file_label, numbered_rows, quote, read_file_text

MAX_CSV_BYTES = 5 * 2**20
MAX_CSV_ROWS = 20_000
MAX_CSV_FEATURES = 1_000
MIN_ROWS_PER_CLASS = 5  # at least a few for training and one for testing after the stratified split


@dataclass(frozen=True)
class Prepared:
    """A split ready for the learners: inputs standardised when they are not images."""

    data: datasets.Dataset
    class_names: tuple[str, ...]
    mean: np.ndarray  # (d,) subtracted from raw inputs (zeros for images)
    scale: np.ndarray  # (d,) divided into them (ones for images)
    raw_train: np.ndarray  # (n, d) unstandardised, for plotting points
    raw_test: np.ndarray


def parse_csv(
    text: str, label_column: str = "label", source: str = "Field 'csv_text'", echo: bool = True
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Numeric feature columns + one label column -> x float32 (n, d), y int64 (n,), class names.

    The first row is the header. Labels may be any text; classes are numbered in sorted order.
    Errors name `source` and the row as numbered in the text (blank rows count, so it matches an editor).
    `echo`: errors may quote the text's cells and headers (shortened) — True for text the user pasted;
    False for a file, whose errors then say only where (row, column number) and what was expected."""
    rows = _csv_rows(text, source)
    if not rows:
        raise ConfigError(f"{source} is empty; give a header row of column names and then one row per sample.")
    header, body = rows[0][1], rows[1:]
    _check_header(header, len(body), label_column, source, echo)
    li = header.index(label_column)
    x = np.empty((len(body), len(header) - 1), dtype=np.float64)
    labels = []
    for i, (no, cells) in enumerate(body):
        if len(cells) != len(header):
            raise ConfigError(f"{source} row {no} has {len(cells)} cells; the header has {len(header)}.")
        labels.append(cells[li])
        x[i] = [
            _number(cell, f"{source} row {no}, column " + (quote(name) if echo else str(k + 1)), echo)
            for k, (name, cell) in enumerate(zip(header, cells))
            if k != li
        ]
    if any(not lab for lab in labels):
        raise ConfigError(f"{source} has rows with an empty {quote(label_column)} cell; every row needs a label.")
    names, y = np.unique(np.array(labels), return_inverse=True)
    _check_classes(names, y, label_column, source, echo)
    return x.astype(np.float32), y.astype(np.int64), tuple(str(n) for n in names)


def _csv_rows(text: str, source: str) -> list[tuple[int, list[str]]]:
    """(row number, stripped cells) of every row with a non-blank cell."""
    out = []
    for no, row in numbered_rows(text):
        try:
            cells = [c.strip() for c in next(csv.reader([row]))]
        except csv.Error:  # e.g. a cell over the csv module's 128 KB field limit
            raise ConfigError(f"{source} row {no} is not a valid CSV row.") from None
        if any(cells):
            out.append((no, cells))
    return out


def _check_header(header: list[str], n_rows: int, label_column: str, source: str, echo: bool) -> None:
    if label_column not in header:
        columns = f"its columns are {', '.join(quote(h) for h in header[:12])}" if echo else f"it has {len(header)}"
        raise ConfigError(
            f"{source} has no label column {quote(label_column)}; {columns}. Name the label column in 'label_column'."
        )
    if len(header) < 2:
        raise ConfigError(f"{source} needs at least one numeric feature column besides {quote(label_column)}.")
    if n_rows > MAX_CSV_ROWS:
        raise ConfigError(f"{source} has {n_rows} rows; at most {MAX_CSV_ROWS} are allowed.")
    if len(header) - 1 > MAX_CSV_FEATURES:
        raise ConfigError(f"{source} has {len(header) - 1} feature columns; at most {MAX_CSV_FEATURES} are allowed.")


def _number(cell: str, where: str, echo: bool = True) -> float:
    try:
        v = float(cell)
    except ValueError:
        what = f"holds {quote(cell)}, which" if echo else "holds a value that"
        raise ConfigError(f"{where} {what} is not a number; feature columns must be numeric.") from None
    if not math.isfinite(v):
        what = f"holds {quote(cell)}" if echo else "holds an infinite or NaN value"
        raise ConfigError(f"{where} {what}; only finite numbers are allowed.")
    return v


def _check_classes(names: np.ndarray, y: np.ndarray, label_column: str, source: str, echo: bool) -> None:
    if len(names) < 2:
        raise ConfigError(f"{source} has a single class in {quote(label_column)}; at least two are needed.")
    if len(names) > datasets.MAX_CLASSES:
        raise ConfigError(
            f"{source} has {len(names)} classes in {quote(label_column)}; at most {datasets.MAX_CLASSES} are allowed."
        )
    counts = np.bincount(y)
    if counts.min() < MIN_ROWS_PER_CLASS:
        worst = int(counts.argmin())
        which = quote(names[worst]) if echo else f"number {worst + 1} (in sorted order)"
        raise ConfigError(
            f"{source} is too small: class {which} has {counts.min()} rows; "
            f"each class needs at least {MIN_ROWS_PER_CLASS}."
        )


def _raw(cfg) -> tuple[datasets.Dataset, tuple[str, ...] | None]:
    """The task's split before standardising, and the class names a CSV gives (None otherwise)."""
    if cfg.task in datasets.TASKS_2D:
        return datasets.task_2d(cfg.task, cfg.n_samples, cfg.noise, cfg.train_fraction, cfg.seed), None
    if cfg.task == "digits":
        return datasets.digits(cfg.train_fraction, cfg.seed), None
    if cfg.task == "csv text":
        x, y, names = parse_csv(cfg.csv_text, cfg.label_column)
        return datasets.split("csv text", x, y, cfg.train_fraction, cfg.seed), names
    path = cfg.file_path.strip()  # task "local file": the config refuses an empty path
    if path.lower().endswith(".csv"):  # an upload token ends with its file's name too
        name, text = read_file_text(path, MAX_CSV_BYTES)
        name = os.path.basename(name)
        x, y, names = parse_csv(text, cfg.label_column, file_label(name), echo=False)
        return datasets.split(name, x, y, cfg.train_fraction, cfg.seed), names
    return datasets.load_local(path, cfg.labels_path, cfg.train_fraction, cfg.seed, cfg.max_samples), None


def load(cfg) -> Prepared:
    """The task named by an ArenaConfig, split (seeded by cfg.seed) and standardised."""
    data, names = _raw(cfg)
    if names is None:
        names = tuple(str(i) for i in range(data.n_classes))
    raw_train, raw_test = data.x_train, data.x_test
    if data.image_shape is None:  # z-score with training statistics only
        mean = raw_train.mean(0)
        scale = raw_train.std(0)
        scale = np.where(scale > 1e-8, scale, 1.0).astype(np.float32)
    else:  # pixels are already in [0, 1]; Hebbian features and the CNN want them as they are
        mean, scale = np.zeros(data.n_features, np.float32), np.ones(data.n_features, np.float32)
    std = datasets.Dataset(
        data.name,
        (raw_train - mean) / scale,
        data.y_train,
        (raw_test - mean) / scale,
        data.y_test,
        data.n_classes,
        data.image_shape,
    )
    return Prepared(std, names, mean.astype(np.float32), scale, raw_train, raw_test)
