"""Equations shown on several pages, written once: torch.optim's update rules as torch implements
them (defaults of torch 2.13), keyed by the optimizer names of brainsim.torchkit.OPTIMIZERS.

g_t is the mini-batch gradient of the loss at step t, plus λθ when weight decay λ is set.
"""

from __future__ import annotations

from brainsim.registry import Equation
from brainsim.torchkit import MOMENTUM

_SOURCE = "as torch.optim implements it"

OPTIMIZER_EQUATIONS = {
    "gd": Equation(
        r"\theta \leftarrow \theta - \eta\,\nabla_\theta \tfrac{1}{n}\textstyle\sum_{i=1}^{n} \ell_i",
        "GD: gradient descent on the whole training set (torch.optim.SGD fed one batch of every sample).",
    ),
    "sgd": Equation(
        r"\theta \leftarrow \theta - \eta\, g_t",
        f"SGD: stochastic gradient descent on mini-batches (Robbins & Monro 1951), {_SOURCE}, no momentum.",
    ),
    "momentum": Equation(
        r"b_t = \mu\, b_{t-1} + g_t\ (b_1 = g_1),\qquad \theta \leftarrow \theta - \eta\, b_t,\quad \mu = "
        + f"{MOMENTUM:g}",
        f"SGD with heavy-ball momentum (Polyak 1964), {_SOURCE} (no dampening).",
    ),
    "adagrad": Equation(
        r"G_t = G_{t-1} + g_t^2,\qquad \theta \leftarrow \theta - \eta\, \frac{g_t}{\sqrt{G_t} + \epsilon},"
        r"\quad \epsilon = 10^{-10}",
        f"Adagrad (Duchi, Hazan & Singer 2011), {_SOURCE}: element-wise steps shrink with summed squares.",
    ),
    "rmsprop": Equation(
        r"v_t = \alpha\, v_{t-1} + (1-\alpha)\, g_t^2,\qquad \theta \leftarrow \theta - \eta\, "
        r"\frac{g_t}{\sqrt{v_t} + \epsilon},\quad \alpha = 0.99,\ \epsilon = 10^{-8}",
        f"RMSprop (Tieleman & Hinton 2012), {_SOURCE}: a running mean of squares instead of a sum.",
    ),
    "adam": Equation(
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t,\ \ v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2,\ \ "
        r"\theta \leftarrow \theta - \eta\,\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}",
        f"Adam (Kingma & Ba 2015), {_SOURCE}: bias-corrected moments, ε = 10⁻⁸ outside the root, β₁ = 0.9, β₂ = 0.999.",
    ),
}


def optimizer_equations(names) -> tuple[Equation, ...]:
    """The update rules of the optimizers `names` (in torchkit's order), for an experiment's EQUATIONS."""
    return tuple(OPTIMIZER_EQUATIONS[n] for n in OPTIMIZER_EQUATIONS if n in set(names))
