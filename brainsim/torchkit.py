"""Torch plumbing every experiment shares, written once so a name means one thing everywhere:
the optimizer vocabulary, torch.nn.Linear's fan-in initialisation, and the activation table
(each activation with its derivative, for learners that write their backward pass out).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

# "gd" is plain SGD fed the whole training set (the caller sets the batch); "sgd" is plain SGD on
# mini-batches; "momentum" is SGD with heavy-ball momentum MOMENTUM. Nothing else carries momentum.
OPTIMIZERS = ("gd", "sgd", "momentum", "adagrad", "rmsprop", "adam")
MOMENTUM = 0.9
# Older configs spelled the arena's optimizers with capitals; they load as these names.
OPTIMIZER_ALIASES = {"GD": "gd", "SGD": "sgd", "Adagrad": "adagrad", "RMSprop": "rmsprop", "Adam": "adam"}


def make_optimizer(name: str, params, lr: float, weight_decay: float = 0.0, **options) -> torch.optim.Optimizer:
    """torch.optim optimizer by vocabulary name. `weight_decay` λ adds λ·w to every gradient (L2);
    `options` go to torch.optim unchanged (e.g. foreach=False for many tiny tensors)."""
    kw = dict(lr=lr, weight_decay=weight_decay, **options)
    if name in ("gd", "sgd"):
        return torch.optim.SGD(params, **kw)
    if name == "momentum":
        return torch.optim.SGD(params, momentum=MOMENTUM, **kw)
    if name == "adagrad":
        return torch.optim.Adagrad(params, **kw)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, **kw)
    if name == "adam":
        return torch.optim.Adam(params, **kw)
    raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")


def uniform_init(gen: torch.Generator, shape: tuple[int, ...], fan_in: int) -> torch.Tensor:
    """torch.nn.Linear's default initialisation, w ~ U(−1/√fan_in, 1/√fan_in), drawn on the CPU
    from `gen` so CPU and CUDA runs start from the same numbers."""
    return (torch.rand(shape, generator=gen) * 2 - 1) / fan_in**0.5


# One slope for every leaky ReLU: f(a) = a for a > 0, LEAKY_SLOPE · a otherwise.
LEAKY_SLOPE = 0.01


def _leaky(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    slope = torch.where(a > 0, 1.0, LEAKY_SLOPE).to(a.dtype)
    return a * slope, slope


def _sigmoid(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = torch.sigmoid(a)
    return h, h * (1 - h)


def _tanh(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    h = torch.tanh(a)
    return h, 1 - h * h


def _relu(a: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.relu(a), (a > 0).to(a.dtype)


# name -> (f and f' of a pre-activation a, the torch.nn module twin for autograd networks)
_ACTIVATIONS: dict[str, tuple[Callable, Callable[[], torch.nn.Module]]] = {
    "sigmoid": (_sigmoid, torch.nn.Sigmoid),
    "tanh": (_tanh, torch.nn.Tanh),
    "relu": (_relu, torch.nn.ReLU),
    "leaky relu": (_leaky, lambda: torch.nn.LeakyReLU(LEAKY_SLOPE)),
}
ACTIVATIONS = tuple(_ACTIVATIONS)


def activate(a: torch.Tensor, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """f(a) and f'(a) for a pre-activation a (any shape)."""
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return _ACTIVATIONS[name][0](a)


def activation_module(name: str) -> torch.nn.Module:
    """The torch.nn module of activation `name`, for networks trained through autograd."""
    if name not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return _ACTIVATIONS[name][1]()
