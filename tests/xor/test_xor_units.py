"""Single neuron vs hidden layer: the learners, their rules, the data and the tables, one piece at a time."""

from __future__ import annotations

import numpy as np
import torch

from brainsim import torchkit
from brainsim.equations import OPTIMIZER_EQUATIONS
from brainsim.rules import delta, hebbian
from brainsim.xor import charts
from brainsim.xor.data import split, stack_seeds
from brainsim.xor.experiment import EQUATIONS, EXPERIMENT, XorConfig
from brainsim.xor.neurons import BatchedMLP, DeltaNeuron, HebbianNeuron, readout
from brainsim.xor.tables import GRID, Summary
from brainsim.xor.training import log_epochs, run


def test_hebbian_weights_converge_to_input_target_correlation():
    # AND with ±1 inputs: <s x> = (0.5, 0.5), <s> = -0.5, so w* = (0.5, 0.5), b* = -0.5 with λ = 1.
    x = torch.tensor([[-1.0, -1], [-1, 1], [1, -1], [1, 1]]).unsqueeze(0)
    t = torch.tensor([[0.0], [0], [0], [1]]).unsqueeze(0)
    n = HebbianNeuron(torch.zeros(1, 1, 2), torch.zeros(1, 1, 1), lr=0.1)
    for _ in range(300):
        n.step(x, t)
    assert torch.allclose(n.w, torch.tensor([[[0.5, 0.5]]]), atol=1e-4)
    assert torch.allclose(n.b, torch.tensor([[[-0.5]]]), atol=1e-4)


def test_neuron_updates_are_the_reference_rules():
    g = torch.Generator().manual_seed(3)
    x = torch.rand(2, 5, 2, generator=g) * 2 - 1  # (S=2, B=5, d=2)
    t = (torch.rand(2, 5, 1, generator=g) > 0.5).float()
    w0, b0 = torch.randn(2, 1, 2, generator=g), torch.randn(2, 1, 1, generator=g)
    d = DeltaNeuron(w0, b0, lr=0.3)
    y = torch.sigmoid(x @ w0.transpose(-1, -2) + b0)
    d.step(x, t)
    assert torch.allclose(d.w, w0 + delta.delta_rule(x, y, t, 0.3))
    assert torch.allclose(d.b, b0 + 0.3 * (t - y).mean(dim=-2, keepdim=True))
    h = HebbianNeuron(w0, b0, lr=0.3)
    h.step(x, t)
    s = 2 * t - 1
    assert torch.allclose(h.w, w0 + hebbian.hebb(x, s, 0.3) - 0.3 * h.decay * w0)
    assert torch.allclose(h.b, b0 + 0.3 * (s.mean(dim=-2, keepdim=True) - h.decay * b0))


def test_mlp_uses_the_shared_activation_table():
    gens = [torch.Generator().manual_seed(k) for k in range(2)]
    mlp = BatchedMLP(gens, 2, 3, "leaky relu")
    a = torch.tensor([-2.0, 3.0])
    assert torch.equal(mlp.act(a), torchkit.activate(a, "leaky relu")[0])
    assert torch.equal(mlp.act(a), torch.tensor([-2.0 * torchkit.LEAKY_SLOPE, 3.0]))
    assert mlp.n_parameters() == 2 * 3 + 3 + 3 + 1


def test_readout_is_sigmoid_or_identity():
    z = torch.tensor([-1.0, 0.0, 2.0])
    assert torch.equal(readout(z, "sigmoid"), torch.sigmoid(z)) and torch.equal(readout(z, "linear"), z)


def test_data_is_the_truth_table_or_two_noisy_clouds():
    x, y, xte, yte = split("xor", 0.0, 200, seed=1)
    assert x.shape == (4, 2) and np.array_equal(x, xte) and y.tolist() == [0, 1, 1, 0] and np.array_equal(y, yte)
    x, y, xte, yte = split("and", 0.1, 50, seed=1)
    assert x.shape == xte.shape == (50, 2) and not np.array_equal(x, xte)
    data = stack_seeds("or", 0.0, 20, [0, 1, 2], "cpu")
    assert data.x_train.shape == (3, 4, 2) and data.y_train.shape == (3, 4, 1) and data.y_train_raw.shape == (3, 4)
    assert torch.equal(data.x_train, 2 * data.x_train_raw - 1) and set(data.x_train.unique().tolist()) == {-1.0, 1.0}


def test_curves_are_logged_at_every_epoch_or_about_150():
    assert log_epochs(10) == set(range(11))
    many = log_epochs(5000)
    assert 0 in many and 5000 in many and len(many) == 150


def test_run_tables_have_one_summary_row_per_learner_and_a_full_grid():
    cfg = XorConfig(task="or", seeds=2, epochs=5, learners=("backprop mlp", "single neuron (delta)"))
    tables = run(cfg)
    s = tables["summary"]
    assert list(s.columns) == list(Summary.__dataclass_fields__)
    assert s["learner"].tolist() == ["single neuron (delta)", "backprop mlp"]  # LEARNERS order
    assert s["n_parameters"].tolist() == [3, 4 * 2 + 4 + 4 + 1] and (s["weight_updates"] == 5).all()
    b = tables["boundary"]
    assert (b[b["kind"] == "grid"].groupby("learner").size() == GRID * GRID).all()
    assert (b[b["kind"] == "point"].groupby("learner").size() == 4).all()
    assert set(tables["curves"]["epoch"]) == set(range(6)) and len(tables["timing"]) == 2
    for chart in EXPERIMENT.charts:
        assert chart.build(tables[chart.table], cfg).data
    assert [name for name, *_ in charts.metrics(tables, cfg)] == s["learner"].tolist()


def test_equations_name_the_delta_rules_loss_and_show_every_optimizer():
    assert "cross-entropy" in EQUATIONS[0].caption and "LMS" in EQUATIONS[0].caption
    assert all(eq in EQUATIONS for eq in OPTIMIZER_EQUATIONS.values())
