"""Known answers for the associative-memory building blocks: storage rules, dynamics, energy, parsing."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from brainsim.config import ConfigError, make
from brainsim.hopfield import denoising as ae
from brainsim.hopfield import dynamics as dyn
from brainsim.hopfield import experiment as exp
from brainsim.hopfield import modern, storage, tables
from brainsim.hopfield import patterns as pats
from brainsim.hopfield import recall as rec
from brainsim.rules import hopfield as rules


def patterns(seed: int, p: int, n: int, dtype=torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(p, n, generator=g) < 0.5).to(dtype) * 2 - 1


# --------------------------------------------------------------------------- storage rules


def test_hebbian_equals_hand_computed_outer_products():
    x = torch.tensor([[1.0, -1.0, 1.0, 1.0], [-1.0, -1.0, 1.0, -1.0]])
    w = rules.hebbian(x)
    expected = (np.outer(x[0], x[0]) + np.outer(x[1], x[1])) / 4
    np.fill_diagonal(expected, 0.0)
    np.testing.assert_allclose(w.numpy(), expected)
    assert w[0, 1] == pytest.approx((1 * -1 + -1 * -1) / 4)  # = 0: the two patterns disagree on the sign


@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_rules_give_symmetric_weights_with_zero_diagonal(rule):
    w = rules.RULES[rule](patterns(1, 12, 60))
    assert torch.equal(torch.diagonal(w), torch.zeros(60))
    torch.testing.assert_close(w, w.T, atol=1e-5, rtol=0)


def test_storkey_matches_the_elementwise_formula():
    """The rank-2 vectorised update equals Storkey's rule written out with h_ij = Σ_{k≠i,j} w_ik ξ_k."""
    n, p = 10, 4
    x = patterns(2, p, n, torch.float64)
    w = np.zeros((n, n))
    for xi in x.numpy():
        h = np.array(
            [[sum(w[i, k] * xi[k] for k in range(n) if k not in (i, j)) for j in range(n)] for i in range(n)]
        )  # h[i, j] = h_ij
        new = w + (np.outer(xi, xi) - xi[:, None] * h.T - h * xi[None, :]) / n
        np.fill_diagonal(new, 0.0)
        w = new
    np.testing.assert_allclose(rules.storkey(x).numpy(), w, atol=1e-12)


def test_storkey_snapshots_are_the_weights_after_each_prefix():
    x = patterns(3, 9, 40)
    snap = rules.storkey(x, snapshots=[2, 5, 9])
    for k, p in enumerate([2, 5, 9]):
        torch.testing.assert_close(snap[k], rules.storkey(x[:p]))
    batched = rules.storkey(torch.stack([x, -x]))  # leading batch dims work and the rule is sign-symmetric
    torch.testing.assert_close(batched[0], batched[1])


def test_pseudo_inverse_projects_onto_the_patterns():
    x = patterns(4, 30, 100)
    full = x.double().mT @ torch.linalg.solve(x.double() @ x.double().mT / 100, x.double()) / 100
    torch.testing.assert_close((full @ x.double().mT).mT, x.double())  # W ξ = ξ before the diagonal is removed
    w = rules.pseudo_inverse(x)
    assert torch.equal(dyn.sgn(x @ w.mT, x), x)  # every stored pattern is a fixed point


def test_pseudo_inverse_survives_a_repeated_pattern():
    x = patterns(5, 6, 50)
    x = torch.cat([x, x[:1]])  # dependent rows: C is singular, the rule falls back to the projection
    w = rules.pseudo_inverse(x)
    assert torch.isfinite(w).all()
    assert torch.equal(dyn.sgn(x @ w.mT, x), x)


# --------------------------------------------------------------------------- dynamics and energy


def naive_async(w, cues, generator, sweeps):
    """One neuron at a time in the same random orders recall_async draws (reference implementation)."""
    s = cues.clone()
    b, n = s.shape
    for _ in range(sweeps):
        order = torch.argsort(torch.rand(b, n, generator=generator), dim=1)
        for r in range(b):
            for i in order[r].tolist():
                h = float(w[i] @ s[r])
                if h != 0:
                    s[r, i] = 1.0 if h > 0 else -1.0
    return s


def test_async_jumps_equal_one_neuron_at_a_time():
    """Jumping to the next unstable neuron gives exactly the states of the plain sequential loop."""
    x = patterns(6, 8, 40)
    w = rules.hebbian(x)
    cues = pats.flip_cue(x, 0.3, torch.Generator().manual_seed(1))
    fast = dyn.recall_async(w, cues, torch.Generator().manual_seed(7), max_sweeps=1)
    slow = naive_async(w, cues, torch.Generator().manual_seed(7), sweeps=1)
    assert torch.equal(fast.states, slow)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("rule", sorted(rules.RULES))
def test_energy_never_increases_under_async_updates(rule, seed):
    """Property: E = −½ sᵀWs is non-increasing after every single-neuron update, from random states."""
    n = 40
    x = patterns(100 + seed, [4, 8, 16][seed % 3], n)  # below and well above Hebbian capacity
    w = rules.RULES[rule](x).double()
    g = torch.Generator().manual_seed(seed)
    cues = (torch.rand(6, n, generator=g) < 0.5).double() * 2 - 1  # arbitrary starting states
    r = dyn.recall_async(w, cues, g, max_sweeps=50, record_every=1)
    e = dyn.energy(w, r.history.reshape(-1, n)).reshape(r.history.shape[:2])  # (T, B)
    assert r.history.shape[0] > n  # one record per update
    assert (e[1:] - e[:-1] <= 1e-9).all()
    assert bool(r.converged.all())  # symmetric W: async dynamics reach a fixed point


def test_sync_stops_at_fixed_points_and_two_cycles():
    w = torch.tensor([[0.0, -1.0], [-1.0, 0.0]])  # antiferromagnetic pair
    r = dyn.recall_sync(w, torch.tensor([[1.0, 1.0], [1.0, -1.0]]))
    assert r.states[1].tolist() == [1.0, -1.0] and int(r.steps[1]) == 0  # already a fixed point
    assert bool(r.converged[0]) and int(r.steps[0]) == 2  # (1,1) -> (-1,-1) -> (1,1): a 2-cycle
    e = dyn.energy(w, torch.tensor([[1.0, 1.0], [-1.0, -1.0]]))
    assert torch.equal(e, torch.tensor([1.0, 1.0]))  # sync updates may sit on a high-energy cycle


def test_batched_networks_match_one_at_a_time():
    xs = [patterns(10 + k, p, 50) for k, p in enumerate([3, 7, 5])]
    w = torch.stack([rules.hebbian(x) for x in xs])
    cues = torch.cat([pats.flip_cue(x, 0.2, torch.Generator().manual_seed(2)) for x in xs])
    model = torch.repeat_interleave(torch.arange(3), torch.tensor([3, 7, 5]))
    together = dyn.recall_sync(w, cues, model)
    alone = torch.cat([dyn.recall_sync(w[k], c).states for k, c in enumerate(cues.split([3, 7, 5]))])
    assert torch.equal(together.states, alone)
    h = dyn.local_field(w, cues, model)
    assert torch.allclose(h[3:10], cues[3:10] @ w[1].T)


def test_modern_hopfield_retrieves_in_one_step_and_lowers_energy():
    x = patterns(20, 60, 100)  # α = 0.6, far above the classical capacities
    cue = pats.flip_cue(x, 0.2, torch.Generator().manual_seed(3))
    beta = 1 / 10
    s = modern.modern_step(x, cue, beta)
    assert (rec.overlap(torch.sign(s), x) == 1).all()
    assert (modern.modern_energy(x, s, beta) < modern.modern_energy(x, cue, beta)).all()


def test_overlap_and_classify():
    x = patterns(30, 6, 200)
    model = torch.zeros(6, dtype=torch.long)
    mix = torch.sign(x[0] + x[1] + x[2])
    states = torch.stack([x[0], -x[1], mix, x[5], patterns(31, 1, 200)[0]])
    target = torch.tensor([0, 1, 3, 4, 2])
    labels = rec.classify(states, x, model, target, torch.zeros(5, dtype=torch.long), 1)
    assert [rec.OUTCOMES[k] for k in labels] == ["recalled", "other pattern", "mixture", "other pattern", "spurious"]
    assert rec.overlap(x[:1], -x[:1]).item() == -1.0


def test_cues_flip_exact_counts_and_occlude_the_bottom():
    x = patterns(40, 5, 100)
    cue = pats.flip_cue(x, 0.1, torch.Generator().manual_seed(0))
    assert ((cue != x).sum(1) == 10).all()
    occ = pats.occlude_cue(x, 0.25)
    assert (occ[:, 75:] == -1).all() and torch.equal(occ[:, :75], x[:, :75])


# --------------------------------------------------------------------------- autoencoder


def test_autoencoder_has_the_hopfield_weight_budget():
    g = torch.Generator().manual_seed(0)
    n = 64
    one = ae.DenoisingAutoencoder(2, n, "one-layer", g)
    neck = ae.DenoisingAutoencoder(2, n, "bottleneck", g)
    assert one.n_weights() == n * (n - 1) and neck.n_weights() == n * n
    x = patterns(1, 3, n).expand(2, -1, -1)
    z = one(x)
    z.sum().backward()
    assert torch.equal(torch.diagonal(one.w.grad[0]), torch.zeros(n))  # no self-connection, no gradient


def test_pad_unpad_round_trip():
    flat = torch.arange(12.0).reshape(6, 2)
    padded, mask = ae.pad(flat, [1, 3, 2])
    assert padded.shape == (3, 3, 2) and mask.sum() == 6
    assert torch.equal(ae.unpad(padded, [1, 3, 2]), flat)


def test_batched_training_equals_training_alone():
    """Summing per-network losses keeps the networks independent (gradients and Adam state)."""
    x = patterns(2, 8, 32)
    both = torch.stack([x, -x])
    mask = torch.ones(2, 8, dtype=torch.bool)

    def clean(v, g):
        return v

    two = ae.DenoisingAutoencoder(2, 32, "one-layer", torch.Generator().manual_seed(0))
    one = ae.DenoisingAutoencoder(1, 32, "one-layer", torch.Generator().manual_seed(1))
    with torch.no_grad():  # same starting point for network 0
        one.w.copy_(two.w[:1])
        one.b.copy_(two.b[:1])
    ae.train(two, both, mask, clean, 5, 0.01, torch.Generator())
    ae.train(one, both[:1], mask[:1], clean, 5, 0.01, torch.Generator())
    torch.testing.assert_close(two.w[0], one.w[0])


# --------------------------------------------------------------------------- user patterns and config


def test_csv_accepts_01_pm1_and_runs():
    a = pats.parse_csv("0,1,1,0\n1 0 0 1")
    b = pats.parse_csv("-1,+1,1,-1;1,-1,-1,1")
    c = pats.parse_csv("0110;1001")
    assert a.tolist() == [[-1, 1, 1, -1], [1, -1, -1, 1]]
    assert np.array_equal(a, b) and np.array_equal(a, c)
    assert pats.parse_csv(pats.EXAMPLE_CSV).shape == (4, 64)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "is empty"),
        ("0,1,2,0", "row 1 holds '2'"),
        ("0110\n01101", "row 2 has 5 values but row 1 has 4"),
        ("0,1,-1,1", "mixes 0 and -1"),
        ("011", "between 4 and"),
        ("0110;1001;1111;0000", "fewer patterns than values"),
        ("a,b,c,d", "row 1 holds 'a'"),
    ],
)
def test_csv_errors_are_one_sentence_naming_the_field(text, fragment):
    with pytest.raises(ConfigError, match="Field 'patterns_csv'") as err:
        make(exp.HopfieldConfig, {"patterns": "upload", "patterns_csv": text})
    assert fragment in str(err.value)


def test_bad_upload_is_ignored_unless_chosen():
    cfg = make(exp.HopfieldConfig, {"patterns_csv": "not a pattern"})
    assert cfg.patterns == "random"


@pytest.mark.parametrize(
    "values, fragment",
    [
        ({"learners": []}, "at least one learner"),
        ({"cue_fraction": 0.7}, "at most 0.5 for flip cues"),
        ({"load_min": 0.5, "load_max": 0.3}, "'load_min' must be below"),
        ({"n_neurons": 50, "n_patterns": 60}, "'n_patterns' must be below"),
    ],
)
def test_cross_field_errors(values, fragment):
    with pytest.raises(ConfigError, match=fragment):
        make(exp.HopfieldConfig, values)


def test_critical_load_interpolates_and_flags_censoring():
    loads = np.array([0.1, 0.2, 0.3])
    assert tables.critical_load(loads, np.array([1.0, 0.6, 0.2]))[0] == pytest.approx(0.225)
    assert tables.critical_load(loads, np.array([1.0, 0.9, 0.8]))[1] == "above swept range"
    assert tables.critical_load(loads, np.array([0.4, 0.1, 0.0]))[1] == "below swept range"


def test_buckets_cover_every_network_once():
    sizes = [2, 3, 5, 9, 14, 23, 37, 60] * 2
    groups = storage.buckets(sizes)
    assert sorted(k for g in groups for k in g) == list(range(len(sizes)))
    assert 1 < len(groups) <= 3


def test_upload_run_draws_the_pasted_images():
    cfg = make(
        exp.HopfieldConfig,
        {
            "patterns": "upload",
            "seeds": 2,
            "n_patterns": 4,
            "ae_epochs": 20,
            "learners": ["pseudo-inverse", "autoencoder"],
        },
    )
    tables = exp.run(cfg)
    stored = tables["images"].query("panel == 'stored' and pattern == 0")
    assert len(stored) == 64 and set(stored["pixel"]) == {-1, 1}
    assert tables["capacity"]["n_patterns"].max() == 4


def test_pseudo_inverse_batched_equals_one_at_a_time():
    """Guards the batched solve (batched LU solves of this size are broken in torch 2.13's CPU MKL)."""
    x = torch.stack([patterns(50 + k, 200, 400) for k in range(3)])
    w = rules.pseudo_inverse(x)
    for k in range(3):
        torch.testing.assert_close(w[k], rules.pseudo_inverse(x[k]), atol=1e-5, rtol=0)
    assert torch.equal(dyn.sgn(x @ w.mT, x), x)


def test_nested_hebbian_and_storkey_match_separate_storage():
    x = torch.stack([patterns(60 + k, 12, 40) for k in range(2)])  # (S, P, N)
    counts = [3, 7, 12]
    for rule in ("hebbian", "storkey", "pseudo-inverse"):
        mem = storage.store(rule, exp.HopfieldConfig(), x, counts, list(range(x.shape[0])))
        w = mem.w.reshape(2, 3, 40, 40)
        for s in range(2):
            for k, p in enumerate(counts):
                torch.testing.assert_close(w[s, k], rules.RULES[rule](x[s, :p]), atol=1e-5, rtol=0)


# --------------------------------------------------------------------------- one recall loop


@pytest.mark.parametrize("seed", range(3))
def test_fast_sync_recall_equals_the_reference_loop(seed):
    """recall_sync (incremental fields, blocks, batched networks) gives the states, steps and stops of
    `settle`, the plain loop s ← sgn(W s), on integer weights where every field is exact."""
    n, sizes = 40, [6, 12, 20]  # below and above capacity, so fixed points and 2-cycles both occur
    xs = [patterns(70 + 3 * seed + k, p, n) for k, p in enumerate(sizes)]
    w = torch.stack([torch.round(rules.hebbian(x) * n) for x in xs])
    g = torch.Generator().manual_seed(seed)
    reps = 800  # 2400 cues: more than one block of SYNC_BLOCK rows
    cues = (torch.rand(len(sizes) * reps, n, generator=g) < 0.5).float() * 2 - 1
    model = torch.arange(len(sizes)).repeat_interleave(reps)
    fast = dyn.recall_sync(w, cues, model, max_steps=25)
    slow = dyn.settle(lambda s: dyn.local_field(w, s, model), cues, max_steps=25)
    assert torch.equal(fast.states, slow.states)
    assert torch.equal(fast.steps, slow.steps)
    assert torch.equal(fast.converged, slow.converged)
    assert (slow.steps > 0).any() and (~slow.converged).sum() < len(cues)


def test_settle_stops_at_fixed_points_and_two_cycles_on_any_leading_shape():
    """The loop the autoencoder recalls with: (M, K, N) cues, the same stops as recall_sync's."""
    w = torch.tensor([[0.0, -1.0], [-1.0, 0.0]])  # antiferromagnetic pair
    cues = torch.tensor([[[1.0, 1.0], [1.0, -1.0]], [[-1.0, 1.0], [-1.0, -1.0]]])  # (2, 2, 2)
    r = dyn.settle(lambda s: s @ w.mT, cues, max_steps=10, record=True)
    assert r.steps.tolist() == [[2, 0], [0, 2]]  # 2-cycles after two steps; fixed points at once
    assert bool(r.converged.all()) and torch.equal(r.states, cues)
    assert r.history.shape == (3, 2, 2, 2) and torch.equal(r.history[1, 0, 0], torch.tensor([-1.0, -1.0]))
    net = ae.DenoisingAutoencoder(2, 16, "one-layer", torch.Generator().manual_seed(0))
    out = ae.recall(net, patterns(3, 10, 16).reshape(2, 5, 16), max_steps=10)
    assert out.states.shape == (2, 5, 16) and out.steps.shape == (2, 5)


def test_csv_errors_count_rows_as_written_and_quote_long_cells():
    with pytest.raises(ConfigError, match="row 3 has 5 values but row 1 has 4"):
        pats.parse_csv("0110\n\n01101")
    with pytest.raises(ConfigError, match=r"row 1 holds '0101010101010101010\d\.\.\.'"):
        pats.parse_csv("0,01010101010101010101010101")
