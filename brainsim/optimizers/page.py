"""What the gradient-vs-perturbation page shows besides its config: notes, equations, charts, metrics."""

from __future__ import annotations

import math

import pandas as pd

from brainsim.equations import optimizer_equations
from brainsim.optimizers import charts as oc
from brainsim.optimizers.descent import ADAMW_DECAY
from brainsim.registry import Chart, Equation

NOTES = """
Every learner starts from the same point on the chosen surface. Gradient learners are `torch.optim`'s
own; weight perturbation and evolution strategies see only loss values and pass their gradient estimate
to plain SGD.

**What to look for**
- *Quadratic*: raise κ and watch SGD zig-zag across the valley while momentum cuts along it; rotate the
  axes and watch the per-coordinate optimizers (Adagrad, RMSprop, Adam) lose their advantage.
- *Theory*: on the quadratic, GD at its best step contracts by (κ−1)/(κ+1) per step, heavy-ball momentum
  by (√κ−1)/(√κ+1); GD diverges for steps above 2/L. The charts put the measured rate beside the formula.
- *Perturbation*: a learner that can only perturb and feel the change in loss follows the gradient on
  average, but its learning time grows with the number of outputs it perturbs (node perturbation) or
  weights (weight perturbation), relative to backprop (Werfel, Xie & Seung 2005).
- *Depth*: with sigmoid units and small default weights the gradient fades layer by layer toward the
  input; He initialisation keeps ReLU networks level.
- *Losses*: a confidently wrong sigmoid output gets almost no gradient under MSE, a full one under
  cross-entropy.
"""

EQUATIONS = optimizer_equations(("sgd", "momentum", "adagrad", "rmsprop", "adam")) + (
    Equation(
        r"b_t = \mu b_{t-1} + g_t,\qquad \theta \leftarrow \theta - \eta\,(g_t + \mu\, b_t),\quad \mu = 0.9",
        "SGD with Nesterov momentum (Nesterov 1983; Sutskever et al. 2013), as torch.optim.SGD(nesterov=True) "
        "implements it.",
    ),
    Equation(
        r"\theta \leftarrow \theta(1 - \eta\lambda),\ \text{then the Adam step};\quad \lambda = " + f"{ADAMW_DECAY:g}",
        "AdamW (Loshchilov & Hutter 2019): weight decay decoupled from the adaptive step, as torch.optim.AdamW.",
    ),
    Equation(
        r"\hat g = \frac{f(\theta + \sigma\xi) - f(\theta)}{\sigma}\,\xi,\ \ \xi \sim \mathcal N(0, I),\qquad "
        r"\theta \leftarrow \theta - \eta\,\hat g",
        "Weight perturbation (Jabri & Flower 1992): two loss values per step; E[ĝ] → ∇f as σ → 0.",
    ),
    Equation(
        r"\hat g = \frac{1}{2\sigma n}\sum_{i=1}^{n}\big[f(\theta + \sigma\epsilon_i)"
        r" - f(\theta - \sigma\epsilon_i)\big]\epsilon_i,\qquad \theta \leftarrow \theta - \eta\,\hat g",
        "Evolution strategies with antithetic sampling (Salimans et al. 2017; Wierstra et al. 2014).",
    ),
    Equation(
        r"\Delta W = -\eta\,\frac{\ell(y + \xi) - \ell(y)}{\sigma^2}\,\xi\,x^\top,"
        r"\quad \xi \sim \mathcal N(0, \sigma^2 I_M)",
        "Node perturbation (Williams 1992; Fiete & Seung 2006): noise on the M outputs; learning time relative "
        "to backprop grows ∝ M, weight perturbation's ∝ MN (Werfel, Xie & Seung 2005).",
    ),
    Equation(
        r"r_{\mathrm{GD}} = \frac{\kappa - 1}{\kappa + 1}\ \ (\eta = \tfrac{2}{L + \mu}),\qquad "
        r"r_{\mathrm{HB}} = \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\ \ "
        r"(\eta = \tfrac{4}{(\sqrt L + \sqrt\mu)^2},\ \beta = r_{\mathrm{HB}}^2)",
        "Per-step contraction on a quadratic of condition number κ = L/μ (Polyak 1964; Goh 2017, 'Why momentum "
        "really works'); GD diverges for η > 2/L.",
    ),
    Equation(
        r"\mathrm{Var}\,W_{ij} = \tfrac{1}{3 n_{\mathrm{in}}}\ (\text{default}),\quad "
        r"\tfrac{2}{n_{\mathrm{in}} + n_{\mathrm{out}}}\ (\text{Xavier}),\quad \tfrac{2}{n_{\mathrm{in}}}\ (\text{He})",
        "Initialisations: torch.nn.Linear's U(±1/√n_in); Glorot & Bengio (2010); He et al. (2015).",
    ),
    Equation(
        r"\frac{\partial}{\partial z}\tfrac12(\sigma(z) - 1)^2 = (p - 1)\,p(1 - p),\qquad "
        r"\frac{\partial}{\partial z}\big(-\ln \sigma(z)\big) = p - 1",
        "MSE against cross-entropy on a sigmoid output p = σ(z) with target 1: only MSE's gradient vanishes as p → 0.",
    ),
)

CHARTS = (
    Chart(
        "Paths on the surface",
        "paths",
        oc.paths_chart,
        "First seed's paths over log-spaced contours, drawn up to the step on the slider (▶ Play walks them); "
        "the big dot is where each learner is at that step, the star marks the minimum. Paths longer than 200 "
        "steps are drawn through 200 evenly spaced ones.",
        expanded=True,
    ),
    Chart(
        "Loss against step",
        "paths",
        oc.loss_chart,
        "f − f*, mean and 95% band over seeds; the dotted line is ε. Diverged learners stop.",
        expanded=True,
    ),
    Chart(
        "Steps to reach ε",
        "reach",
        oc.reach_chart,
        "Mean over the seeds that arrived; the label counts them. Zeroth-order learners also spend loss "
        "evaluations (see the table).",
    ),
    Chart(
        "Theory: rates at the optimal settings",
        "rates",
        oc.rates_chart,
        "Measured with torch.optim.SGD on the quadratic (rotated as set); dotted lines are the formulas.",
    ),
    Chart(
        "Theory: step size and divergence",
        "step_sizes",
        oc.step_chart,
        "Gradient descent's measured per-step factor against max(|1 − ημ|, |1 − ηL|); above 1 it diverges.",
    ),
    Chart(
        "Perturbation vs backprop: learning time",
        "perturbation",
        oc.perturbation_chart,
        "Updates (one sample each) to reach the criterion at each method's best learning rate.",
    ),
    Chart(
        "Perturbation vs backprop: slowdown",
        "perturbation_ratio",
        oc.ratio_chart,
        "Learning-time ratio to backprop; the dotted lines have slope 1 (∝ M).",
    ),
    Chart("Activations", "activations", oc.activation_chart, "f and autograd's f′ for each activation."),
    Chart(
        "Gradients through depth",
        "grad_norms",
        oc.gradient_chart,
        "Cross-entropy gradient norm of each layer's weights at initialisation (zero biases), mean over seeds.",
    ),
    Chart(
        "MSE vs cross-entropy: the gradient",
        "loss_gradient",
        oc.loss_gradient_chart,
        "Target 1: at z ≪ 0 the output is confidently wrong.",
    ),
    Chart(
        "MSE vs cross-entropy: training speed",
        "loss_training",
        oc.loss_training_chart,
        "One sigmoid neuron started confidently wrong (w = −4), full-batch SGD at η = 0.5, mean over seeds.",
    ),
)


def _ratio(grads: pd.DataFrame, init: str, act: str) -> float:
    """Mean over seeds of the last layer's gradient norm over the first's."""
    g = grads[(grads["init"] == init) & (grads["activation"] == act)]
    piv = g.pivot_table(index="seed", columns="layer", values="grad_norm")
    return float((piv[piv.columns.max()] / piv[1]).mean())


def metrics(results, cfg) -> list[tuple[str, str, str]]:
    """Headline numbers: measured rates against theory at the config's κ, the perturbation slopes and the
    depth ratios."""
    rates = results["rates"]
    mine = rates[rates["kappa"] == float(cfg.kappa)].set_index("method")
    out = [
        (
            f"{m} rate, κ = {cfg.kappa:g}",
            f"{mine.loc[m, 'measured_rate']:.3f}",
            f"theory {mine.loc[m, 'theory_rate']:.3f}",
        )
        for m in ("gd", "heavy ball")
    ]
    slopes = results["perturbation_slopes"]
    for method, part in slopes.groupby("method", sort=True):
        s = part["slope"]
        spread = f"sd {s.std():.2f} over {len(s)} seeds; " if len(s) > 1 else ""
        caption = f"slope; {spread}theory 1" + ("; some hit max_updates" if part["censored"].any() else "")
        out.append((method, f"{s.mean():.2f}", caption))
    # the ratios span 1 to 1e8: their log10 reads as a short number ("7.6" for 4e7)
    grads = results["grad_norms"]
    for label, init, act in (("sigmoid, default init", "default", "sigmoid"), ("relu, He init", "he", "relu")):
        ratio = _ratio(grads, init, act)
        out.append(
            (
                label,
                f"{math.log10(ratio) + 0.0:.1f}".replace("-0.0", "0.0"),
                f"log₁₀ of last ÷ first layer gradient ({ratio:.2g}×)",
            )
        )
    return out
