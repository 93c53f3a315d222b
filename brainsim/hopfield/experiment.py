"""Associative memory: how many patterns can a Hebbian (Hopfield) network store and recall from a noisy
cue, against the theory (α_c ≈ 0.138) and against a backprop-trained denoising autoencoder with the
same number of weights?

One run stores patterns with every chosen learner and measures recall identically for all of them:
a cue (the pattern with bits flipped, or its bottom blanked) is run to a fixed point and counts as
recalled when the final state overlaps the stored pattern by ≥ 0.98.
- capacity: fraction recalled against load α = P/N (a sweep of P, nested per seed so every load
  reuses the same patterns and cue noise), with the final states sorted into recalled / other
  pattern / mixture / partial / spurious;
- robustness: fraction recalled against cue noise at the chosen P;
- trajectories, images and weights at the chosen P.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from brainsim.config import BaseConfig, param
from brainsim.hopfield import charts as hc
from brainsim.hopfield import cost, sweeps, tables
from brainsim.hopfield import denoising as ae
from brainsim.hopfield import patterns as pats
from brainsim.hopfield.storage import LEARNERS
from brainsim.live import LiveCurve
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import resolve_device

MAX_RECALL_GFLOP = 150  # bounds on one run's work (a 2-core CPU does roughly 20-60 GFLOP/s)
MAX_TRAIN_GFLOP = 100  # and on the autoencoders' training


@dataclass(frozen=True)
class HopfieldConfig(BaseConfig):
    patterns: str = param(
        "random",
        choices=("random", "digits", "upload"),
        help="What to store: random ±1 patterns, binarised 8x8 digits (one per class, upsampled), "
        "or your own rows pasted in 'patterns csv'.",
    )
    n_neurons: int = param(
        100,
        lo=16,
        hi=500,
        step=4,
        label="neurons N",
        help="Network size for random patterns (digits: N = 64·scale²; upload: the row length).",
        shown_when={"patterns": ("random",)},
    )
    n_patterns: int = param(
        10,
        lo=1,
        hi=450,
        label="patterns P",
        help="Patterns stored for the trajectory, robustness, image and weight views "
        "(digits: at most 10; upload: at most the number of rows). Must be below N.",
    )
    digit_scale: int = param(
        2,
        lo=1,
        hi=3,
        label="digit upsampling",
        help="Each 8x8 digit pixel becomes scale×scale neurons (N = 64, 256 or 576).",
        shown_when={"patterns": ("digits",)},
    )
    patterns_csv: str = param(
        pats.EXAMPLE_CSV,
        widget="text",
        label="patterns csv",
        help="Used when patterns = upload: one binary pattern per line or per ';', values "
        "0/1 or -1/+1 separated by commas or spaces, or runs like 0110...; all rows "
        "the same length (square lengths are drawn as square images).",
        shown_when={"patterns": ("upload",)},
    )
    cue: str = param(
        "flip",
        choices=("flip", "occlude"),
        help="How a cue is made from a stored pattern: flip a random fraction of its bits, or "
        "blank (set to −1) its last fraction of pixels, the bottom of an image.",
    )
    cue_fraction: float = param(
        0.1,
        lo=0.0,
        hi=0.9,
        step=0.01,
        label="cue corruption",
        help="Fraction of bits flipped or occluded in every cue (flips: at most 0.5).",
    )
    learners: tuple[str, ...] = param(
        LEARNERS, choices=LEARNERS, help="Storage rules and the backprop autoencoder to compare."
    )
    update: str = param(
        "async",
        choices=("async", "sync"),
        help="Hopfield dynamics: async = one neuron at a time in random order (energy never "
        "rises); sync = all neurons at once (faster, may end in 2-cycles).",
    )
    seeds: int = param(5, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): patterns, cues and init.")
    load_min: float = param(
        0.02,
        lo=0.005,
        hi=0.9,
        step=0.005,
        label="smallest load",
        help="Smallest α = P/N of the capacity sweep (random patterns).",
        shown_when={"patterns": ("random",)},
    )
    load_max: float = param(
        0.6,
        lo=0.01,
        hi=0.95,
        step=0.01,
        label="largest load",
        help="Largest α = P/N of the capacity sweep (random patterns; P < N).",
        shown_when={"patterns": ("random",)},
    )
    n_loads: int = param(
        8,
        lo=2,
        hi=20,
        label="loads",
        help="Loads in the capacity sweep (digits/upload sweep P = 1 … all patterns instead).",
        shown_when={"patterns": ("random",)},
    )
    load_spacing: str = param(
        "log",
        choices=("log", "linear"),
        help="Spacing of the swept loads: log puts more of them at small α, where the Hebbian rule fails.",
        shown_when={"patterns": ("random",)},
    )
    max_sweeps: int = param(
        20,
        lo=1,
        hi=100,
        advanced=True,
        help="Most update sweeps (async: N single-neuron updates; sync: one parallel step).",
    )
    beta: float = param(
        1.0,
        lo=0.05,
        hi=20.0,
        step=0.05,
        advanced=True,
        label="modern β·√N",
        help="Inverse temperature of the modern Hopfield network, in units of 1/√N.",
    )
    ae_arch: str = param(
        "bottleneck",
        choices=ae.ARCHITECTURES,
        label="autoencoder",
        help="bottleneck: N→N/2→N (N² weights); one-layer: N→N without self-connections, "
        "the Hopfield architecture trained by backprop (N(N−1) weights).",
    )
    ae_epochs: int = param(
        60,
        lo=1,
        hi=1000,
        step=10,
        label="autoencoder epochs",
        help="Full-batch Adam steps of the denoising autoencoder (fresh corruption each step).",
    )
    ae_lr: float = param(
        0.03,
        lo=1e-4,
        hi=1.0,
        widget="number",
        label="autoencoder learning rate",
        help="Adam learning rate of the autoencoder.",
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if self.cue == "flip" and self.cue_fraction > 0.5:
            return "Field 'cue_fraction' must be at most 0.5 for flip cues (flipping more than half reverses the cue)."
        if self.load_min >= self.load_max:
            return "Field 'load_min' must be below 'load_max'."
        if self.patterns == "random" and self.n_patterns >= self.n_neurons:
            return (
                f"Field 'n_patterns' must be below n_neurons ({self.n_neurons}), not {self.n_patterns}: the "
                "pseudo-inverse needs P < N."
            )
        sizes = sweeps.plan(self)  # an upload is parsed here: raises ConfigError with the row and the problem
        recall, train = sweeps.work_gflop(self, sizes)
        if recall > MAX_RECALL_GFLOP:
            return (
                f"This run needs about {recall:.0f} GFLOP of recall (at most {MAX_RECALL_GFLOP} allowed); lower "
                "n_neurons, seeds, n_loads or load_max, or choose update = sync."
            )
        if train > MAX_TRAIN_GFLOP:
            return (
                f"Training the autoencoders needs about {train:.0f} GFLOP (at most {MAX_TRAIN_GFLOP} allowed); "
                "lower ae_epochs, seeds, n_loads, load_max or n_neurons."
            )
        return None


def run(cfg: HopfieldConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Capacity sweep, then robustness, trajectories, images and weights at the chosen P, for every learner."""
    sizes = sweeps.plan(cfg)
    bank = sweeps.make_bank(cfg, sizes, resolve_device(cfg.device))
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    learners = [name for name in LEARNERS if name in cfg.learners]
    capacity, timing = sweeps.capacity_sweep(cfg, bank, learners, seeds, progress, 0.0, 0.7)
    views = sweeps.fixed_p(cfg, bank, learners, seeds, progress, 0.7, 1.0)
    summary = tables.summary_table(learners, bank.n, bank.p, capacity, views.recalled, views.n_weights, views.diverged)
    return {
        "capacity": capacity,
        **views.tables(),
        "summary": summary,
        "timing": tables.timing_table(timing + views.timing),
    }


# --------------------------------------------------------------------------- page


AE_EPOCHS = HopfieldConfig.__dataclass_fields__["ae_epochs"].default

NOTES = f"""
Store P patterns in N neurons, then cue each with a corrupted copy; a recall counts when the network
settles within 2% of the stored pattern (overlap ≥ 0.98).

**What to look for**
- *Capacity*: the Hebbian curve collapses near α = P/N ≈ 0.14 (Amit, Gutfreund & Sompolinsky 1985).
- Storkey's rule (local and incremental like Hebb's, one pattern at a time) and the pseudo-inverse rule
  (non-local: it needs all patterns at once) hold on far longer.
- What the autoencoder buys with {AE_EPOCHS} full-batch Adam steps ('autoencoder epochs') against the
  Hebbian rule's one shot.
- Try digits: correlated patterns break the Hebbian rule at a handful of memories.
---
The summary compares each theory with the measure it predicts: α_c = 0.138 with noisy-cue recall, the
pseudo-inverse's limit α = 1 with *stability* (the network started on a stored pattern stays there);
its noisy-cue capacity is lower because its basins of attraction shrink as α → 1.
"""

EQUATIONS = (
    Equation(
        r"w_{ij} = \frac{1}{N}\sum_{\mu=1}^{P} \xi_i^\mu \xi_j^\mu,\quad w_{ii}=0",
        "Hebbian outer-product rule (Hopfield 1982); capacity α_c = P/N ≈ 0.138 (Amit et al. 1985)",
    ),
    Equation(
        r"w_{ij}^{\nu} = w_{ij}^{\nu-1} + \tfrac{1}{N}\left(\xi_i^\nu\xi_j^\nu - \xi_i^\nu h_{ji}^\nu"
        r" - h_{ij}^\nu \xi_j^\nu\right),\quad h_{ij}^\nu = \sum_{k\ne i,j} w_{ik}^{\nu-1}\xi_k^\nu",
        "Storkey (1997) incremental local rule",
    ),
    Equation(
        r"W = \tfrac{1}{N}\,\Xi^\top C^{-1}\,\Xi,\quad C_{\mu\nu} = \tfrac{1}{N}\,\xi^\mu\!\cdot\xi^\nu",
        "Pseudo-inverse (projection) rule (Personnaz, Guyon & Dreyfus 1985), diagonal removed "
        "(Kanter & Sompolinsky 1987); every pattern is a fixed point for P < N",
    ),
    Equation(
        r"s_i \leftarrow \operatorname{sgn}\Big(\sum_j w_{ij} s_j\Big),\qquad "
        r"E(s) = -\tfrac12 \sum_{ij} w_{ij} s_i s_j",
        "Recall dynamics and energy; asynchronous updates never raise E (Hopfield 1982)",
    ),
    Equation(
        r"s \leftarrow \Xi^\top \operatorname{softmax}(\beta\, \Xi\, s)",
        "Modern Hopfield network / attention (Ramsauer et al. 2020), β in units of 1/√N",
    ),
    Equation(
        r"\mathcal{L} = \mathrm{BCE}\big(f_\theta(\tilde\xi^\mu),\, \xi^\mu\big),\ "
        r"\tilde\xi^\mu = \mathrm{corrupt}(\xi^\mu),\quad \theta \leftarrow \mathrm{Adam}(\nabla_\theta"
        r"\mathcal{L})",
        "Denoising autoencoder with the Hopfield net's weight budget, trained by backprop (Vincent et al. 2008)",
    ),
)


def _censored(load: float, estimate: str) -> str:
    """A critical load as text, marked < or > when it lies beyond the swept range."""
    mark = {"below swept range": "< ", "above swept range": "> "}.get(estimate, "")
    return f"{mark}{load:.3f}"


def _metrics(results, cfg) -> list[tuple[str, str, str]]:
    """Headline numbers (label, short value, caption): each learner's critical load α = P/N (censored at the
    ends of the swept range), and the pseudo-inverse's stability limit."""
    s = results["summary"].set_index("learner")
    out = []
    for learner in s.index:
        row = s.loc[learner]
        caption = "noisy-cue capacity α = P/N" + ("; theory 0.138" if learner == "hebbian" else "")
        out.append((learner, _censored(row["capacity_load"], row["estimate"]), caption))
        if learner == "pseudo-inverse":
            stable = _censored(row["stable_load"], row["stable_estimate"])
            out.append(("pseudo-inverse, stable", stable, "α of fixed points; theory: up to 1"))
    return out


EXPERIMENT = Experiment(
    name="hopfield",
    title="Associative memory",
    question="How many patterns can a Hebbian (Hopfield) network store and recall from a noisy cue, "
    "vs a backprop-trained autoencoder?",
    config=HopfieldConfig,
    run=run,
    charts=(
        Chart(
            "Capacity: fraction recalled vs load",
            "capacity",
            hc.capacity_chart,
            "Mean and 95% band over seeds of the fraction of cues recalled (overlap ≥ 0.98). The dotted line "
            "is the Hebbian theory α_c = 0.138 (Amit, Gutfreund & Sompolinsky 1985), an N → ∞ limit; "
            "finite networks recall a little beyond it.",
            expanded=True,
        ),
        Chart(
            "Where failed recalls end",
            "capacity",
            hc.outcome_chart,
            "Final states sorted into recalled, another stored pattern (or a reversed one), mixture "
            "(≥ 3 patterns with |overlap| ≥ 0.25), partial (target overlap 0.5–0.98) and spurious states.",
        ),
        Chart(
            "Robustness: recall vs cue corruption",
            "robustness",
            hc.robustness_chart,
            "At the chosen P: how much corruption each memory can clean up.",
        ),
        Chart(
            "Recall trajectories: overlap with the target",
            "trajectories",
            hc.overlap_chart,
            "Mean over seeds and cues. Async: one sweep = N single-neuron updates.",
        ),
        Chart(
            "Energy per neuron during recall",
            "trajectories",
            hc.energy_chart,
            "E/N = −sᵀWs/(2N) for the classical rules (never rises under async updates); the modern "
            "network's log-sum-exp energy; the autoencoder has none.",
        ),
        Chart(
            "Stored, cue and recalled patterns",
            "images",
            hc.image_grid,
            "First seed: each row a stored pattern, its cue, and the final state of every learner.",
            expanded=True,
        ),
        Chart(
            "Timeline: recall sweep by sweep",
            "recall_frames",
            hc.recall_timeline,
            "Drag the slider or press Play: the first seed's first noisy cue (black = +1) as each learner's network "
            "updates it, one recorded frame per fifth of a sweep (async) or per sweep (sync), until it stops "
            "changing; a learner that settled earlier holds its final state. Hover for the overlap with the "
            "stored pattern.",
        ),
        Chart(
            "Weight matrices",
            "weights",
            hc.weights_chart,
            f"First seed, top-left block of at most {sweeps.MAX_WEIGHTS_N} neurons, each scaled by its largest |w|. "
            "The bottleneck autoencoder is shown by its linearisation W₁W₂.",
        ),
    ),
    equations=EQUATIONS,
    metrics=_metrics,
    notes=NOTES,
    icon=":material/hub:",
    url_path="associative_memory",
    cost=cost.seconds,
    live=LiveCurve("load", "recall", "Capacity: fraction recalled vs load, live", (-0.02, 1.02)),
)
