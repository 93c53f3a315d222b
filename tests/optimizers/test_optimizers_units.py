"""Known answers: the safe expression parser, the surfaces, the zeroth-order estimators, the batched node
perturbation step against brainsim.rules, and the optimizers' batch rows against runs alone."""

from __future__ import annotations

import math

import pytest
import torch

from brainsim.config import ConfigError
from brainsim.optimizers import descent, expression, perturbation, surfaces
from brainsim.optimizers.experiment import OptimizersConfig
from brainsim.rules.reward import node_perturbation


def _t(*v):
    return torch.tensor(v, dtype=torch.float64)


def test_expression_matches_hand_computed_values_and_gives_gradients():
    f = expression.parse("x^2 + 3*y**2 - sin(x)*exp(-y) + sqrt(abs(x)) / 2 + tanh(y) + log(2) * pi - e")
    x, y = _t(0.7, -1.2).requires_grad_(True), _t(1.5, 0.3)
    want = x.detach() ** 2 + 3 * y**2 - torch.sin(x.detach()) * torch.exp(-y) + torch.sqrt(x.detach().abs()) / 2
    want = want + torch.tanh(y) + math.log(2) * math.pi - math.e
    out = f(x, y)
    assert torch.allclose(out.detach(), want)
    out.sum().backward()
    dx = 2 * x.detach() - torch.cos(x.detach()) * torch.exp(-y) + torch.sign(x.detach()) / (4 * x.detach().abs().sqrt())
    assert torch.allclose(x.grad, dx)


def test_power_binds_tighter_than_plus_and_unary_minus():
    f = expression.parse("-x^2 + 2^3")
    assert float(f(_t(3.0), _t(0.0))[0]) == -9.0 + 8.0


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('ls')",
        "x.__class__",
        "open('f')",
        "z + 1",
        "sin",
        "sin(x, y)",
        "sin(x=1)",
        "[x, y]",
        "x if y else 1",
        "lambda: x",
        "'a' * x",
        "x @ y",
        "x // y",
        "x ^",
        "",
        "3 + 4",
        "(" * 500 + "x" + ")" * 500,
        "x" + "+x" * 300,
        "True * x",
    ],
)
def test_bad_expressions_are_one_sentence(text):
    with pytest.raises(ConfigError) as err:
        expression.parse(text)
    msg = str(err.value)
    assert msg.startswith("Field 'expression'") and msg.endswith(".") and "\n" not in msg


def test_bad_expression_is_refused_by_the_config():
    with pytest.raises(ConfigError):
        OptimizersConfig(surface="custom", expression="exec('x')")
    OptimizersConfig(surface="quadratic", expression="never parsed unless custom")


@pytest.mark.parametrize("name", ["rosenbrock", "beale", "saddle", "himmelblau"])
def test_surfaces_have_zero_gradient_and_f_star_at_their_minima(name):
    s = surfaces.make(OptimizersConfig(surface=name))
    for point in s.minima:
        theta = torch.tensor([point], dtype=torch.float64, requires_grad=True)
        value = s.loss(theta)
        value.sum().backward()
        assert float(value.detach()) == pytest.approx(s.f_star, abs=1e-6)
        assert float(theta.grad.abs().max()) < 1e-4


def test_quadratic_has_curvatures_one_and_one_over_kappa_whatever_the_rotation():
    s = surfaces.quadratic(25.0, 40.0)
    hess = torch.autograd.functional.hessian(lambda th: s.loss(th[None])[0], _t(0.3, -0.2))
    assert torch.allclose(torch.linalg.eigvalsh(hess), _t(1 / 25, 1.0))


def test_zeroth_order_estimates_follow_the_gradient_on_average():
    """E[ĝ] = ∇f for a quadratic (ES exactly; WP up to O(σ)): averaged over many draws, both point along it."""
    s = surfaces.quadratic(4.0, 30.0)
    theta = _t(1.0, -2.0)[None].repeat(20000, 1)
    gen = torch.Generator().manual_seed(0)
    noise = descent.generator_noise(gen)
    grad = torch.autograd.functional.jacobian(lambda th: s.loss(th[None])[0], _t(1.0, -2.0))
    for g in (
        descent.weight_perturbation(s.loss, theta, 1e-3, noise),
        descent.evolution_strategies(s.loss, theta, 0.1, 4, noise),
    ):
        assert torch.allclose(g.mean(0), grad, atol=0.05 * float(grad.norm()))


def test_batched_node_perturbation_step_equals_the_shared_rule():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(3, 5, generator=gen, dtype=torch.float64)  # R = 3 students, N = 5
    xi = torch.randn(2, 3, 4, generator=gen, dtype=torch.float64) * perturbation.SIGMA  # G = 2, M = 4
    gain = torch.randn(2, 3, generator=gen, dtype=torch.float64)
    step = perturbation.node_perturbation_step(x, xi, gain)
    for g in range(2):
        for r in range(3):
            dw, _ = node_perturbation(x[r : r + 1], xi[g, r : r + 1], -gain[g, r : r + 1], perturbation.SIGMA, 1.0)
            assert torch.allclose(step[g, r], -dw)


@pytest.mark.parametrize("name", descent.GRADIENT)
def test_a_row_of_the_batch_is_the_run_alone(name):
    """Starts along a batch axis give each start the numbers it gets alone (the bench relies on it; the
    zeroth-order learners' per-seed noise is checked by tests/test_seed_independence.py)."""
    s = surfaces.make(OptimizersConfig(surface="rosenbrock"))
    starts = torch.tensor([[-1.5, 2.0], [0.5, 0.5], [-1.0, -0.5]], dtype=torch.float64)
    together = descent.descend(name, s.loss, starts, 30, 1e-3)
    for b in range(3):
        alone = descent.descend(name, s.loss, starts[b : b + 1], 30, 1e-3)
        assert torch.allclose(together.theta[:, b], alone.theta[:, 0], rtol=1e-12, atol=1e-12, equal_nan=True)


def test_divergence_stops_the_row_and_marks_it():
    s = surfaces.quadratic(10.0, 0.0)
    path = descent.descend("sgd", s.loss, torch.tensor([[1.0, 1.0]], dtype=torch.float64), 200, 2.5)
    assert bool(path.diverged[0]) and torch.isnan(path.loss[-1, 0])
    assert descent.steps_to_reach(_t(5.0, 1.0, 0.1)[:, None], 0.5).item() == 2
    assert descent.steps_to_reach(_t(5.0, 1.0)[:, None], 0.5).item() == -1
