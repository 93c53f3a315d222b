"""The page's claims, measured: convergence rates against theory, divergence above 2/L, the perturbation
slowdown against dimension over 5 seeds, vanishing gradients through depth, and MSE's vanishing gradient."""

from __future__ import annotations

import types

import numpy as np
import pytest
import torch

from brainsim.optimizers import depth, descent, perturbation, surfaces, theory


@pytest.mark.parametrize("rotation", [0.0, 35.0])
def test_gd_and_heavy_ball_rates_match_theory_within_5_percent(rotation):
    """Polyak 1964 / Goh 2017: (κ−1)/(κ+1) for GD at η = 2/(L+μ), (√κ−1)/(√κ+1) for heavy ball at its
    optimal η and β, measured with torch.optim.SGD over κ from 2 to 1000."""
    rates = theory.rate_table(50.0, rotation)
    assert set(rates["method"]) == {"gd", "heavy ball"} and len(rates) == 2 * (len(theory.KAPPAS) + 1)
    assert (rates["relative_error"].abs() < 0.05).all(), rates
    gd = rates[rates["method"] == "gd"].set_index("kappa")["measured_rate"]
    hb = rates[rates["method"] == "heavy ball"].set_index("kappa")["measured_rate"]
    assert (hb < gd).all()  # momentum is faster at every κ > 1


def test_gd_diverges_above_two_over_l_and_converges_below():
    steps = theory.step_table(20.0, 10.0)
    assert (steps["diverges"] == (steps["lr_times_L"] > 2.0)).all(), steps
    s = surfaces.quadratic(20.0, 10.0)
    start = torch.tensor([[1.0, 1.0]], dtype=torch.float64)
    below = descent.descend("sgd", s.loss, start, 300, 1.95)
    above = descent.descend("sgd", s.loss, start, 300, 2.05)
    assert float(below.loss[-1, 0]) < 1e-3 * float(below.loss[0, 0])
    assert float(above.loss[100, 0]) > 100 * float(above.loss[0, 0])


def test_momentum_reaches_epsilon_where_sgd_does_not_on_an_ill_conditioned_valley():
    s = surfaces.quadratic(100.0, 0.0)
    start = torch.tensor([[-2.5, 2.0], [2.5, -1.0], [-2.0, 2.5]], dtype=torch.float64)
    reach = {}
    for name in ("sgd", "momentum"):
        path = descent.descend(name, s.loss, start, 200, 1.0)
        reach[name] = descent.steps_to_reach(path.loss, 1e-4)
    assert (reach["sgd"] == -1).all()  # the valley's loss shrinks by (1 − 1/κ)^400 ≈ 0.018 in 200 steps
    assert ((reach["momentum"] > 0) & (reach["momentum"] < 200)).all()


@pytest.mark.slow
def test_perturbation_slows_in_proportion_to_dimension_over_5_seeds():
    """Werfel, Xie & Seung 2005: log(time ratio to backprop) against log(outputs) for node perturbation and
    log(weights) for weight perturbation have slope about 1; backprop's own time does not grow with M."""
    cfg = types.SimpleNamespace(max_outputs=16, n_inputs=4, criterion=0.05, max_updates=20000)
    times = perturbation.sweep(cfg, [0, 1, 2, 3, 4])
    assert times["reached"].all()
    slopes = perturbation.slopes(times).groupby("method")["slope"]
    assert slopes.count().min() == 5
    means = slopes.mean()
    assert ((means > 0.7) & (means < 1.3)).all(), means
    bp = times[times["method"] == "backprop"].groupby("n_outputs")["updates_to_criterion"].mean()
    assert bp.max() < 2 * bp.min()


def test_sigmoid_default_init_vanishes_and_relu_he_keeps_level_at_depth_10():
    for seed in (0, 1, 2):
        sig = depth.layer_gradients("sigmoid", "default", 10, 64, seed)
        relu = depth.layer_gradients("relu", "he", 10, 64, seed)
        assert sig[0] * 10 <= sig[-1], sig
        assert 0.1 <= relu[-1] / relu[0] <= 10, relu


def test_mse_gradient_vanishes_on_a_confidently_wrong_output_and_cross_entropy_does_not():
    g = depth.loss_gradient_table()
    wrong = g[g["z"] <= -6.0].groupby("loss")["grad_z"].max()
    assert wrong["mse"] < 0.01 and g[(g["z"] <= -6.0) & (g["loss"] == "cross-entropy")]["grad_z"].min() > 0.99
    runs = depth.loss_training([0, 1, 2], 100)
    at = runs.set_index(["loss", "seed", "step"])["error_rate"]
    for seed in (0, 1, 2):
        assert at[("cross-entropy", seed, 30)] < 0.2
        assert at[("mse", seed, 100)] > 0.5
    assert np.isfinite(runs["p_true"]).all()
