"""Arena learning rules against hand-computed updates, fairness of the shared start, the CSV
validation sentences, config checks, "train more" continuation and divergence handling."""

from __future__ import annotations

import pytest
import torch

from brainsim.arena.data import MAX_CSV_ROWS, MIN_ROWS_PER_CLASS, parse_csv
from brainsim.arena.experiment import EXPERIMENT, ArenaConfig
from brainsim.arena.learners import Spec, Split, init_weights, make_learner
from brainsim.arena.learners.backprop import BackpropMLP
from brainsim.arena.learners.base import output_error, readout
from brainsim.arena.learners.local import delta_update, feedback_alignment_update
from brainsim.config import MAX_TEXT_CHARS, ConfigError, from_json, make
from brainsim.rules.competitive import krotov_hopfield
from brainsim.rules.delta import delta_rule
from brainsim.rules.reward import entropy_bonus, node_perturbation, reinforce_output
from brainsim.rules.three_factor import three_factor
from brainsim.torchkit import make_optimizer

T = torch.tensor


def test_delta_rule_is_minus_eta_error_times_input():
    x = T([[1.0, 2.0]])  # (B=1, d=2)
    e = T([[0.5, -1.0]])  # (B, C=2): y − t
    dW, db = delta_update(x, -e, lr=0.1)  # the rule takes t − y
    assert torch.allclose(dW, T([[-0.05, -0.1], [0.1, 0.2]]))
    assert torch.allclose(db, T([-0.05, 0.1]))


@pytest.mark.parametrize("loss", ["cross-entropy", "mse"])
def test_arena_delta_update_equals_the_reference_delta_rule(loss):
    g = torch.Generator().manual_seed(0)
    x, z = torch.randn(6, 4, generator=g), torch.randn(6, 3, generator=g)
    t = torch.eye(3)[[0, 1, 2, 2, 1, 0]]
    y = readout(z, loss)
    assert torch.allclose(delta_update(x, t - y, lr=0.3)[0], delta_rule(x, y, t, 0.3), atol=1e-7)


def test_feedback_alignment_hand_values_and_equals_backprop_when_B_is_W2T():
    x, h, dh = T([[1.0, -1.0]]), T([[0.5, 0.2]]), T([[0.75, 0.96]])
    e, B = T([[0.3]]), T([[2.0], [-1.0]])  # (1, C=1): y − t, (H=2, C=1)
    d = feedback_alignment_update(x, h, dh, -e, B, lr=1.0)  # the rule takes t − y
    # δ1 = (e Bᵀ) ⊙ f' = [0.6·0.75, −0.3·0.96] = [0.45, −0.288]
    assert torch.allclose(d["W1"], -T([[0.45, -0.45], [-0.288, 0.288]]))
    assert torch.allclose(d["W2"], -T([[0.15, 0.06]]))
    # with B = W2ᵀ the rule is exactly backprop's gradient step
    g = torch.Generator().manual_seed(0)
    W1, W2 = torch.randn(4, 3, generator=g, requires_grad=True), torch.randn(2, 4, generator=g, requires_grad=True)
    xb, t = torch.randn(5, 3, generator=g), torch.eye(2)[[0, 1, 1, 0, 1]]
    z = torch.tanh(xb @ W1.T) @ W2.T
    torch.nn.functional.cross_entropy(z, t.argmax(1)).backward()
    hh = torch.tanh(xb @ W1.T).detach()
    err = -output_error(z.detach(), t, "cross-entropy")  # t − y
    d = feedback_alignment_update(xb, hh, 1 - hh**2, err, W2.detach().T, 1.0)
    assert torch.allclose(d["W1"], -W1.grad, atol=1e-6) and torch.allclose(d["W2"], -W2.grad, atol=1e-6)


def test_reinforce_output_hand_values_and_expectation_is_reward_gradient():
    h, p, k, m = T([[1.0, 2.0]]), T([[0.25, 0.75]]), T([0]), T([0.5])
    dW, db = reinforce_output(h, p, k, m, eta=0.1)
    # post = (onehot(0) − π)·M = [0.375, −0.375]
    assert torch.allclose(dW, T([[0.0375, 0.075], [-0.0375, -0.075]]))
    assert torch.allclose(db, T([0.0375, -0.0375]))
    # averaged over the answer k ~ π with R = [k = y], the update is η ∂π_y/∂W (Williams 1992)
    z = torch.tensor([[0.3, -0.2, 0.5]], requires_grad=True)
    pi, y, hh = torch.softmax(z, 1), 2, T([[1.0]])
    pi[0, y].backward()
    expected = sum(
        pi[0, a].item() * reinforce_output(hh, pi.detach(), T([a]), T([float(a == y) - 0.4]), 1.0)[0] for a in range(3)
    )
    assert torch.allclose(expected[:, 0], z.grad[0], atol=1e-6)


def test_reinforce_is_the_three_factor_rule_with_its_eligibility():
    """For one sample, REINFORCE's ΔW is η · M · e with e = (onehot(k) − π) hᵀ (rules.three_factor)."""
    h, p, k = T([[1.0, 2.0, -0.5]]), T([[0.2, 0.5, 0.3]]), T([1])
    e = (torch.eye(3)[k] - p).T @ h  # (C, H) eligibility
    dW, _ = reinforce_output(h, p, k, T([0.7]), eta=0.1)
    assert torch.allclose(dW, three_factor(e, 1.0, 0.3, 0.1), atol=1e-7)


def test_node_perturbation_hand_values():
    x, xi, m = T([[1.0, 0.0, 2.0]]), T([[0.1, -0.2]]), T([-0.5])
    dW, db = node_perturbation(x, xi, m, sigma=0.1, eta=0.01)
    # post = ξ/σ² · M = [10, −20]·(−0.5) = [−5, 10]; ΔW = η post xᵀ
    assert torch.allclose(dW, T([[-0.05, 0.0, -0.1], [0.1, 0.0, 0.2]]))
    assert torch.allclose(db, T([-0.05, 0.1]))


def test_entropy_bonus_is_the_entropy_gradient():
    z = torch.tensor([[0.2, 1.0, -0.5]], requires_grad=True)
    p = torch.softmax(z, 1)
    (-(p * p.log()).sum()).backward()
    dW, db = entropy_bonus(T([[1.0]]), p.detach(), beta=1.0, eta=1.0)
    assert torch.allclose(db, z.grad[0], atol=1e-6) and torch.allclose(dW[:, 0], z.grad[0], atol=1e-6)


def test_krotov_hopfield_winner_hebbian_kth_anti_hebbian():
    W = T([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])  # (H=3, d=2)
    x = T([[1.0, 0.2]])  # currents [1, 0.2, 0.76]: unit 0 wins, unit 2 is second
    dW = krotov_hopfield(W, x, eta=0.5, delta=0.4, k=2)
    assert torch.allclose(dW[0], 0.5 * T([0.0, 0.2]))  # η (x − I w)
    assert torch.allclose(dW[1], T([0.0, 0.0]))
    assert torch.allclose(dW[2], -0.4 * 0.5 * (x[0] - 0.76 * W[2]), atol=1e-6)


def test_krotov_hopfield_refuses_the_winner_as_its_anti_hebbian_unit():
    with pytest.raises(ValueError, match="k >= 2"):
        krotov_hopfield(torch.eye(2), T([[1.0, 0.0]]), eta=0.1, delta=0.2, k=1)


def test_krotov_hopfield_winner_goes_to_unit_norm_and_losers_stay():
    g = torch.Generator().manual_seed(1)
    W = torch.stack([torch.full((5,), 0.3), torch.full((5,), -0.3)])  # unit 0 wins every positive input
    for _ in range(400):
        W += krotov_hopfield(W, torch.rand(16, 5, generator=g), eta=0.05, delta=0.0, k=2)
    assert abs(float(W[0].norm()) - 1.0) < 0.02  # Oja's decay normalises the winner
    assert torch.equal(W[1], torch.full((5,), -0.3))  # a unit that never wins (and Δ = 0) never learns


def test_learners_with_one_hidden_layer_start_from_the_same_function():
    spec = Spec(n_in=3, n_out=2, hidden=5)
    init = init_weights(spec, seed=7)
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    base = make_learner("backprop mlp", spec, init, 7, "cpu").scores(x)
    for name in ("feedback alignment", "reward-modulated"):
        assert torch.allclose(make_learner(name, spec, init, 7, "cpu").scores(x), base, atol=1e-6)


def test_every_step_changes_hidden_weights_of_the_reward_learner():
    spec = Spec(n_in=3, n_out=2, hidden=5)
    learner = make_learner("reward-modulated", spec, init_weights(spec, 0), 0, "cpu")
    w0 = learner.W1.clone()
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 3, generator=g), torch.randint(0, 2, (8,), generator=g)
    for _ in range(3):
        learner.step(x, torch.eye(2)[y], y)
    assert not torch.allclose(learner.W1, w0)


# --------------------------------------------------------------------------- CSV validation

GOOD = "a,b,label\n" + "".join(f"{i},{i % 3},{'cat' if i % 2 else 'dog'}\n" for i in range(20))


def test_csv_parses_numeric_features_and_text_labels():
    x, y, names = parse_csv(GOOD)
    assert x.shape == (20, 2) and names == ("cat", "dog") and y[:2].tolist() == [1, 0]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "is empty"),
        ("a,b,class\n1,2,x\n", "no label column 'label'"),
        (GOOD.replace("3,0,cat", "3,zero,cat"), "row 5, column 'b' holds 'zero', which is not a number"),
        (GOOD.replace("3,0,cat", "3,nan,cat"), "only finite numbers"),
        (GOOD.replace("3,0,cat", "3,0"), "row 5 has 2 cells; the header has 3"),
        ("a,label\n" + "1,x\n" * 10, "single class"),
        (
            "a,label\n" + "1,x\n" * 10 + "2,y\n" * 2,
            f"class 'y' has 2 rows; each class needs at least {MIN_ROWS_PER_CLASS}",
        ),
        ("a,label\n" + "1,x\n2,y\n" * (MAX_CSV_ROWS // 2 + 1), f"at most {MAX_CSV_ROWS} are allowed"),
        ("label\n" + "x\ny\n" * 5, "at least one numeric feature column"),
    ],
)
def test_csv_problems_are_one_clear_sentence(text, fragment):
    with pytest.raises(ConfigError, match=None) as err:
        parse_csv(text)
    assert fragment in str(err.value)


def test_csv_errors_name_the_field_and_the_row_as_an_editor_numbers_it():
    with pytest.raises(ConfigError) as err:
        parse_csv("a,label\n\n1,x\nten,y\n")
    assert str(err.value).startswith("Field 'csv_text' row 4, column 'a' holds 'ten'")


def test_csv_text_task_runs_and_too_long_text_is_refused():
    tables = EXPERIMENT.run(ArenaConfig(task="csv text", csv_text=GOOD, epochs=2, learners=("delta rule",)))
    assert set(tables["confusion"]["true_class"]) == {"cat", "dog"}
    too_long = "a,label\n" + "1,x\n" * (MAX_TEXT_CHARS // 4 + 1)
    with pytest.raises(ConfigError, match=f"at most {MAX_TEXT_CHARS} are allowed"):
        ArenaConfig(task="csv text", csv_text=too_long)


def test_csv_file_task(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(GOOD)
    cfg = ArenaConfig(task="local file", file_path=str(path), epochs=1, learners=("delta rule",))
    assert len(EXPERIMENT.run(cfg)["curves"]) == 2
    with pytest.raises(ConfigError, match="does not exist"):
        EXPERIMENT.run(ArenaConfig(task="local file", file_path=str(tmp_path / "missing.csv")))


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"learners": ["cnn"], "task": "moons"}, "needs an image task"),
        ({"learners": []}, "pick at least one learner"),
        ({"task": "digits", "batch_size": 1, "epochs": 200}, "weight updates"),
        ({"task": "local file"}, "needs a path"),
    ],
)
def test_config_checks(values, fragment):
    with pytest.raises(ConfigError) as err:
        make(ArenaConfig, values)
    assert fragment in str(err.value)


def test_old_spellings_of_saved_configs_still_load():
    """Configs saved before the vocabulary fix: capitalised optimizer names and the field n_seeds."""
    old = from_json(ArenaConfig, '{"optimizer": "GD", "n_seeds": 3}')
    assert old.optimizer == "gd" and old.seeds == 3
    assert make(ArenaConfig, {"optimizer": "RMSprop"}).optimizer == "rmsprop"
    assert ArenaConfig().optimizer == "adam"


# --------------------------------------------------------------------------- continuation, divergence


def test_train_more_continues_the_same_run():
    small = dict(task="blobs", n_samples=120, learners=("backprop mlp", "reward-modulated", "hebbian features"))
    a = EXPERIMENT.run(ArenaConfig(epochs=3, extra_epochs=2, **small))["curves"]
    b = EXPERIMENT.run(ArenaConfig(epochs=5, **small))["curves"]
    assert a.drop(columns="phase").equals(b.drop(columns="phase"))
    assert (a["phase"] == "train more").sum() == 2 * 3 and set(a.loc[a["epoch"] > 3, "phase"]) == {"train more"}


def test_a_diverging_learner_stops_and_the_others_go_on():
    cfg = ArenaConfig(
        task="blobs",
        loss="mse",
        optimizer="sgd",
        lr=10.0,
        activation="relu",
        epochs=5,
        learners=("backprop mlp", "delta rule"),
    )
    tables = EXPERIMENT.run(cfg)
    c, s = tables["curves"], tables["summary"].set_index("learner")
    assert c.loc[c["learner"] == "backprop mlp", "diverged"].iloc[-1]
    assert s.loc["backprop mlp", "diverged"] and not s.loc["delta rule", "diverged"]
    assert c.loc[c["learner"] == "delta rule", "epoch"].max() == 5


def test_split_shapes():
    s = Split.from_arrays([[0.0, 1.0]], [1], [[1.0, 0.0]], [0], 3, "cpu")
    assert s.t_train.tolist() == [[0.0, 1.0, 0.0]] and s.x_test.dtype == torch.float32


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky relu"])
@pytest.mark.parametrize("loss", ["cross-entropy", "mse"])
@pytest.mark.parametrize("layers, optimizer", [(1, "adam"), (2, "momentum"), (1, "rmsprop")])
def test_mlp_written_out_backprop_equals_autograd(activation, loss, layers, optimizer):
    """The MLP's hand-written backward pass and flat parameter give what autograd and per-tensor
    torch.optim give, step after step."""
    from torch import nn

    spec = Spec(
        n_in=5,
        n_out=3,
        hidden=7,
        hidden_layers=layers,
        activation=activation,
        loss=loss,
        optimizer=optimizer,
        lr=0.05,
        weight_decay=1e-3,
    )
    ours = BackpropMLP(spec, init_weights(spec, 3), 3)
    ref = BackpropMLP(spec, init_weights(spec, 3), 3)
    ref_net = nn.Sequential(*[m for m in ref.net])  # same initial values, own storage below
    ref_params = [nn.Parameter(p.detach().clone()) for p in ref_net.parameters()]
    for m, (w, b) in zip([m for m in ref_net if isinstance(m, nn.Linear)], zip(ref_params[::2], ref_params[1::2])):
        m.weight, m.bias = w, b
    opt = make_optimizer(optimizer, ref_params, spec.lr, spec.weight_decay)
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        x = torch.randn(8, 5, generator=g)
        y = torch.randint(0, 3, (8,), generator=g)
        t = torch.nn.functional.one_hot(y, 3).float()
        ours.step(x, t, y)
        opt.zero_grad()
        z = ref_net(x)
        (
            torch.nn.functional.cross_entropy(z, y) if loss == "cross-entropy" else 0.5 * ((z - t) ** 2).sum(1).mean()
        ).backward()
        opt.step()
    for a, b in zip(ours.parameters(), ref_params):
        assert torch.allclose(a, b.detach(), atol=1e-5)
