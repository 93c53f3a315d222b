"""What learners learn: the receptive fields that Hebbian, competitive and backprop learners discover from
the same images, checked against principal component analysis, and what each representation is good for
(a linear probe on the digit labels).

Every learner trains on the same training images of one split (the run's seed), each from its own seeded
initialisation per seed: Oja's rule (one unit) and Sanger's rule (k units) on centred pixels, competitive
Krotov-Hopfield units on raw pixels, an MLP and a small CNN on the labels, an autoencoder on centred
pixels. The page draws their first-layer weights as images on one colour scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brainsim import datasets, textio
from brainsim.config import BaseConfig, ConfigError, param
from brainsim.features import cost, page
from brainsim.features.backprop import AE_ACTIVATIONS
from brainsim.features.data import load
from brainsim.features.run import LEARNERS, run_all
from brainsim.live import LiveCurve
from brainsim.registry import Experiment, More

ONLY_FILE = {"data": ("local file",)}


@dataclass(frozen=True)
class FeaturesConfig(BaseConfig):
    learners: tuple[str, ...] = param(LEARNERS, choices=LEARNERS, help="Learners to train and compare.")
    ae_activation: str = param(
        "linear",
        choices=AE_ACTIVATIONS,
        label="autoencoder units",
        help="Code units of the autoencoder: linear ones span the principal subspace (Baldi & Hornik 1989).",
    )
    components: int = param(
        4,
        lo=1,
        hi=16,
        label="components k",
        help="Units of Sanger's rule and code units of the autoencoder: both should find the top-k principal subspace.",
    )
    hidden: int = param(
        16, lo=2, hi=64, label="hidden units", help="Units of the competitive layer and of the MLP's hidden layer."
    )
    filters: int = param(8, lo=1, hi=16, label="CNN filters", help="First-layer filters of the CNN.")
    kernel: int = param(5, lo=2, hi=7, label="CNN kernel", unit="pixels", help="Side of each CNN filter.")
    image_index: int = param(
        0,
        lo=0,
        hi=9999,
        label="image for feature maps",
        help="Test image whose CNN feature maps are drawn (an index past the end wraps around).",
    )
    hebb_epochs: int = param(
        20, lo=1, hi=200, label="Hebbian epochs", help="Passes over the training images of the local rules."
    )
    hebb_lr: float = param(
        0.5,
        lo=1e-4,
        hi=2.0,
        widget="number",
        label="Hebbian rate",
        help="Starting rate η of Oja's, Sanger's and the competitive rule; it decays linearly to 1% of itself.",
    )
    epochs: int = param(8, lo=1, hi=200, label="backprop epochs", help="Passes of the MLP, CNN and autoencoder.")
    lr: float = param(
        0.03,
        lo=1e-5,
        hi=1.0,
        widget="number",
        label="backprop rate",
        help="Adam's starting learning rate (backprop); it decays linearly to 1% of itself.",
    )
    batch_size: int = param(32, lo=16, hi=512, help="Mini-batch size of every learner.")
    seeds: int = param(2, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): initial weights and batch order.")
    data: str = param(
        "digits",
        choices=("digits", "local file"),
        help="Images to learn from: scikit-learn's embedded 8x8 digits (1,797), or an MNIST-style file of yours.",
    )
    file_path: str = param(
        "",
        shown_when=ONLY_FILE,
        widget="file",
        help="For data 'local file': an .npz with x (images) and y (labels), or an IDX images file (optionally "
        f".gz; labels in 'labels path'); at most {textio.MAX_FILE_MB} MB, {datasets.MAX_SIDE}×{datasets.MAX_SIDE} "
        "pixels.",
    )
    labels_path: str = param(
        "", shown_when=ONLY_FILE, widget="file", help="IDX labels file (optionally .gz) that goes with an IDX file."
    )
    max_samples: int = param(
        2000,
        lo=100,
        hi=5000,
        shown_when=ONLY_FILE,
        help="Images kept from a file (a seeded subsample), three quarters of them for training.",
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' is empty; pick at least one learner."
        if self.data == "local file" and not self.file_path.strip():
            return (
                "Data 'local file' needs a path in 'file_path' (.npz or IDX): upload a file in the app, or give a "
                "local path on the command line."
            )
        return None


def validate_inputs(cfg: FeaturesConfig) -> None:
    """Load a file before any training, and refuse data the learners cannot use."""
    d = load(cfg)
    if d.image_shape is None:
        raise ConfigError("The file holds flat rows, not images: give images of shape (n, height, width).")
    if cfg.kernel > min(d.image_shape):
        raise ConfigError(f"Field 'kernel' ({cfg.kernel}) must be at most the images' side, {min(d.image_shape)}.")
    if cfg.components > d.n_features:
        raise ConfigError(f"Field 'components' ({cfg.components}) must be at most the pixels per image.")


def run(cfg: FeaturesConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Every chosen learner on every seed; the tables behind the page's pictures and probe."""
    return run_all(cfg, load(cfg), progress)


EXPERIMENT = Experiment(
    name="features",
    title="What learners learn",
    question="What features do Hebbian, competitive and backprop learners discover from the same images?",
    config=FeaturesConfig,
    run=run,
    charts=page.CHARTS,
    equations=page.EQUATIONS,
    metrics=page.metrics,
    notes=page.NOTES,
    icon=":material/grid_view:",
    url_path="receptive_fields",
    validate_inputs=validate_inputs,
    cost=cost.seconds,
    live=LiveCurve("epoch", "abs_cos", "Oja's and Sanger's units against the principal components, live", (0.0, 1.02)),
    more=More(
        field="epochs",
        step=5,
        label="backprop epochs",
        note="The backprop learners' rate decays linearly over all their updates, so the longer run is a new run "
        "with a slower decay, not a continuation.",
    ),
)
