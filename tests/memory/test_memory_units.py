"""Known answers for the memory-reinforcement building blocks, and its fast rule forms against the
reference rules in brainsim.rules."""

from __future__ import annotations

import pytest
import torch

from brainsim import torchkit
from brainsim.config import ConfigError
from brainsim.memory import plasticity as pl
from brainsim.memory import synapse as syn
from brainsim.memory.experiment import MemoryConfig
from brainsim.memory.nets import (
    OPTIMIZERS,
    BackpropAssociator,
    BackpropAutoencoder,
    autoencoder_hidden,
)
from brainsim.memory.recall import active_rows, flat_rows, make_cues, make_items, overlap
from brainsim.memory.schedule import parse_custom, parse_duration
from brainsim.rules.hebbian import hebb, oja
from brainsim.rules.three_factor import eligibility_step, three_factor


def test_closed_form_decay_and_capture_equal_many_small_steps():
    params = syn.SynapseParams(
        tau_stm=3600.0, tau_ltm=5 * 86400.0, tau_tag=7200.0, tau_p=1800.0, kappa=2 / 3600.0, w_max=10.0
    )
    g = torch.Generator().manual_seed(0)
    a = syn.TwoTimescaleSynapse(2, 6, params, torch.device("cpu"))
    a.fast.copy_(torch.randn(2, 6, 6, generator=g))
    a.slow.copy_(torch.randn(2, 6, 6, generator=g))
    a.tag.copy_(torch.rand(2, 6, 6, generator=g))
    a.prp.copy_(torch.rand(2, 6, 1, generator=g))
    f, l, tg, p = (x.double().clone() for x in (a.fast, a.slow, a.tag, a.prp))
    total, n = 3 * 3600.0, 30_000
    dt = total / n
    for _ in range(n // 1000):
        for _ in range(1000):
            dl = -l / params.tau_ltm + params.kappa * p * tg * f
            l = l + dt * dl
            f, tg, p = f - dt * f / params.tau_stm, tg - dt * tg / params.tau_tag, p - dt * p / params.tau_p
    a.advance(total)
    assert torch.allclose(a.fast.double(), f, atol=2e-3)
    assert torch.allclose(a.slow.double(), l, atol=2e-3)
    assert torch.allclose(a.tag.double(), tg, atol=2e-3)


def test_one_long_advance_equals_many_short_ones():
    params = syn.SynapseParams(3600.0, 10 * 86400.0, 7200.0, 3600.0, 1 / 3600.0, 10.0)
    a = syn.TwoTimescaleSynapse(1, 5, params, torch.device("cpu"))
    b = syn.TwoTimescaleSynapse(1, 5, params, torch.device("cpu"))
    for s in (a, b):
        s.fast.fill_(1.0)
        s.tag.fill_(1.0)
        s.prp.fill_(1.0)
    a.advance(86400.0)
    for _ in range(24 * 6):
        b.advance(600.0)
    assert torch.allclose(a.slow, b.slow, rtol=1e-4)
    assert torch.allclose(a.fast, b.fast, rtol=1e-3, atol=1e-12)


def test_hebbian_covariance_is_the_hand_computed_outer_product():
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    f, eta = 0.5, 2.0
    dw = pl.hebb_covariance(x, x, eta, f)
    c = x[0] - f
    expected = eta / (4 * f * (1 - f)) * torch.outer(c, c)
    expected.fill_diagonal_(0.0)
    assert torch.allclose(dw[0], expected)


def test_gated_covariance_is_the_hand_computed_rule_and_recall_cannot_tell_it_from_covariance():
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    f, eta = 0.5, 2.0
    gated = pl.hebb_gated(x, x, eta, f)[0]
    expected = eta / (4 * f * (1 - f)) * torch.outer(x[0], x[0] - f)
    expected.fill_diagonal_(0.0)
    assert torch.allclose(gated, expected)
    assert gated[1].abs().sum() == 0 and gated[3].abs().sum() == 0  # silent cells: no change
    # The rules differ by -f (x_j - f) per item: off the diagonal it depends on the presynaptic unit j
    # only, so it moves every unit's field by the same amount on a cue with k active units (apart from
    # each unit's own, absent, self-connection), and kWTA recall picks the same winners.
    items = make_items([0], 6, 40, 0.2, 0, torch.device("cpu"))[0]  # (6, 40)
    cov = sum(pl.hebb_covariance(it[None], it[None], 1.0, 0.2)[0] for it in items)
    gat = sum(pl.hebb_gated(it[None], it[None], 1.0, 0.2)[0] for it in items)
    diff = cov - gat
    q = -(1.0 / (40 * 0.2 * 0.8)) * 0.2 * (items - 0.2).sum(0)  # (40,) the presynaptic term
    assert torch.allclose(diff, (q.expand(40, 40) * (1 - torch.eye(40))), atol=1e-6)


def _reference_case():
    """Two seeds of sparse items, a weight matrix, and the memory rules' scale 1/(N f (1-f))."""
    n, f, eta = 12, 0.25, 0.7
    x = make_items([0, 1], 1, n, f, 0, torch.device("cpu"))[:, 0]  # (S, N)
    w = torch.randn(2, n, n, generator=torch.Generator().manual_seed(3)) * 0.1
    return x, w, n, f, eta, 1.0 / (n * f * (1 - f))


def test_covariance_rules_are_hebbs_rule_on_centred_rates_without_self_connections():
    x, _, n, f, eta, scale = _reference_case()
    off_diagonal = 1 - torch.eye(n)
    # one sample per seed: pre and post rates (S, 1, N) for the reference rule's sample axis
    cov = hebb((x - f).unsqueeze(1), (x - f).unsqueeze(1), eta * scale) * off_diagonal
    gated = hebb((x - f).unsqueeze(1), x.unsqueeze(1), eta * scale) * off_diagonal
    assert torch.allclose(pl.hebb_covariance(x, x, eta, f), cov, atol=1e-7)
    assert torch.allclose(pl.hebb_gated(x, x, eta, f), gated, atol=1e-7)


def test_clamped_oja_is_ojas_rule_for_each_postsynaptic_cell():
    """Each active cell i relaxes its own row towards the scaled centred input: Oja's one-output rule with
    output y_i = 1, input x = (pre - f) / (N f (1 - f)) and weights W_i; silent cells do not change."""
    x, w, n, f, eta, scale = _reference_case()
    dense = pl.oja_clamped(w, x, x, eta, f)
    for s in range(2):
        for i in range(n):
            y = x[s, i].view(1, 1)
            ref = oja(((x[s] - f) * scale).view(1, n), y, w[s, i].view(1, n), eta)[0]
            ref[i] = 0.0  # no self-connection
            assert torch.allclose(dense[s, i], ref, atol=1e-7), (s, i)


def test_active_rows_finds_each_seeds_active_units_or_declines():
    x, _, n, _, _, _ = _reference_case()
    act = active_rows(x)
    assert torch.equal(act, torch.stack([row.nonzero().squeeze(1) for row in x]))
    assert torch.equal(flat_rows(act, n), (act + n * torch.arange(2).unsqueeze(1)).reshape(-1))
    uneven = x.clone()
    uneven[0, act[0, 0]] = 0.0  # seed 0 has one active unit fewer
    assert active_rows(uneven) is None
    assert active_rows(x * 0.5) is None  # not binary


def test_memory_optimizers_are_torchkit_names_with_its_momentum():
    assert set(OPTIMIZERS) <= set(torchkit.OPTIMIZERS)
    for name, momentum in (("sgd", 0), ("momentum", torchkit.MOMENTUM)):
        net = BackpropAssociator(1, 8, 0.25, name, 0.1, 1, torch.device("cpu"))
        assert isinstance(net.opt, torch.optim.SGD) and net.opt.param_groups[0]["momentum"] == momentum


@pytest.mark.parametrize("rule", ["gated covariance", "oja"])
def test_row_writes_equal_the_dense_write(rule):
    """write_rows touches k of N rows but must leave fast, slow and tag exactly as the dense write does,
    pending capture included."""
    params = syn.SynapseParams(60.0, 60 * 86400.0, 120.0, 60.0, 1 / 3600.0, 0.05)
    n, f, eta = 30, 0.2, 0.7
    items = make_items([0, 1], 6, n, f, 0, torch.device("cpu"))
    dense = syn.TwoTimescaleSynapse(2, n, params, torch.device("cpu"))
    rows = syn.TwoTimescaleSynapse(2, n, params, torch.device("cpu"))
    for step, item in enumerate([0, 1, 0, 2, 3, 1, 4, 5, 0]):
        x = items[:, item]
        for s in (dense, rows):
            s.advance(37.0 * (step + 1))
            if step % 2 == 0:
                s.trigger(x)
        act = active_rows(x)
        if rule == "oja":
            dense.write(pl.oja_clamped(dense.components()[0], x, x, eta, f))
            rows.write_rows(act, lambda r, x=x, act=act: pl.oja_rows(r, x, act, eta, f))
        else:
            dense.write(pl.hebb_gated(x, x, eta, f))
            rows.write_rows(act, lambda r, x=x, act=act: pl.gated_rows(x, act, eta, f))
    assert float(rows.slow.abs().max()) > 0  # capture happened
    for part in ("fast", "slow", "tag"):
        assert torch.allclose(getattr(rows, part), getattr(dense, part), rtol=1e-5, atol=1e-8), part


def test_eligibility_reward_write_equals_the_dense_three_factor_write():
    params = syn.SynapseParams(60.0, 60 * 86400.0, 120.0, 60.0, 1 / 3600.0, 0.05)
    n, f, eta, tau_e = 30, 0.2, 0.7, 10.0
    items = make_items([0, 1], 3, n, f, 0, torch.device("cpu"))
    dense = syn.TwoTimescaleSynapse(2, n, params, torch.device("cpu"))
    lazy = syn.TwoTimescaleSynapse(2, n, params, torch.device("cpu"))
    e = torch.zeros(2, n, n)
    elig = pl.Eligibility(2, n, tau_e, f, torch.device("cpu"))
    b = torch.zeros(2)
    for item, dt in ((0, 0.0), (1, 3.0), (2, 5.0)):
        e = eligibility_step(e, pl.hebb_gated(items[:, item], items[:, item], 1.0, f), dt, tau_e)
        elig.advance(dt)
        elig.add(items[:, item])
    r = torch.tensor([1.0, 0.5])
    dense.write(three_factor(eligibility_step(e, torch.zeros_like(e), 2.0, tau_e), r, b, eta))
    elig.advance(2.0)
    elig.reward(lazy, r, b, eta)
    for part in ("fast", "tag"):
        assert torch.allclose(getattr(lazy, part), getattr(dense, part), atol=1e-7), part
    elig.advance(20 * tau_e)  # e^-20 < 2^-24: below float32 resolution of a fresh coincidence
    assert not bool(elig.rows.any()) and float(elig.e.abs().max()) == 0.0


def test_three_factor_needs_eligibility_to_span_the_reward_delay():
    params = syn.SynapseParams(3600.0, 60 * 86400.0, 7200.0, 3600.0, 0.0, 10.0)
    x = make_items([0], 1, 20, 0.2, 0, torch.device("cpu"))[:, 0]
    fresh = pl.hebb_gated(x, x, 1.0, 0.2).abs().max()  # one coincidence written at eta = 1
    for tau_e, expect_learning in ((10.0, True), (0.1, False)):
        s = syn.TwoTimescaleSynapse(1, 20, params, torch.device("cpu"))
        e = pl.Eligibility(1, 20, tau_e, 0.2, torch.device("cpu"))
        e.add(x)
        e.advance(5.0)  # reward 5 s later
        e.reward(s, torch.ones(1), torch.zeros(1), eta=1.0)
        assert bool(s.fast.abs().max() > 0.5 * fresh) == expect_learning


def test_soft_bound_saturates():
    w = torch.zeros(1, 1, 1)
    for _ in range(50):
        w = w + pl.soft_bound(w, torch.ones(1, 1, 1), 1.5)
    assert 1.45 < float(w) <= 1.5


def test_backprop_gradient_equals_autograd():
    net = BackpropAssociator(2, 8, 0.25, "sgd", 0.1, 1, torch.device("cpu"))
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        net.w.copy_(torch.randn(2, 8, 8, generator=g) * 0.1)
    x = make_items([0, 1], 1, 8, 0.25, 0, torch.device("cpu"))[:, 0]
    wt = torch.tensor([1.0, 0.5])
    net.w.grad = None
    net.loss(x, wt).backward()
    assert torch.allclose(net.gradient(x, wt), net.w.grad * net.mask, atol=1e-6)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_autoencoder_written_gradient_and_training_equal_autograd(optimizer):
    dev = torch.device("cpu")
    x = make_items([0, 1], 3, 30, 0.2, 0, dev)  # (2, 3, 30)
    wt = torch.tensor([1.0, 0.5])
    net = BackpropAutoencoder([0, 1], 0, 30, 0.2, optimizer, 0.1, 3, dev)
    ref = BackpropAutoencoder([0, 1], 0, 30, 0.2, optimizer, 0.1, 3, dev)
    for p in ref.params:
        p.requires_grad_(True)
    ref.loss(x[:, 0], wt).backward()
    for rows in (None, flat_rows(active_rows(x[:, 0]), 30)):  # dense input path and the k-row path
        for mine, auto in zip(net.gradients(x[:, 0], wt, rows), ref.params):
            mine = mine.to_dense() if mine.is_sparse else mine
            assert torch.allclose(mine, auto.grad, atol=1e-6)
    for p in ref.params:
        p.grad = None
    for i in range(3):  # torch.optim steps on written-out gradients = the plain autograd loop
        net.train(x[:, i], wt)
        for _ in range(ref.steps):
            ref.opt.zero_grad(set_to_none=True)
            ref.loss(x[:, i], wt).backward()
            ref.opt.step()
    for mine, auto in zip(net.params, ref.params):
        assert torch.allclose(mine, auto.detach(), atol=1e-5)


def test_autoencoder_has_about_the_one_layer_weight_count_and_keeps_seeds_apart():
    for n in (50, 200, 2000):
        h = autoencoder_hidden(n)
        assert abs(2 * n * h + h + n - n * (n - 1)) <= n  # within one hidden unit's weights
    assert autoencoder_hidden(200) == 99
    dev = torch.device("cpu")
    a = BackpropAutoencoder([0, 1], 0, 20, 0.2, "adam", 0.01, 3, dev)
    b = BackpropAutoencoder([1], 0, 20, 0.2, "adam", 0.01, 3, dev)
    assert torch.equal(a.u[1], b.u[0])  # seed s alone decides its initial weights
    x = make_items([0, 1], 1, 20, 0.2, 0, dev)[:, 0]
    before = a.loss(x, torch.ones(2)).item()
    a.train(x, torch.tensor([1.0, 0.0]))  # loss weight 0 on seed 1: its weights must not move
    b.train(x[1:], torch.zeros(1))
    assert torch.allclose(a.u[1], b.u[0]) and torch.allclose(a.v[1], b.v[0])
    assert a.loss(x[:1].expand(2, -1), torch.tensor([1.0, 0.0])).item() < before
    assert a.field(x.unsqueeze(1)).shape == (2, 1, 20)


def test_cues_keep_activity_and_overlap_is_centred():
    items = make_items([0, 1, 2], 4, 100, 0.1, 0, torch.device("cpu"))
    cue = make_cues(items, 0.2, torch.Generator().manual_seed(0))
    assert torch.equal(cue.sum(-1), items.sum(-1))
    assert torch.allclose(overlap(cue, items, 0.1), torch.full((3, 4), (0.8 - 0.1) / 0.9))
    assert torch.allclose(overlap(items, items, 0.1), torch.ones(3, 4))


def test_durations_in_human_units():
    assert parse_duration("20 min") == 1200.0
    assert parse_duration("1.5h") == 5400.0
    assert parse_duration("31 d") == 31 * 86400.0
    assert parse_duration("90") == 90.0
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_custom_schedule_rows_parse():
    rows = parse_custom("time, item, reward\n0, 0, 1\n20 min, 1\n1 d, 0, 0.5", n_items=2)
    assert rows == [(0.0, 0, 1.0), (1200.0, 1, 0.0), (86400.0, 0, 0.5)]


def test_custom_schedule_reports_every_bad_row_once():
    text = "0, 0, 1\nsoon, 1, 0\n1 h, 7, 0\n2 h, 1, lots\n3 h\n4 h, 1, 0"
    with pytest.raises(ConfigError) as err:
        MemoryConfig(schedule="custom", custom_schedule=text, n_items=2)
    msg = str(err.value)
    assert "row 2" in msg and "time 'soon'" in msg
    assert "row 3" in msg and "item 7 is outside 0 to 1" in msg
    assert "row 4" in msg and "reward 'lots'" in msg
    assert "row 5" not in msg and "1 more row has another problem" in msg  # the first MAX_PROBLEMS, then a count
    assert "row 1 " not in msg and "row 6" not in msg
    assert msg.count("Field 'custom_schedule'") == 1 and msg.count(".") == 1 + msg.count("1.5")  # one sentence


def test_custom_schedule_rows_with_one_problem_are_one_short_sentence():
    """'a;b;c' (issue 11): one sentence naming the first row in full and the others by number."""
    with pytest.raises(ConfigError) as err:
        MemoryConfig(schedule="custom", custom_schedule="a;b;c", n_items=2)
    msg = str(err.value)
    assert msg == (
        "Field 'custom_schedule' row 1 ('a') has 1 value; write 'time, item, reward', e.g. '20 min, 0, 1' "
        "(rows 2, 3 too)."
    )


def test_bad_delays_and_memory_bounds_are_config_errors():
    with pytest.raises(ConfigError, match="test_delays"):
        MemoryConfig(test_delays=("20 min", "tomorrow"))
    with pytest.raises(ConfigError, match="seeds"):
        MemoryConfig(n_units=2000, seeds=20)
