"""A seed's numbers do not depend on what runs beside it (issue 12 §1): each building block gives seed s the
same bits alone as in a batch, read-outs never change the state, and a condition's rows do not depend on
the other delays selected. tests/test_seed_independence.py checks the whole default run."""

from __future__ import annotations

import pytest
import torch

from brainsim.memory import conditions as cond
from brainsim.memory import plasticity as pl
from brainsim.memory import synapse as syn
from brainsim.memory.criterion import train_to_criterion
from brainsim.memory.experiment import MemoryConfig
from brainsim.memory.nets import BackpropAssociator, BackpropAutoencoder
from brainsim.memory.recall import active_rows, make_cues, make_items
from brainsim.memory.tables import retention_table
from brainsim.runtime import torch_generator

CPU = torch.device("cpu")
PARAMS = syn.SynapseParams(60.0, 60 * 86400.0, 120.0, 60.0, 1 / 3600.0, 0.05)


def test_autoencoder_training_gives_a_seed_the_same_bits_in_any_batch():
    """N = 200 outputs: a batched sigmoid would put a seed's last elements in the SIMD tail or not."""
    items = make_items([1, 2, 3], 4, 200, 0.1, 1, CPU)
    for optimizer in ("sgd", "adam"):
        nets = [BackpropAutoencoder(seeds, 1, 200, 0.1, optimizer, 0.5, 5, CPU) for seeds in ([1], [1, 2, 3])]
        for i in range(4):
            for net in nets:
                net.train(items[: len(net.u), i], torch.ones(len(net.u)))
        for alone, batch in zip(*(net.params for net in nets)):
            assert torch.equal(alone[0], batch[0]), optimizer
        assert torch.equal(nets[0].field(items[:1]), nets[1].field(items)[:1])


def test_cues_from_per_seed_generators_do_not_depend_on_the_other_seeds():
    items = make_items([1, 2, 3], 4, 100, 0.1, 0, CPU)
    alone = make_cues(items[:1], 0.2, [torch_generator(1, 7)])
    batch = make_cues(items, 0.2, [torch_generator(s, 7) for s in (1, 2, 3)])
    assert torch.equal(alone[0], batch[0]) and not torch.equal(batch[0], batch[1])


def test_hebbian_write_is_the_soft_bound_and_a_seed_ignores_the_others_bounds():
    x = make_items([0, 1], 1, 20, 0.2, 0, CPU)[:, 0]
    fast, dense, alone = (syn.TwoTimescaleSynapse(n, 20, PARAMS, CPU) for n in (2, 2, 1))
    over = torch.full((20, 20), 3 * PARAMS.w_max)  # seed 1 beyond its bound: the clamp must act there
    for s in (fast, dense):
        s.fast[1] = over
    up = pl.hebb_covariance(x, x, 0.7, 0.2)[1] > 0
    for step in range(3):
        fast.write_hebbian(x, x, 0.7, 0.2)
        dense.write(pl.hebb_covariance(x, x, 0.7, 0.2))
        alone.write_hebbian(x[:1], x[:1], 0.7, 0.2)
        if step == 0:  # clamped: no potentiation beyond the bound
            assert bool((fast.fast[1][up] == 3 * PARAMS.w_max).all())
        for s in (fast, dense, alone):
            s.advance(30.0)
    assert torch.allclose(fast.fast, dense.fast, atol=1e-9) and torch.allclose(fast.tag, dense.tag, atol=1e-6)
    assert torch.equal(fast.fast[0], alone.fast[0]) and torch.equal(fast.tag[0], alone.tag[0])


def test_three_factor_reward_writes_each_seeds_own_rows():
    items = make_items([0, 1], 3, 30, 0.2, 0, CPU)
    runs = []
    for n_seeds in (2, 1):
        s = syn.TwoTimescaleSynapse(n_seeds, 30, PARAMS, CPU)
        e = pl.Eligibility(n_seeds, 30, 10.0, 0.2, CPU)
        for i in range(3):
            x = items[:n_seeds, i]
            s.trigger(x)  # capture pending in the rows the reward writes
            e.add(x)
            s.advance(3.0)
            e.advance(3.0)
            e.reward(s, torch.ones(n_seeds), torch.zeros(n_seeds), 0.7)
        s.advance(600.0)
        runs.append(s.components())
    assert bool(runs[1][1].abs().max() > 0)  # capture happened
    for batch, alone in zip(*runs):
        assert torch.equal(batch[:1], alone)


def test_read_outs_look_ahead_without_changing_the_state():
    a, b = (syn.TwoTimescaleSynapse(1, 20, PARAMS, CPU) for _ in range(2))
    x = make_items([0], 1, 20, 0.2, 0, CPU)[:, 0]
    for s in (a, b):
        s.trigger(x)
        s.write_rows(active_rows(x), lambda rows: pl.gated_rows(x, active_rows(x), 1.0, 0.2))
        s.advance(50.0)
    ahead = a.ahead(250.0)
    w = ahead.weight
    fast, slow = ahead.components()
    for t in (40.0, 170.0):  # reads at other times in between
        a.ahead(t).parts()
    b.advance(250.0)
    a.advance(250.0)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.tag, b.tag)  # the reads left no trace
    assert torch.allclose(w, b.weight, rtol=1e-6) and torch.allclose(slow, b.slow, rtol=1e-6)
    assert torch.allclose(fast, b.fast, rtol=1e-6)


@pytest.mark.parametrize("model,optimizer", [("autoencoder", "sgd"), ("autoencoder", "adam"), ("one-layer", "sgd")])
def test_training_to_criterion_stops_each_seed_on_its_own(model, optimizer):
    items = make_items([1, 2, 3], 5, 60, 0.1, 1, CPU)
    lr = 0.5 if optimizer == "sgd" else 0.01

    def net(seeds):
        if model == "autoencoder":
            return BackpropAutoencoder(seeds, 1, 60, 0.1, optimizer, lr, 5, CPU)
        return BackpropAssociator(len(seeds), 60, 0.1, optimizer, lr, 5, CPU)

    batch, alone = net([1, 2, 3]), net([1])
    done = train_to_criterion(batch, items, 0.05, 200)
    mine = train_to_criterion(alone, items[:1], 0.05, 200)
    assert done[0] == mine[0] and all(c.met and c.epochs > 0 for c in done)
    assert all(c.loss_reached <= 0.05 < c.loss_before for c in done)
    for p, q in zip(batch.params, alone.params):
        assert torch.equal(p[0], q[0])
    assert torch.allclose(batch.mean_loss(items), torch.tensor([c.loss_reached for c in done]))


def test_a_conditions_rows_do_not_depend_on_the_other_delays_selected():
    def rows(delays):
        cfg = MemoryConfig(n_units=100, seeds=2, n_items=4, test_delays=delays)
        runner = cond.Runner(cfg)
        bank = runner.items(cfg.n_items + cond.MAX_STREAM, 0)
        ds = cond.test_delays(cfg)
        ret = cond.retention(runner, bank, cond.study(cfg, cfg.schedule), ds)
        table = retention_table(ret.tests, ds)
        return table[table.delay == "1 d"].reset_index(drop=True)

    assert rows(("1 d",)).equals(rows(("20 min", "1 d", "6 d")))
