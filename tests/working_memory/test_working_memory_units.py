"""Unit tests of the working-memory building blocks: task generators, fast-weight store, packed nets."""

from __future__ import annotations

import pytest
import torch

from brainsim import config as C
from brainsim.export import csv_bytes
from brainsim.rules.fast_weights import fast_weight_update
from brainsim.runtime import torch_generator
from brainsim.working_memory import sequences as T
from brainsim.working_memory.data import TrainingBatches, conditions, held_out, make_batch, seq_len
from brainsim.working_memory.experiment import WorkingMemoryConfig
from brainsim.working_memory.fast_weights import FastWeightReader, read, store_snapshots
from brainsim.working_memory.recurrent import PackedNet
from brainsim.working_memory.run import run
from brainsim.working_memory.training import OPTIMIZERS, group_losses, make_schedule, train

# --------------------------------------------------------------------------- task generators


def test_delayed_recall_layout_and_labels():
    b = T.delayed_recall(64, 5, [0, 3, 7], 4, seed=1)
    assert b.x.shape == (64, 9, 5 + 4 + 1) and b.y.shape == (64,) and b.n_classes == 5
    assert torch.all(b.x.sum(-1) <= 1)  # at most one token per step
    assert torch.all(b.x[:, -1, b.layout["go"]] == 1)  # go at the last step
    for i in range(64):
        d = int(b.delay[i])
        start = 9 - 2 - d
        assert torch.all(b.x[i, :start] == 0)  # left padding
        assert int(b.x[i, start, b.layout["symbol"]].argmax()) == int(b.y[i])  # the symbol is the answer
        assert torch.all(b.x[i, start + 1 : -1, b.layout["distractor"]].sum(-1) == 1)  # D distractor steps
    assert set(b.delay.tolist()) == {0, 3, 7}


def test_associative_retrieval_layout_and_labels():
    b = T.associative_retrieval(50, 8, [1, 4, 8], 2, 3, seed=2)
    lay = b.layout
    assert b.x.shape[-1] == 8 + 8 + 3 + 1 and b.n_classes == 8
    for i in range(50):
        p, steps = int(b.pairs[i]), b.x[i]
        pair_steps = steps[steps[:, lay["value"]].sum(-1) == 1]
        assert len(pair_steps) == p
        keys = pair_steps[:, lay["key"]].argmax(-1)
        assert len(set(keys.tolist())) == p  # distinct keys
        q = int(steps[-1, lay["key"]].argmax())
        assert steps[-1, lay["query"]].item() == 1
        answer = int(pair_steps[keys.tolist().index(q), lay["value"]].argmax())
        assert answer == int(b.y[i])
        assert torch.all(steps[-3:-1, lay["distractor"]].sum(-1) == 1)  # delay 2 before the query


def test_n_back_answer():
    b = T.n_back(20, 6, 3, 7, seed=0)
    sym = b.x[:, :7, :6].argmax(-1)  # (B, L)
    assert torch.equal(sym[:, 7 - 3], b.y)


def test_generators_are_seeded():
    a, b = T.delayed_recall(8, 4, 5, 4, 3, 1), T.delayed_recall(8, 4, 5, 4, 3, 1)
    c = T.delayed_recall(8, 4, 5, 4, 3, 2)
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)


# --------------------------------------------------------------------------- fast weights


def test_fast_weight_update_is_the_hand_computed_outer_product():
    a = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]])  # (1, 2, 2)
    k, v = torch.tensor([[1.0, -1.0]]), torch.tensor([[2.0, 0.5]])
    out = fast_weight_update(a, k, v, lam=0.5, eta=0.1)
    # 0.5 * A + 0.1 * v k^T with v k^T = [[2, -2], [0.5, -0.5]]
    assert torch.allclose(out, torch.tensor([[[0.7, 0.8], [1.55, 1.95]]]))


def test_closed_form_read_equals_the_reference_rule():
    """The page's fast read-out equals the store written step by step by brainsim.rules' update."""
    g = torch_generator(0, 1)
    k, v, q = torch.randn(3, 6, 5, generator=g), torch.randn(3, 6, 4, generator=g), torch.randn(3, 5, generator=g)
    a = torch.zeros(3, 4, 5)
    for t in range(6):
        a = fast_weight_update(a, k[:, t], v[:, t], 0.8, 0.3)  # (B, 4, 5)
    assert torch.equal(store_snapshots(k, v, 0.8, 0.3)[:, -1], a)
    assert torch.allclose(read(k, v, q, 0.8, 0.3), (a @ q[:, :, None])[:, :, 0], atol=1e-5)
    many = read(k, v, q, [0.8, 1.0], 0.3)  # (L, B, 4)
    assert torch.allclose(many[0], read(k, v, q, 0.8, 0.3)) and torch.allclose(many[1], read(k, v, q, 1.0, 0.3))


def test_single_trace_signal_is_lambda_to_the_delay_without_distractors():
    b = T.associative_retrieval(16, 8, 1, 6, 0, seed=0)  # no distractors: blank steps write nothing
    r = FastWeightReader(b.layout, 32, 0.7, 0.5, 0.0, seed=0)
    assert torch.allclose(r.signal(b.x, b.y), torch.full((16,), 0.7**6), atol=1e-5)


# --------------------------------------------------------------------------- packed networks


@pytest.mark.parametrize(
    "kind, optimizer",
    [(k, "adam") for k in ("feedforward", "rnn", "gru", "lstm")] + [("gru", o) for o in OPTIMIZERS if o != "adam"],
)
def test_packed_groups_train_like_separate_networks_up_to_rounding(kind, optimizer):
    """G networks packed block-diagonally follow the trajectories they follow alone, with every optimizer, up to
    float summation order (not bit for bit: that is why the run trains every network alone)."""
    groups = 3
    data = [T.delayed_recall(8, 3, 4, 2, seed=s) for s in range(groups)]
    x = torch.stack([d.x for d in data], 2)  # (B, T, G, d_in)
    y = torch.stack([d.y for d in data], 1)  # (B, G)
    packed = PackedNet(kind, groups, x.shape[-1], 5, 3, [torch_generator(s, 9) for s in range(groups)])
    train(packed, lambda step: (x, y), steps=15, lr=0.05, clip=0.5, optimizer=optimizer)
    for g in range(groups):
        alone = PackedNet(kind, 1, x.shape[-1], 5, 3, [torch_generator(g, 9)])
        train(
            alone,
            lambda step, g=g: (x[:, :, g : g + 1], y[:, g : g + 1]),
            steps=15,
            lr=0.05,
            clip=0.5,
            optimizer=optimizer,
        )
        with torch.no_grad():
            assert torch.allclose(packed(x)[:, g], alone(x[:, :, g : g + 1])[:, 0], atol=1e-4)
    assert packed.parameter_count() == alone.parameter_count()


def test_divergence_stops_only_that_group():
    data = [T.delayed_recall(8, 3, 2, 2, seed=s) for s in range(2)]
    x = torch.stack([d.x for d in data], 2)
    y = torch.stack([d.y for d in data], 1)
    net = PackedNet("gru", 2, x.shape[-1], 4, 3, [torch_generator(s, 9) for s in range(2)])

    def batch(step):
        if step == 3:  # group 1's weights blow up (as with a far too large learning rate)
            with torch.no_grad():
                net.body.weight_hh_l0[4:8, 4:8] = float("nan")  # group 1's block of the reset gate
        return x, y

    res = train(net, batch, steps=6, lr=0.01)
    assert res.diverged.tolist() == [False, True] and res.diverged_step.tolist() == [-1, 3]
    assert res.steps_done == 6 and torch.isfinite(net(x)).all()


def test_cosine_schedule_anneals_the_learning_rate_to_zero():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=0.2)
    sched, seen = make_schedule("cosine", opt, 10), []
    for _ in range(10):
        seen.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert seen[0] == pytest.approx(0.2) and all(a > b for a, b in zip(seen, seen[1:])) and seen[-1] < 0.01
    assert opt.param_groups[0]["lr"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("task", T.TASKS)
def test_seq_len_is_the_generators_length(task):
    cfg = WorkingMemoryConfig(task=task, delays=(0, 3, 7), train_pair_sweep=True, seeds=2)
    for p, d in conditions(cfg):
        assert make_batch(cfg, 2, p, d, 0, 1).x.shape[1] == seq_len(cfg, p, d)


def test_training_sequences_are_the_groups_own():
    """A network's batches depend on its own (seed, pairs, delay) and the sizes, not on the run's other seeds
    or delays; different groups get different sequences."""
    few, many = WorkingMemoryConfig(delays=(5,), seeds=1), WorkingMemoryConfig(delays=(1, 5, 20, 40), seeds=5)
    a, b = TrainingBatches(few, (0, 1, 5), torch.device("cpu")), TrainingBatches(many, (0, 1, 5), torch.device("cpu"))
    other = TrainingBatches(many, (1, 1, 5), torch.device("cpu"))
    for step in (1, 2, a.per_block + 1, few.steps):
        assert torch.equal(a(step)[0], b(step)[0]) and torch.equal(a(step)[1], b(step)[1])
        assert not torch.equal(a(step)[0], other(step)[0])
    assert torch.equal(held_out(few, (0, 1, 5)).x, held_out(many, (0, 1, 5)).x)
    assert not torch.equal(held_out(many, (0, 1, 5)).y, held_out(many, (0, 1, 20)).y)


_SMALL = dict(hidden=8, steps=12, batch=16, test_size=64, seeds=2, decay_lambdas=(0.8, 0.9))


def _bytes(df) -> bytes:
    return csv_bytes(df.reset_index(drop=True))


@pytest.mark.parametrize("task", ["delayed recall", "associative retrieval"])
def test_a_delays_rows_do_not_depend_on_the_other_delays(task):
    """Delay 3's rows are the same bytes whether it is trained alone or beside delays 1 and 12 (which change
    the shortest and the longest delay, hence the old packing and the trace-decay span)."""
    learners = ("feedforward", "rnn", "gru", "fast weights")
    alone = run(WorkingMemoryConfig(task=task, delays=(3,), learners=learners, **_SMALL))
    among = run(WorkingMemoryConfig(task=task, delays=(12, 3, 1), learners=learners, **_SMALL))
    for table in ("accuracy_vs_delay", "training_curves", "summary"):
        mine = among[table].query("delay == 3")
        assert len(mine) and _bytes(alone[table]) == _bytes(mine), table
    trained = {"feedforward", "rnn", "gru"} | ({"fast weights"} if task == "associative retrieval" else set())
    assert set(alone["accuracy_vs_delay"]["learner"]) == trained
    assert _bytes(alone["trace_decay"]) == _bytes(among["trace_decay"].query("delay <= 10"))


def test_a_pair_counts_rows_do_not_depend_on_the_other_pair_counts():
    common = dict(task="associative retrieval", delays=(2,), pairs=2, train_pair_sweep=True, **_SMALL)
    few = run(WorkingMemoryConfig(pairs_list=(1, 2), learners=("feedforward", "gru", "fast weights"), **common))
    many = run(WorkingMemoryConfig(pairs_list=(8, 1, 4, 2), learners=("feedforward", "gru", "fast weights"), **common))
    assert set(many["training_curves"]["pairs"]) == {1, 2, 4, 8}
    for table in ("accuracy_vs_pairs", "training_curves"):
        assert _bytes(few[table]) == _bytes(many[table].query("pairs <= 2")), table


@pytest.mark.parametrize("name, momentum", [("sgd", 0.0), ("momentum", 0.9)])
def test_sgd_is_plain_and_momentum_is_its_own_choice(name, momentum):
    """One vocabulary (brainsim.torchkit): a saved "sgd" loads as plain SGD; momentum 0.9 is "momentum"."""
    assert C.from_json(WorkingMemoryConfig, f'{{"optimizer": "{name}"}}').optimizer == name
    b = T.delayed_recall(8, 3, 2, 2, seed=0)
    x, y = b.x[:, :, None], b.y[:, None]  # one group: (B, T, 1, d_in), (B, 1)
    net = PackedNet("rnn", 1, x.shape[-1], 4, 3, [torch_generator(0, 9)])
    ref = PackedNet("rnn", 1, x.shape[-1], 4, 3, [torch_generator(0, 9)])
    train(net, lambda step: (x, y), steps=3, lr=0.1, clip=0.0, optimizer=name)
    opt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=momentum)
    for _ in range(3):
        opt.zero_grad()
        group_losses(ref, x, y).sum().backward()
        opt.step()
    for p, q in zip(net.parameters(), ref.parameters()):
        assert torch.allclose(p, q, atol=1e-6)
