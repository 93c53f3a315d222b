"""Gradient vs perturbation: how does a gradient find its way down a loss surface, how do momentum and
adaptive steps change the path, and how much slower is a learner that can only perturb and feel the loss?

One run has three parts:
1. every chosen learner (torch.optim's first-order optimizers and two zeroth-order learners) from the
   same start on a 2-D surface, with convergence rates on the quadratic measured against theory;
2. backprop, node and weight perturbation learning a linear teacher as the number of outputs grows
   (Werfel, Xie & Seung 2005);
3. activations, the gradient reaching each layer of a deep MLP at initialisation, and MSE against
   cross-entropy on a confidently wrong sigmoid output.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd

from brainsim.config import BaseConfig, param
from brainsim.live import LiveCurve
from brainsim.optimizers import cost, depth, landscape, perturbation, surfaces, theory
from brainsim.optimizers.descent import LEARNERS
from brainsim.optimizers.page import CHARTS, EQUATIONS, NOTES, metrics
from brainsim.registry import Experiment, More


@dataclass(frozen=True)
class OptimizersConfig(BaseConfig):
    surface: str = param(
        "quadratic",
        choices=surfaces.SURFACES,
        help="The 2-D loss f(x, y): a quadratic of condition number κ, Rosenbrock's valley, Beale, a saddle "
        "between two minima, Himmelblau's four minima, or your own expression.",
    )
    kappa: float = param(
        10.0,
        lo=1.0,
        hi=1000.0,
        widget="number",
        label="condition number κ",
        help="Quadratic f = ½(μu² + Lv²) with L = 1, μ = 1/κ; also the κ of the step-size chart.",
    )
    rotation: float = param(
        30.0,
        lo=0.0,
        hi=90.0,
        step=5.0,
        unit="°",
        help="Rotation of the quadratic's axes: GD and momentum do not care, the per-coordinate adaptive "
        "optimizers (Adagrad, RMSprop, Adam) do.",
    )
    expression: str = param(
        "x^2 + 3*y^2 + sin(3*x) + 0.5*cos(2*y)",
        max_chars=200,
        help="f(x, y) for surface = custom: numbers, x, y, pi, e, + - * / ^, parentheses and sin, cos, exp, "
        "log, sqrt, abs, tanh.",
        shown_when={"surface": ("custom",)},
    )
    start_x: float = param(
        -2.5, lo=-3.0, hi=3.0, step=0.1, help="Start x on the custom surface.", shown_when={"surface": ("custom",)}
    )
    start_y: float = param(
        2.5, lo=-3.0, hi=3.0, step=0.1, help="Start y on the custom surface.", shown_when={"surface": ("custom",)}
    )
    learners: tuple[str, ...] = param(
        LEARNERS,
        choices=LEARNERS,
        help="torch.optim optimizers (fed autograd's gradient) and zeroth-order learners (loss values only).",
    )
    steps: int = param(150, lo=5, hi=3000, help="Updates of every learner on the surface.")
    lr: float = param(
        0.1,
        lo=1e-5,
        hi=2.0,
        widget="number",
        label="learning rate (SGD, momentum, Nesterov)",
        help="Step size η of plain SGD and of the momentum methods (β = 0.9).",
    )
    adaptive_lr: float = param(
        0.1,
        lo=1e-5,
        hi=2.0,
        widget="number",
        label="learning rate (adaptive)",
        help="Step size of Adagrad, RMSprop, Adam and AdamW.",
    )
    perturb_lr: float = param(
        0.05,
        lo=1e-5,
        hi=2.0,
        widget="number",
        label="learning rate (perturbation)",
        help="Step size of weight perturbation and evolution strategies.",
    )
    sigma: float = param(
        0.1, lo=1e-3, hi=1.0, widget="number", label="perturbation σ", help="Size of the zeroth-order learners' probes."
    )
    pairs: int = param(
        10,
        lo=1,
        hi=100,
        label="ES pairs",
        help="Antithetic probe pairs per evolution-strategies step (2 loss values each).",
    )
    epsilon: float = param(
        1e-3,
        lo=1e-8,
        hi=1.0,
        widget="number",
        label="ε",
        help="A learner has arrived when f − f* ≤ ε (custom surface: f* = the lowest loss any learner reached).",
    )
    start_jitter: float = param(
        0.1,
        lo=0.0,
        hi=1.0,
        step=0.05,
        help="Each seed's start is the surface's start plus N(0, jitter²) per coordinate.",
    )
    seeds: int = param(
        3, lo=1, hi=10, help="Independent seeds (seed, seed+1, ...): starts, perturbations, teachers, networks."
    )
    n_inputs: int = param(
        4,
        lo=2,
        hi=16,
        label="inputs N (perturbation)",
        help="Inputs of the linear student and teacher in the perturbation race.",
    )
    max_outputs: int = param(
        8, lo=4, hi=64, label="largest M (perturbation)", help="Outputs swept M = 2, 4, 8, … up to this."
    )
    criterion: float = param(
        0.05,
        lo=0.005,
        hi=0.5,
        widget="number",
        label="criterion (perturbation)",
        help="Learning time = updates until the expected loss falls to this fraction of its start.",
    )
    max_updates: int = param(
        20000,
        lo=100,
        hi=100000,
        widget="number",
        label="most updates (perturbation)",
        help="A learner that has not reached the criterion by then is reported as not reaching it.",
    )
    depth: int = param(10, lo=2, hi=30, label="MLP depth", help="Linear layers of the deep MLP.")
    width: int = param(64, lo=8, hi=256, label="MLP width", help="Units per hidden layer (and inputs).")
    loss_steps: int = param(
        100,
        lo=10,
        hi=2000,
        label="neuron training steps",
        help="Full-batch SGD steps of the MSE vs cross-entropy neuron.",
    )

    def check(self) -> str | None:
        if not self.learners:
            return "Field 'learners' must name at least one learner."
        if self.surface == "custom":
            surfaces.make(self)  # raises ConfigError with one sentence for a bad expression
        return None


def run(cfg: OptimizersConfig, progress=None) -> dict[str, pd.DataFrame]:
    """Paths and rates on the surfaces, the perturbation race, then activations, depth and losses."""
    seeds = [cfg.seed + k for k in range(cfg.seeds)]
    timing, clock = [], time.perf_counter()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timing.append((phase, now - clock))
        clock = now

    surface = surfaces.make(cfg)
    paths, reach = landscape.run_paths(cfg, surface, seeds, progress, 0.0, 0.3)
    contour = landscape.contour_table(surface)
    lap("paths")
    rates, steps = theory.rate_table(cfg.kappa, cfg.rotation), theory.step_table(cfg.kappa, cfg.rotation)
    lap("theory")
    times = perturbation.sweep(cfg, seeds, progress, 0.35, 0.9)
    lap("perturbation")
    grads = depth.gradient_table(cfg.depth, cfg.width, seeds, depth.ACTIVATIONS)
    training = depth.loss_training(seeds, cfg.loss_steps)
    lap("depth and losses")
    if progress:
        progress(1.0, "done")
    return {
        "paths": paths,
        "reach": reach,
        "contour": contour,
        "rates": rates,
        "step_sizes": steps,
        "perturbation": times,
        "perturbation_ratio": perturbation.ratios(times),
        "perturbation_slopes": perturbation.slopes(times),
        "activations": depth.activation_table(),
        "grad_norms": grads,
        "loss_gradient": depth.loss_gradient_table(),
        "loss_training": training,
        "timing": pd.DataFrame(timing, columns=["phase", "wall_s"]),
    }


EXPERIMENT = Experiment(
    name="optimizers",
    title="Gradient vs perturbation",
    question="How do optimizers find their way down a loss surface, and how much slower is a learner that "
    "can only perturb and feel the reward?",
    config=OptimizersConfig,
    run=run,
    charts=CHARTS,
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    icon=":material/landscape:",
    url_path="gradient_vs_perturbation",
    cost=cost.seconds,
    live=LiveCurve("step", "loss", "Loss against step on the surface, live (mean over seeds)"),
    more=More(field="steps", step=50, label="steps"),
)
