"""The memory-reinforcement page's claims, at the default config over 5 seeds, with margins."""

from __future__ import annotations

import pytest

from brainsim.memory import conditions
from brainsim.memory.conditions import N_FIRST
from brainsim.memory.experiment import MemoryConfig, run
from brainsim.memory.sim import BP_NAME, SYN_NAME
from brainsim.memory.tables import (
    EBB_SOURCE,
    MODEL_STRENGTH,
    forgetting_tables,
    interference_table,
    retention_table,
)


@pytest.fixture(scope="module", params=["default", "hebbian covariance"])
def tables(request):
    """The default config (gated covariance rule), and the same with the full covariance rule, whose
    dense writes take another code path: every behaviour must hold for both."""
    cfg = MemoryConfig() if request.param == "default" else MemoryConfig(rule=request.param)
    assert cfg.seeds >= 5
    return run(cfg)


def _syn(df):
    return df[df.learner == SYN_NAME]


def test_consolidation_off_falls_to_chance_on_stays_far_above(tables):
    cfg = MemoryConfig()
    ret = _syn(tables["retention"])
    few_tau = ret.delay_s >= 5 * cfg.tau_stm * 60  # delays of at least 5 tau_stm
    off = ret[(ret.condition == "consolidation off") & few_tau].groupby("seed")["recall"].mean()
    longest = ret[ret.delay_s == ret.delay_s.max()]
    on = longest[longest.condition == "consolidation on"].groupby("seed")["recall"].mean()
    assert len(off) >= 5 and off.abs().max() < 0.1  # chance is 0
    assert on.mean() > 0.6 and on.min() > 0.4


def test_spaced_beats_massed_at_the_long_delay_with_equal_presentations(tables):
    cfg = MemoryConfig()
    n_massed = sum(e.kind == "present" for e in conditions.study(cfg, "massed"))
    n_spaced = sum(e.kind == "present" for e in conditions.study(cfg, "spaced"))
    assert n_massed == n_spaced == cfg.n_reps * cfg.n_items
    sp = _syn(tables["spacing"])
    long_ = sp[sp.test == "long delay"].pivot_table(index="seed", columns="schedule", values="recall")
    diff = long_["spaced"] - long_["massed"]
    assert diff.mean() > 0.3 and (diff > 0).all()
    short = sp[sp.test == "short delay"].groupby("schedule")["recall"].mean()
    assert short["massed"] > 0.9  # massed is fine right after study: the difference is retention


def test_reward_gated_consolidation_keeps_rewarded_items(tables):
    rw = _syn(tables["reward"])
    longest = rw[rw.delay_s == rw.delay_s.max()].pivot_table(index="seed", columns="condition", values="recall")
    diff = longest["rewarded"] - longest["unrewarded"]
    assert diff.mean() > 0.4 and (diff > 0.1).all()


def test_three_factor_learns_only_when_tau_e_spans_the_reward_delay(tables):
    d = tables["distal"]
    d = d.groupby(["tau_e_s", "reward_delay_s"])["recall"].mean()
    assert d[(100.0, 32.0)] > 0.8  # tau_e = 100 s spans a 32 s delay
    assert d[(1.0, 32.0)] < 0.1  # tau_e = 1 s is much shorter: nothing learned (chance 0)
    assert d[(1.0, 0.5)] > 0.6


def test_brain_like_net_degrades_gradually_under_a_stream_of_new_items(tables):
    it = tables["interference"]
    syn_curve = _syn(it).groupby("n_learned")["recall"].mean()
    assert syn_curve.iloc[0] > 0.95
    assert syn_curve.iloc[-1] > 0.85  # consolidated early items survive the stream
    assert (syn_curve.diff().dropna() > -0.1).all()  # no sharp step anywhere


def _interference_only(cfg):
    """The page's interference condition alone (both learners), without the other conditions."""
    return interference_table(conditions.interference(conditions.Runner(cfg)))


def test_backprop_interference_is_catastrophic_with_dense_items():
    """One-layer twin: with dense items (f = 0.5) each new item rewrites half of an old item's input weights:
    the backprop net's recall of the first items collapses within a few new items."""
    it = _interference_only(MemoryConfig(coding_level=0.5, stream_items=12, n_units=100, backprop_model="one-layer"))
    bp = it[it.learner == BP_NAME].groupby("n_learned")["recall"].mean()
    assert bp.iloc[0] > 0.9 and bp.iloc[-1] < 0.3


def _ae_curves(cfg):
    """Recall of the first items per (seed, items learned) for the autoencoder and the synapse model, and the
    autoencoder's training to criterion per seed."""
    it = _interference_only(cfg)
    assert not it["diverged"].any()
    ae, sy = (
        it[it.learner == name].pivot_table(index="seed", columns="n_learned", values="recall")
        for name in (BP_NAME, SYN_NAME)
    )
    crit = it[it.learner == BP_NAME].groupby("seed").first()
    return ae, sy, crit


def test_autoencoder_trained_to_convergence_forgets_over_several_items_while_the_synapse_keeps_them():
    """Behaviour 5 at the defaults: trained to the loss criterion first, the autoencoder knows the first
    items (recall 1) and loses them item by item, not at once; the synapse model keeps them on the same stream."""
    cfg = MemoryConfig()
    assert cfg.seeds >= 5 and cfg.backprop_model == "autoencoder"
    ae, sy, crit = _ae_curves(cfg)
    first = N_FIRST
    assert crit["criterion_met"].all() and (crit["loss_at_criterion"] <= cfg.criterion_loss).all()
    assert (crit["recall_after_study"] < 0.9).all() and (crit["criterion_epochs"] > 5).all()  # study alone: not learned
    assert ae[first].min() > 0.95  # the items were known before the stream
    assert ae[first + 1].mean() > 0.75 and ae[first + 1].min() > 0.6  # one new item: a dent, not a wipe-out
    assert (ae.mean().diff().dropna() > -0.25).all()  # no step down by more than a quarter
    assert ae.iloc[:, -5:].mean().mean() < 0.65  # still it forgets: far below the synapse model
    assert sy.min().min() > 0.9 and sy.iloc[:, -1].mean() > 0.9


def test_high_recall_is_no_protection_an_autoencoder_far_from_convergence_collapses():
    """Trained only to loss 0.5 (a few epochs) it recalls the first items perfectly, yet one new item wipes
    them out; with no training to criterion it never knew them well and collapses the same way."""
    ae, _, crit = _ae_curves(MemoryConfig(criterion_loss=0.5))
    assert (crit["recall_at_criterion"] > 0.95).all() and (crit["criterion_epochs"] <= 5).all()
    assert ae[N_FIRST].min() > 0.95 and ae[N_FIRST + 1].max() < 0.2
    ae, _, crit = _ae_curves(MemoryConfig(criterion_epochs=0))
    assert crit["criterion_epochs"].isna().all()
    assert ae[N_FIRST].mean() > 0.45 and ae[N_FIRST].min() > 0.35  # learned, badly
    assert ae[N_FIRST + 2].abs().max() < 0.15 and ae.iloc[:, -1].mean() < 0.1  # chance (0) in every seed


def test_forgetting_laws_ebbinghaus_power_log_model_two_exponential(tables):
    """The notes: Ebbinghaus' savings favour the log law; the tagging-and-capture trace is a sum of two
    exponentials whose fit recovers tau_stm and tau_ltm."""
    cfg = MemoryConfig()
    fits = tables["forgetting_fits"]
    best = fits.sort_values("aicc").groupby("source", sort=False).first()["model"]
    assert best[EBB_SOURCE] == "log law"
    strength = fits[fits.source == MODEL_STRENGTH].set_index("model")
    assert best[MODEL_STRENGTH] == "two-exponential" and strength["sse"].min() < 1e-4
    tau1, tau2 = (float(p.split("=")[1]) for p in strength.loc["two-exponential", "parameters"].split(",")[1::2])
    assert 0.5 < tau1 / (cfg.tau_stm / 60) < 2.5 and 0.7 < tau2 / (cfg.tau_ltm * 24) < 1.4


def test_the_benna_fusi_chain_forgets_like_a_power_law():
    cfg = MemoryConfig(synapse_model="benna-fusi chain", seeds=2)
    runner = conditions.Runner(cfg)
    bank = runner.items(cfg.n_items + conditions.MAX_STREAM, 0)
    delays = conditions.test_delays(cfg)
    ret = conditions.retention(runner, bank, conditions.study(cfg, cfg.schedule), delays)
    _, fits = forgetting_tables(retention_table(ret.tests, delays))
    sse = fits[fits.source == MODEL_STRENGTH].set_index("model")["sse"]
    assert sse["power law"] < sse["exponential"] / 5 and sse["log law"] < sse["exponential"] / 5
