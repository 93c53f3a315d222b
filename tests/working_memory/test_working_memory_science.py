"""What the working-memory page claims, asserted over 3 seeds with margins at small sizes."""

from __future__ import annotations

import pytest

from brainsim.working_memory.experiment import WorkingMemoryConfig
from brainsim.working_memory.run import run

SEEDS = 3


@pytest.fixture(scope="module")
def fast_weight_tables():
    cfg = WorkingMemoryConfig(
        task="associative retrieval",
        learners=("fast weights",),
        vocab=16,
        pairs=4,
        pairs_list=(1, 2, 4, 8, 16),
        delays=(0, 5, 10),
        lam=0.9,
        seeds=SEEDS,
    )
    return cfg, run(cfg)


@pytest.fixture(scope="module")
def default_tables():
    """The page's default run: delayed recall with K=8 symbols at delays 5 and 20, one network per delay and
    seed, every learner on the same budget (see the config's defaults)."""
    cfg = WorkingMemoryConfig()
    assert cfg.seeds >= SEEDS and {5, 20} <= set(cfg.delays) and {"feedforward", "rnn", "gru"} <= set(cfg.learners)
    return cfg, run(cfg)


def _by_seed(acc, learner):
    return acc[acc["learner"] == learner].pivot(index="seed", columns="delay", values="accuracy")


def test_feedforward_is_at_chance_for_every_delay():
    """Seeing only the go step, the feedforward control cannot beat guessing (1/K) after any delay."""
    cfg = WorkingMemoryConfig(learners=("feedforward",), delays=(1, 5, 20), seeds=SEEDS)
    acc = run(cfg)["accuracy_vs_delay"]
    assert len(acc) == 3 * SEEDS
    assert (acc["accuracy"] - 1 / cfg.symbols).abs().max() < 0.1, acc


def test_fast_weights_retrieve_few_pairs_without_training(fast_weight_tables):
    cfg, t = fast_weight_tables
    acc = t["accuracy_vs_pairs"]
    few = acc[acc["pairs"] <= 4].groupby("seed")["accuracy"].min()
    assert len(few) == SEEDS and (few >= 0.9).all(), acc
    assert (t["summary"]["train_samples"] == 0).all() and (t["summary"]["parameters"] == 0).all()


def test_fast_weight_accuracy_falls_as_pairs_grow(fast_weight_tables):
    _, t = fast_weight_tables
    mean = t["accuracy_vs_pairs"].groupby("pairs")["accuracy"].mean()
    assert mean[1] >= 0.99 and mean[16] < mean[1] - 0.08, mean  # 16 pairs: crosstalk plus 15 steps of decay
    assert mean.diff().dropna().max() < 0.02, mean  # (nearly) monotone: every added pair costs


def test_fast_weight_accuracy_falls_as_lambda_shrinks(fast_weight_tables):
    _, t = fast_weight_tables
    d = t["trace_decay"]
    at = d[d["delay"] == 5].groupby("lam")["accuracy"].mean()
    assert at[0.5] < at[0.8] < at[0.95], at
    assert at[0.5] < 0.3 and at[0.95] > 0.9, at


def test_trace_signal_matches_lambda_to_the_delay(fast_weight_tables):
    """The measured signal of one stored pair after D distractor writes is lambda^D (crosstalk averages out)."""
    _, t = fast_weight_tables
    d = t["trace_decay"].groupby(["lam", "delay"])[["signal", "theory"]].mean()
    assert (d["signal"] - d["theory"]).abs().max() < 0.03, d
    # and retrieval follows the trace: accuracy tracks lambda^D across decays and delays
    acc = t["trace_decay"].groupby(["lam", "delay"])["accuracy"].mean()
    assert acc.corr(d["theory"], method="spearman") > 0.8


@pytest.mark.slow
def test_gru_bridges_delay_20_within_its_default_budget(default_tables):
    cfg, t = default_tables
    acc = t["accuracy_vs_delay"]
    gru = _by_seed(acc, "gru")
    assert len(gru) == cfg.seeds and gru[20].mean() >= 0.95, gru
    assert not acc["diverged"].any()
    s = t["summary"]
    assert (s.loc[s["learner"] == "gru", "train_samples"] == cfg.steps * cfg.batch).all()  # the default budget


@pytest.mark.slow
def test_feedforward_guesses_in_the_default_run(default_tables):
    cfg, t = default_tables
    ff = _by_seed(t["accuracy_vs_delay"], "feedforward")
    assert ((ff - 1 / cfg.symbols).abs() < 0.1).all().all(), ff


@pytest.mark.slow
def test_vanilla_rnn_is_worse_at_delay_20_than_at_delay_5(default_tables):
    """Same budget for both delays (and for the GRU above). The RNN learns delay 5 (19 of seeds 0-19 reach 95%);
    at delay 20 its units saturate and the gradient reaching the symbol vanishes, so it stays far below (0 of 20
    reach 95%, median 0.29). This holds at the default learning rate; at a constant 0.01 the RNN bridges delay
    20 in 14 of 20 seeds and the GRU in 5 of 20 (see the page notes)."""
    _, t = default_tables
    rnn = _by_seed(t["accuracy_vs_delay"], "rnn")
    assert rnn[5].mean() >= 0.9, rnn
    assert rnn[20].mean() < rnn[5].mean() - 0.3, rnn  # in the mean over seeds, by a wide margin
    assert (rnn[20] < rnn[5] - 0.1).sum() >= 2 / 3 * len(rnn), rnn  # and in most seeds
