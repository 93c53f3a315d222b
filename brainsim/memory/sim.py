"""Event-driven simulation of one presentation stream through both learners, batched over seeds.

The brain-like learner is a recurrent auto-associative net whose synapses are `TwoTimescaleSynapse`
(tagging and capture) or `ChainSynapse` (Benna & Fusi); the backprop learner is a
`BackpropAssociator` (one layer) or `BackpropAutoencoder` trained by torch.optim on exactly the same
"present" events. Between events
the synapses evolve in closed form, so simulated days cost nothing. Tests are snapshots: they read
the weights and never change them, and both learners get the same cue and the same neural noise.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from brainsim.memory import synapse as syn
from brainsim.memory.nets import BackpropAssociator, BackpropAutoencoder, make_cues, n_active, overlap, recall, strength
from brainsim.memory.schedule import Event
from brainsim.runtime import is_finite, torch_generator

TRIGGERS = ("repetition or reward", "repetition", "reward", "every presentation", "off")
RULES = ("gated covariance", "hebbian covariance", "oja", "three-factor")
SYNAPSES = ("tagging and capture", "benna-fusi chain")


@dataclass(frozen=True)
class SimSpec:
    """Numbers one simulation needs (seconds for times)."""

    n: int
    f: float
    rule: str
    eta: float
    synapse: str
    params: syn.SynapseParams
    trigger: str
    rep_threshold: float
    tau_e: float
    baseline_rate: float
    cue_noise: float
    sigma: float
    recall_steps: int
    optimizer: str
    lr: float
    steps: int
    reward_weighted: bool
    backprop: bool = True
    backprop_model: str = "one-layer"


def _needs_reward_events(spec: SimSpec) -> bool:
    return spec.rule == "three-factor" or "reward" in spec.trigger


class Result:
    """Test read-outs, stacked: one entry per (test event, learner)."""

    def __init__(self):
        self.rows: list[dict] = []

    def add(self, ev: Event, learner: str, items: list[int], rec, s_fast, s_slow, s_total, diverged: bool):
        self.rows.append(
            dict(
                t=ev.t,
                tag=ev.tag,
                learner=learner,
                items=items,
                recall=rec.cpu().numpy(),
                fast=None if s_fast is None else s_fast.cpu().numpy(),
                slow=None if s_slow is None else s_slow.cpu().numpy(),
                total=s_total.cpu().numpy(),
                diverged=diverged,
            )
        )


def simulate(
    spec: SimSpec,
    bank: torch.Tensor,
    events: list[Event],
    test_items: list[int],
    seed: int,
    stream: int,
    learner_name: str = "synapse",
    backprop_name: str = "backprop net",
    test_sets: dict[str, list[int]] | None = None,
    progress=None,
) -> tuple[Result, object, BackpropAssociator | BackpropAutoencoder | None, dict]:
    """Run `events` (any order; sorted here) on a pattern bank (S, B, N).

    Test events measure `test_sets[ev.tag]` when given, else the first `ev.item` of `test_items`
    (all when ev.item < 0). `progress(fraction)` is called about every 0.25 s of work when given.
    Seeds are seed, seed + 1, ... (they seed the autoencoder's initial weights).
    Returns (result, synapse, backprop net or None, counters).
    """
    s_count, _, n = bank.shape
    dev = bank.device
    p = spec.params
    consolidate = spec.trigger != "off"
    if spec.synapse == "benna-fusi chain":
        synapse = syn.ChainSynapse(s_count, n, p.tau_stm, p.tau_ltm, p.w_max, dev, stages=None if consolidate else 1)
    else:
        params = p if consolidate else syn.SynapseParams(p.tau_stm, p.tau_ltm, p.tau_tag, p.tau_p, 0.0, p.w_max)
        synapse = syn.TwoTimescaleSynapse(s_count, n, params, dev)
    bp = _backprop(spec, s_count, seed, stream, dev) if spec.backprop else None
    k = n_active(n, spec.f)
    elig = syn.Eligibility(s_count, n, spec.tau_e, spec.f, dev) if spec.rule == "three-factor" else None
    baseline = torch.zeros(s_count, device=dev)
    reps: dict[int, float] = {}  # item -> repetition strength r (same for all seeds)
    rep_t: dict[int, float] = {}
    gen = torch_generator(seed, 7, stream)
    counters = dict(presentations=0, synapse_events=0, bp_steps=0)
    clock = dict(synapse=0.0, backprop=0.0)  # wall seconds spent in each learner (learning and tests)
    use_reward = _needs_reward_events(spec)
    evs = sorted((e for e in events if e.kind != "reward" or use_reward), key=lambda e: (e.t, e.kind != "test"))
    res = Result()
    syn_ok, bp_ok = True, True
    t_now = evs[0].t if evs else 0.0
    t_said = time.perf_counter()
    for i_ev, ev in enumerate(evs):
        if progress is not None and time.perf_counter() - t_said > 0.25:
            progress(i_ev / len(evs))
            t_said = time.perf_counter()
        t_ev = time.perf_counter()
        dt = ev.t - t_now
        if dt > 0:
            synapse.advance(dt)
            if elig is not None:
                elig.advance(dt)
            t_now = ev.t
        counters["synapse_events"] += 1
        if ev.kind == "present":
            x = bank[:, ev.item]  # (S, N)
            counters["presentations"] += 1
            if syn_ok:
                if spec.rule == "hebbian covariance":
                    synapse.write_hebbian(x, x, spec.eta, spec.f)
                elif spec.rule in ("gated covariance", "oja"):
                    _write_gated(synapse, spec, x)
                else:
                    elig.add(x)
                r = reps.get(ev.item, 0.0) * math.exp(-(ev.t - rep_t.get(ev.item, ev.t)) / p.tau_tag) + 1.0
                reps[ev.item], rep_t[ev.item] = r, ev.t
                if spec.trigger == "every presentation" or ("repetition" in spec.trigger and r >= spec.rep_threshold):
                    synapse.trigger(x)
            t_bp = time.perf_counter()
            clock["synapse"] += t_bp - t_ev
            if bp is not None and bp_ok:
                w = torch.full((s_count,), ev.value if spec.reward_weighted else 1.0, device=dev)
                bp.train(x, w)
                counters["bp_steps"] += spec.steps
            clock["backprop"] += time.perf_counter() - t_bp
            continue
        elif ev.kind == "reward":
            x = bank[:, ev.item]
            r_vec = torch.full((s_count,), float(ev.value), device=dev)
            if syn_ok:
                if elig is not None:
                    elig.reward(synapse, r_vec, baseline, spec.eta)
                    baseline = syn.update_baseline(baseline, r_vec, spec.baseline_rate)
                if "reward" in spec.trigger and ev.value > 0:
                    synapse.trigger(x)
        elif ev.kind == "snapshot":
            fast, slow = synapse.components()
            counters["snapshot"] = dict(
                fast=fast[0].clone(), slow=slow[0].clone(), backprop=None if bp is None else bp.weight[0].clone()
            )
        elif ev.kind == "test":
            if test_sets and ev.tag in test_sets:
                items = test_sets[ev.tag]
            else:
                items = test_items if ev.item < 0 else test_items[: ev.item]
            xi = bank[:, items]  # (S, M, N)
            cue = make_cues(xi, spec.cue_noise, gen)
            noise = spec.sigma * torch.randn((spec.recall_steps, *xi.shape), generator=gen).to(dev)
            s_fast, s_slow, s_tot = _strengths(synapse, xi)
            syn_ok = syn_ok and is_finite(s_tot)  # NaN/inf anywhere in W shows up in its fields
            rec = overlap(recall(synapse.weight, cue, k, spec.recall_steps, noise), xi, spec.f)
            res.add(ev, learner_name, items, rec, s_fast, s_slow, s_tot, not syn_ok)
            if bp is not None:
                t_bp = time.perf_counter()
                clock["synapse"] += t_bp - t_ev
                s_b = strength(bp.field, xi)
                bp_ok = bp_ok and is_finite(s_b)
                rec_b = overlap(recall(bp.field, cue, k, spec.recall_steps, noise), xi, spec.f)
                res.add(ev, backprop_name, items, rec_b, None, None, s_b, not bp_ok)
                clock["backprop"] += time.perf_counter() - t_bp
                continue
        clock["synapse"] += time.perf_counter() - t_ev
    counters["synapses_written"] = synapse.written
    counters["synapse_s"], counters["backprop_s"] = clock["synapse"], clock["backprop"]
    return res, synapse, bp, counters


def _write_gated(synapse, spec: SimSpec, x: torch.Tensor) -> None:
    """Rules that change only the synapses onto active cells: written row by row (k of N rows)."""
    eta, f = spec.eta, spec.f
    act = syn.active_rows(x)
    if act is None:  # not binary with equal activity per seed: the dense form of the same rule
        fast = synapse.components()[0]
        dense = syn.hebb_gated(x, x, eta, f) if spec.rule == "gated covariance" else syn.oja_clamped(fast, x, x, eta, f)
        synapse.write(dense)
    elif spec.rule == "gated covariance":
        synapse.write_rows(act, lambda rows: syn.gated_rows(x, act, eta, f))
    else:
        synapse.write_rows(act, lambda rows: syn.oja_rows(rows, x, act, eta, f))


def _backprop(spec: SimSpec, s_count: int, seed: int, stream: int, dev: torch.device):
    if spec.backprop_model == "autoencoder":
        seeds = [seed + i for i in range(s_count)]
        return BackpropAutoencoder(seeds, stream, spec.n, spec.f, spec.optimizer, spec.lr, spec.steps, dev)
    return BackpropAssociator(s_count, spec.n, spec.f, spec.optimizer, spec.lr, spec.steps, dev)


def _strengths(synapse, xi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(fast, slow, total) trace strengths (S, M) of items xi (S, M, N); strength is linear in the weight."""
    if isinstance(synapse, syn.TwoTimescaleSynapse):
        f_, a_f, l_, a_l = synapse.parts()  # F = a_f f_, L = a_l l_: no pass to rescale them
        s_fast, s_slow = strength(f_, xi) * a_f, strength(l_, xi) * a_l
        return s_fast, s_slow, s_fast + s_slow  # the weight is F + L
    fast, slow = synapse.components()
    s_fast = strength(fast, xi)
    return s_fast, strength(slow, xi), s_fast  # the chain's weight is u_1


def to_frame_rows(res: Result, **ids) -> dict[str, np.ndarray]:
    """Flatten a Result into long columns: one row per (test, learner, seed, item)."""
    cols: dict[str, list] = {
        k: []
        for k in (
            "t_s",
            "tag",
            "learner",
            "seed_index",
            "item",
            "recall",
            "strength_fast",
            "strength_slow",
            "strength",
            "diverged",
        )
    }
    for r in res.rows:
        s_count, m = r["recall"].shape
        cols["t_s"].append(np.full(s_count * m, r["t"]))
        cols["tag"].append(np.full(s_count * m, r["tag"], dtype=object))
        cols["learner"].append(np.full(s_count * m, r["learner"], dtype=object))
        cols["seed_index"].append(np.repeat(np.arange(s_count), m))
        cols["item"].append(np.tile(np.asarray(r["items"]), s_count))
        cols["recall"].append(r["recall"].reshape(-1))
        nan = np.full(s_count * m, np.nan)
        cols["strength_fast"].append(nan if r["fast"] is None else r["fast"].reshape(-1))
        cols["strength_slow"].append(nan if r["slow"] is None else r["slow"].reshape(-1))
        cols["strength"].append(r["total"].reshape(-1))
        cols["diverged"].append(np.full(s_count * m, r["diverged"]))
    out = {k: (np.concatenate(v) if v else np.array([])) for k, v in cols.items()}
    for key, val in ids.items():
        out[key] = np.full(len(out["t_s"]), val, dtype=object)
    return out
