"""torchkit: one optimizer vocabulary, one initialisation, one activation table."""

from __future__ import annotations

import math

import pytest
import torch

from brainsim import torchkit


def test_init_is_torch_linear_range():
    w = torchkit.uniform_init(torch.Generator().manual_seed(0), (10000,), 2)
    assert w.abs().max() <= 1 / math.sqrt(2) and w.abs().max() > 0.99 / math.sqrt(2)
    assert abs(float(w.mean())) < 0.02


def test_sgd_has_no_momentum_and_momentum_is_the_one_constant():
    p = [torch.nn.Parameter(torch.zeros(2))]
    assert torchkit.make_optimizer("sgd", p, 0.1).defaults["momentum"] == 0
    assert torchkit.make_optimizer("gd", p, 0.1).defaults["momentum"] == 0
    assert torchkit.make_optimizer("momentum", p, 0.1).defaults["momentum"] == torchkit.MOMENTUM == 0.9
    for name in torchkit.OPTIMIZERS:
        assert torchkit.make_optimizer(name, p, 0.1, weight_decay=0.01).defaults["weight_decay"] == 0.01
    with pytest.raises(ValueError, match="unknown optimizer"):
        torchkit.make_optimizer("Adam", p, 0.1)
    assert set(torchkit.OPTIMIZER_ALIASES.values()) <= set(torchkit.OPTIMIZERS)


@pytest.mark.parametrize("name", torchkit.ACTIVATIONS)
def test_activation_derivative_matches_autograd_and_module(name):
    a = torch.linspace(-3, 3, 61, dtype=torch.float64).requires_grad_()
    f, df = torchkit.activate(a, name)
    (grad,) = torch.autograd.grad(f.sum(), a)
    keep = a.detach().abs() > 1e-9  # relu kinks at 0
    assert torch.allclose(df[keep], grad[keep])
    assert torch.allclose(torchkit.activation_module(name)(a.detach()), f.detach())
