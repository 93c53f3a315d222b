"""The images every learner sees: the embedded digits or a local MNIST-style file, one seeded split."""

from __future__ import annotations

from brainsim import datasets

TRAIN_FRACTION = 0.75


def load(cfg) -> datasets.Dataset:
    """The run's split (seeded by the run's seed, shared by all its seeds and learners)."""
    if cfg.data == "local file":
        return datasets.load_local(cfg.file_path, cfg.labels_path, TRAIN_FRACTION, cfg.seed, cfg.max_samples)
    return datasets.digits(TRAIN_FRACTION, cfg.seed)
