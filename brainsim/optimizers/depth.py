"""Activations, initialisation and depth; MSE against cross-entropy on a sigmoid output.

- Activations with their derivatives (autograd's f'), on a grid of pre-activations.
- The gradient norm reaching each layer of a deep MLP at initialisation: each backward pass through a
  layer multiplies the error by Wᵀ diag f'(a), so with sigmoid (f' ≤ ¼) and small default weights it
  shrinks layer by layer (vanishing gradients); Xavier (Glorot & Bengio 2010) and He (He et al. 2015)
  scale the weights to keep it level.
- A confidently wrong sigmoid output p = σ(z) ≈ 0 for target 1: MSE's gradient (p − 1)·p(1 − p) vanishes,
  cross-entropy's p − 1 does not.
"""

from __future__ import annotations

import math

import pandas as pd
import torch
import torch.nn.functional as F

from brainsim.runtime import torch_generator
from brainsim.torchkit import LEAKY_SLOPE, uniform_init

ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky relu": lambda a: F.leaky_relu(a, LEAKY_SLOPE),
    "gelu": F.gelu,
    "linear": lambda a: a,
}
INITS = ("default", "xavier", "he")
BATCH = 128
CLASSES = 10


def activation_table(lo: float = -4.0, hi: float = 4.0, n: int = 161) -> pd.DataFrame:
    """f(a) and f'(a) of every activation on n points from lo to hi."""
    rows = []
    for name, f in ACTIVATIONS.items():
        a = torch.linspace(lo, hi, n, dtype=torch.float64, requires_grad=True)
        h = f(a)
        (grad,) = torch.autograd.grad(h.sum(), a)
        rows += [(name, float(x), float(y), float(d)) for x, y, d in zip(a.detach(), h.detach(), grad)]
    return pd.DataFrame(rows, columns=["activation", "a", "f", "f_prime"])


def init_weights(kind: str, gen: torch.Generator, fan_out: int, fan_in: int) -> torch.Tensor:
    """default: torch.nn.Linear's U(±1/√fan_in) (variance 1/(3 fan_in)); xavier: N(0, 2/(fan_in + fan_out))
    (Glorot & Bengio 2010); he: N(0, 2/fan_in) (He et al. 2015)."""
    if kind == "default":
        return uniform_init(gen, (fan_out, fan_in), fan_in)
    std = math.sqrt(2.0 / (fan_in + fan_out)) if kind == "xavier" else math.sqrt(2.0 / fan_in)
    return torch.randn(fan_out, fan_in, generator=gen) * std


def layer_gradients(activation: str, init: str, depth: int, width: int, seed: int) -> list[float]:
    """‖∂L/∂W_l‖ for l = 1 … depth of an MLP (depth linear layers, `width` wide, zero biases, `activation`
    after every hidden layer) at initialisation, cross-entropy on a batch of random inputs and labels."""
    gen = torch_generator(seed, 15, 4, INITS.index(init))
    x = torch.randn(BATCH, width, generator=gen)
    labels = torch.randint(0, CLASSES, (BATCH,), generator=gen)
    weights = [init_weights(init, gen, CLASSES if i == depth - 1 else width, width) for i in range(depth)]
    for w in weights:
        w.requires_grad_(True)
    h = x
    for i, w in enumerate(weights):
        h = h @ w.T
        if i < depth - 1:
            h = ACTIVATIONS[activation](h)
    F.cross_entropy(h, labels).backward()
    return [float(w.grad.norm()) for w in weights]


def gradient_table(depth: int, width: int, seeds: list[int], activations) -> pd.DataFrame:
    """Per init, activation, seed and layer: the gradient norm at initialisation."""
    rows = []
    for init in INITS:
        for act in activations:
            for seed in seeds:
                for layer, norm in enumerate(layer_gradients(act, init, depth, width, seed), start=1):
                    rows.append((init, act, seed, layer, norm))
    return pd.DataFrame(rows, columns=["init", "activation", "seed", "layer", "grad_norm"])


def loss_gradient_table(n: int = 161) -> pd.DataFrame:
    """For target 1 and a sigmoid output p = σ(z): loss and |∂loss/∂z| of MSE ½(p − 1)² and of cross-entropy
    −ln p, against z (z ≪ 0: confidently wrong)."""
    rows = []
    for loss in ("mse", "cross-entropy"):
        z = torch.linspace(-8.0, 8.0, n, dtype=torch.float64, requires_grad=True)
        p = torch.sigmoid(z)
        value = 0.5 * (p - 1) ** 2 if loss == "mse" else -F.logsigmoid(z)
        (grad,) = torch.autograd.grad(value.sum(), z)
        rows += [
            (loss, float(a), float(b), float(c), abs(float(d)))
            for a, b, c, d in zip(z.detach(), p.detach(), value.detach(), grad)
        ]
    return pd.DataFrame(rows, columns=["loss", "z", "p", "loss_value", "grad_z"])


def loss_training(seeds: list[int], steps: int, lr: float = 0.5, n: int = 64) -> pd.DataFrame:
    """One sigmoid neuron p = σ(w x + b) on two classes x ~ N(±2, 1), started confidently wrong (w = −4),
    trained by full-batch torch.optim.SGD with MSE and with cross-entropy: error rate and mean p of the
    true class per step."""
    rows = []
    for seed in seeds:
        gen = torch_generator(seed, 15, 5)
        t = (torch.arange(n) % 2).double()
        x = (2 * t - 1) * 2 + torch.randn(n, generator=gen, dtype=torch.float64)
        for loss in ("mse", "cross-entropy"):
            w = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
            b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
            opt = torch.optim.SGD([w, b], lr=lr)
            for step in range(steps + 1):
                z = w * x + b
                p = torch.sigmoid(z)
                with torch.no_grad():
                    error = float(((p > 0.5).double() != t).double().mean())
                    p_true = float(torch.where(t > 0, p, 1 - p).mean())
                rows.append((loss, seed, step, error, p_true))
                if step == steps:
                    break
                value = 0.5 * ((p - t) ** 2).mean() if loss == "mse" else F.binary_cross_entropy_with_logits(z, t)
                opt.zero_grad()
                value.backward()
                opt.step()
    return pd.DataFrame(rows, columns=["loss", "seed", "step", "error_rate", "p_true"])
