"""Event-driven simulation of one presentation stream through both learners, batched over seeds.

The brain-like learner is a recurrent auto-associative net whose synapses are `TwoTimescaleSynapse`
(tagging and capture) or `ChainSynapse` (Benna & Fusi); the backprop learner is a
`BackpropAssociator` (one layer) or `BackpropAutoencoder` trained by torch.optim on exactly the same
"present" events. Between events the synapses evolve in closed form, so simulated days cost nothing.
Tests are snapshots: they read the state as it will be at their time (`ahead`) without advancing or
touching it, and both learners get the same cue and the same neural noise.

Seeds are batched but independent: each seed's items, initial weights, cues and noise come from its own
generators (cues and noise keyed by the test, too), and every batched operation gives a seed the same bits
as a one-seed run (tests/memory/test_memory_seeds.py), so a seed's rows never depend on the other seeds,
nor on which other tests or conditions are selected.
"""

from __future__ import annotations

import math
import time
import zlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from brainsim.memory import plasticity as pl
from brainsim.memory.criterion import train_to_criterion
from brainsim.memory.nets import BackpropAssociator, BackpropAutoencoder
from brainsim.memory.recall import active_rows, make_cues, n_active, overlap, per_seed, recall, strength
from brainsim.memory.schedule import Event
from brainsim.memory.synapse import ChainSynapse, SynapseParams, TwoTimescaleSynapse
from brainsim.rules.three_factor import running_baseline
from brainsim.runtime import is_finite, torch_generator

TRIGGERS = ("repetition or reward", "repetition", "reward", "every presentation", "off")
RULES = ("gated covariance", "hebbian covariance", "oja", "three-factor")
SYNAPSES = ("tagging and capture", "benna-fusi chain")
SYN_NAME = "two-timescale synapse"  # the learners' names in every table
BP_NAME = "backprop net"


@dataclass(frozen=True)
class SimSpec:
    """Numbers one simulation needs (seconds for times)."""

    n: int
    f: float
    rule: str
    eta: float
    synapse: str
    params: SynapseParams
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
    criterion: float = 0.05  # mean training loss the backprop twin is trained to at a "criterion" event
    criterion_epochs: int = 0  # at most this many epochs (0: no training to criterion)


class Result:
    """What one simulation measured: the test read-outs (one entry per test event and learner), the
    weights at the "snapshot" event (seed 0), the work done and the wall seconds spent per learner."""

    def __init__(self):
        self.rows: list[dict] = []
        self.snapshot: dict[str, torch.Tensor | None] | None = None
        self.counts = dict(presentations=0, synapse_events=0, bp_steps=0, synapses_written=0)
        self.wall = dict(synapse=0.0, backprop=0.0)
        self.criterion: list[dict] = []  # per seed, from a "criterion" event

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

    def frame(self, seeds: list[int]) -> pd.DataFrame:
        """The read-outs as long rows: one per (test, learner, seed, item); seeds[s] names seed index s."""
        names = ("t_s", "tag", "learner", "seed_index", "item", "recall", "strength_fast", "strength_slow")
        cols: dict[str, list] = {k: [] for k in (*names, "strength", "diverged")}
        for r in self.rows:
            s_count, m = r["recall"].shape
            size = s_count * m
            cols["t_s"].append(np.full(size, r["t"]))
            cols["tag"].append(np.full(size, r["tag"], dtype=object))
            cols["learner"].append(np.full(size, r["learner"], dtype=object))
            cols["seed_index"].append(np.repeat(np.arange(s_count), m))
            cols["item"].append(np.tile(np.asarray(r["items"]), s_count))
            cols["recall"].append(r["recall"].reshape(-1))
            nan = np.full(size, np.nan)
            cols["strength_fast"].append(nan if r["fast"] is None else r["fast"].reshape(-1))
            cols["strength_slow"].append(nan if r["slow"] is None else r["slow"].reshape(-1))
            cols["strength"].append(r["total"].reshape(-1))
            cols["diverged"].append(np.full(size, r["diverged"]))
        df = pd.DataFrame({k: (np.concatenate(v) if v else np.array([])) for k, v in cols.items()})
        # float64 read-outs: pandas averages float32 in float32 or float64 depending on the group sizes,
        # so a seed's means (and CSV bytes) would depend on how many seeds share the table
        df = df.astype({k: np.float64 for k in ("recall", "strength_fast", "strength_slow", "strength")})
        if len(df):
            df["seed"] = np.asarray(seeds)[df.pop("seed_index").to_numpy(dtype=int)]
        return df


def make_synapse(spec: SimSpec, s_count: int, dev: torch.device) -> TwoTimescaleSynapse | ChainSynapse:
    """The brain-like learner's synapses; trigger "off" switches consolidation off (no capture, or a
    one-stage chain)."""
    p = spec.params
    consolidate = spec.trigger != "off"
    if spec.synapse == "benna-fusi chain":
        return ChainSynapse(s_count, spec.n, p.tau_stm, p.tau_ltm, p.w_max, dev, stages=None if consolidate else 1)
    params = p if consolidate else SynapseParams(p.tau_stm, p.tau_ltm, p.tau_tag, p.tau_p, 0.0, p.w_max)
    return TwoTimescaleSynapse(s_count, spec.n, params, dev)


def make_backprop(spec: SimSpec, seeds: list[int], stream: int, dev: torch.device):
    """The backprop twin; seeds seed the autoencoder's initial weights."""
    if spec.backprop_model == "autoencoder":
        return BackpropAutoencoder(seeds, stream, spec.n, spec.f, spec.optimizer, spec.lr, spec.steps, dev)
    return BackpropAssociator(len(seeds), spec.n, spec.f, spec.optimizer, spec.lr, spec.steps, dev)


def readout_generators(seeds: list[int], stream: int, ev: Event, *more: int) -> list[torch.Generator]:
    """One generator per seed for the cue and noise of one read-out, keyed by the seed, the simulation's
    stream and the event (time in ms, kind and tag, `more`): a seed's read-out is the same whatever other
    seeds, tests or conditions run beside it."""
    key = (max(0, round(ev.t * 1000)), zlib.crc32(f"{ev.kind} {ev.tag}".encode()), *more)
    return [torch_generator(s, 7, stream, *key) for s in seeds]


def trace_strengths(synapse, xi: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(fast, slow, total) trace strengths (S, M) of items xi (S, M, N); strength is linear in the weight."""
    if isinstance(synapse, TwoTimescaleSynapse):
        f_, a_f, l_, a_l = synapse.parts()  # F = a_f f_, L = a_l l_: no pass to rescale them
        s_fast, s_slow = strength(f_, xi) * a_f, strength(l_, xi) * a_l
        return s_fast, s_slow, s_fast + s_slow  # the weight is F + L
    fast, slow = synapse.components()
    s_fast = strength(fast, xi)
    return s_fast, strength(slow, xi), s_fast  # the chain's weight is u_1


class Simulation:
    """Both learners' state while one event stream runs; each event kind is one method."""

    def __init__(self, spec: SimSpec, bank: torch.Tensor, seed: int, stream: int):
        s_count, _, n = bank.shape
        self.spec, self.bank, self.dev = spec, bank, bank.device
        self.synapse = make_synapse(spec, s_count, self.dev)
        seeds = [seed + i for i in range(s_count)]
        self.bp = make_backprop(spec, seeds, stream, self.dev) if spec.backprop else None
        self.k = n_active(n, spec.f)
        self.elig = pl.Eligibility(s_count, n, spec.tau_e, spec.f, self.dev) if spec.rule == "three-factor" else None
        self.baseline = torch.zeros(s_count, device=self.dev)
        self.reps: dict[int, tuple[float, float]] = {}  # item -> (repetition strength r, time), same in all seeds
        self.seeds, self.stream = seeds, stream
        self.syn_ok, self.bp_ok = True, True
        self.result = Result()

    def advance(self, dt: float) -> None:
        self.synapse.advance(dt)
        if self.elig is not None:
            self.elig.advance(dt)

    def present(self, ev: Event) -> None:
        spec, x = self.spec, self.bank[:, ev.item]  # (S, N)
        self.result.counts["presentations"] += 1
        if self.syn_ok:
            if spec.rule == "hebbian covariance":
                self.synapse.write_hebbian(x, x, spec.eta, spec.f)
            elif spec.rule in ("gated covariance", "oja"):
                self._write_gated(x)
            else:
                self.elig.add(x)
            r_old, t_old = self.reps.get(ev.item, (0.0, ev.t))
            r = r_old * math.exp(-(ev.t - t_old) / spec.params.tau_tag) + 1.0
            self.reps[ev.item] = (r, ev.t)
            if spec.trigger == "every presentation" or ("repetition" in spec.trigger and r >= spec.rep_threshold):
                self.synapse.trigger(x)
        if self.bp is not None and self.bp_ok:
            t_bp = time.perf_counter()
            w = torch.full((x.shape[0],), ev.value if spec.reward_weighted else 1.0, device=self.dev)
            self.bp.train(x, w)
            self.result.counts["bp_steps"] += spec.steps
            self.result.wall["backprop"] += time.perf_counter() - t_bp

    def _write_gated(self, x: torch.Tensor) -> None:
        """Rules that change only the synapses onto active cells: written row by row (k of N rows)."""
        spec, syn = self.spec, self.synapse
        eta, f = spec.eta, spec.f
        act = active_rows(x)
        if act is None:  # not binary with equal activity per seed: the dense form of the same rule
            fast = syn.components()[0]
            gated = spec.rule == "gated covariance"
            syn.write(pl.hebb_gated(x, x, eta, f) if gated else pl.oja_clamped(fast, x, x, eta, f))
        elif spec.rule == "gated covariance":
            syn.write_rows(act, lambda rows: pl.gated_rows(x, act, eta, f))
        else:
            syn.write_rows(act, lambda rows: pl.oja_rows(rows, x, act, eta, f))

    def reward(self, ev: Event) -> None:
        if not self.syn_ok:
            return
        r_vec = torch.full((self.bank.shape[0],), float(ev.value), device=self.dev)
        if self.elig is not None:
            self.elig.reward(self.synapse, r_vec, self.baseline, self.spec.eta)
            self.baseline = running_baseline(self.baseline, r_vec, self.spec.baseline_rate)
        if "reward" in self.spec.trigger and ev.value > 0:
            self.synapse.trigger(self.bank[:, ev.item])

    def readout(self, field, xi: torch.Tensor, gens: list[torch.Generator]) -> torch.Tensor:
        """Recall (S, M) of items xi (S, M, N) through `field` from a noisy cue, with cue and noise from
        one generator per seed."""
        spec = self.spec
        cue = make_cues(xi, spec.cue_noise, gens)
        noise = spec.sigma * per_seed(torch.randn, (spec.recall_steps, *xi.shape), gens, axis=1).to(self.dev)
        return overlap(recall(field, cue, self.k, spec.recall_steps, noise), xi, spec.f)

    def criterion(self, ev: Event, items: list[int]) -> None:
        """Train the backprop twin on `items` to the loss criterion (brainsim.memory.criterion), and read its
        recall of them before and after (`result.criterion`: one row per seed)."""
        spec = self.spec
        if self.bp is None or not self.bp_ok or spec.criterion_epochs <= 0:
            return
        t_bp, xi = time.perf_counter(), self.bank[:, items]
        before = self.readout(self.bp.field, xi, readout_generators(self.seeds, self.stream, ev, 0)).mean(1)
        done = train_to_criterion(self.bp, xi, spec.criterion, spec.criterion_epochs)
        after = self.readout(self.bp.field, xi, readout_generators(self.seeds, self.stream, ev, 1)).mean(1)
        self.result.criterion = [
            dict(asdict(c), recall_before=float(b), recall_reached=float(a)) for c, b, a in zip(done, before, after)
        ]
        epochs = sum(c.epochs for c in done) / len(done)
        self.result.counts["bp_steps"] += round(epochs * len(items) * spec.steps)  # per seed, mean
        self.result.wall["backprop"] += time.perf_counter() - t_bp

    def snapshot(self, dt: float) -> None:
        fast, slow = self.synapse.ahead(dt).components()
        bp = None if self.bp is None else self.bp.weight[0].clone()
        self.result.snapshot = dict(fast=fast[0].clone(), slow=slow[0].clone(), backprop=bp)

    def test(self, ev: Event, items: list[int], dt: float) -> None:
        """Recall and trace strength of `items`, dt seconds after the latest event, from one noisy cue and
        noise draw shared by both learners."""
        synapse = self.synapse.ahead(dt)
        xi = self.bank[:, items]  # (S, M, N)
        gens = readout_generators(self.seeds, self.stream, ev)
        s_fast, s_slow, s_tot = trace_strengths(synapse, xi)
        self.syn_ok = self.syn_ok and is_finite(s_tot)  # NaN/inf anywhere in W shows up in its fields
        rec = self.readout(synapse.weight, xi, gens)
        self.result.add(ev, SYN_NAME, items, rec, s_fast, s_slow, s_tot, not self.syn_ok)
        if self.bp is not None:
            t_bp = time.perf_counter()
            s_b = strength(self.bp.field, xi)
            self.bp_ok = self.bp_ok and is_finite(s_b)
            rec_b = self.readout(self.bp.field, xi, gens)
            self.result.add(ev, BP_NAME, items, rec_b, None, None, s_b, not self.bp_ok)
            self.result.wall["backprop"] += time.perf_counter() - t_bp


def simulate(
    spec: SimSpec,
    bank: torch.Tensor,
    events: list[Event],
    test_items: list[int],
    seed: int,
    stream: int,
    test_sets: dict[str, list[int]] | None = None,
    progress=None,
    watch=None,
) -> Result:
    """Run `events` (any order; sorted here, tests first at equal times) on a pattern bank (S, B, N).

    Test events measure `test_sets[ev.tag]` when given, else the first `ev.item` of `test_items`
    (all when ev.item < 0). `progress(fraction)` is called about every 0.25 s of work when given, and then
    `watch(result)` (the read-outs so far, for a live view).
    Seeds are seed, seed + 1, ... (they seed the autoencoder's initial weights).
    """
    sim = Simulation(spec, bank, seed, stream)
    res = sim.result
    use_reward = spec.rule == "three-factor" or "reward" in spec.trigger
    evs = sorted((e for e in events if e.kind != "reward" or use_reward), key=lambda e: (e.t, e.kind != "test"))
    t_now = evs[0].t if evs else 0.0
    t_said = time.perf_counter()
    for i_ev, ev in enumerate(evs):
        if progress is not None and time.perf_counter() - t_said > 0.25:
            progress(i_ev / len(evs))
            if watch is not None:
                watch(res)
            t_said = time.perf_counter()
        t_ev, bp_s = time.perf_counter(), res.wall["backprop"]
        dt = ev.t - t_now
        if dt > 0 and ev.kind not in ("test", "snapshot"):  # read-outs look ahead without advancing the state
            sim.advance(dt)
            t_now, dt = ev.t, 0.0
        res.counts["synapse_events"] += 1
        if ev.kind == "present":
            sim.present(ev)
        elif ev.kind == "reward":
            sim.reward(ev)
        elif ev.kind == "snapshot":
            sim.snapshot(dt)
        elif ev.kind in ("test", "criterion"):
            if test_sets and ev.tag in test_sets:
                items = test_sets[ev.tag]
            else:
                items = test_items if ev.item < 0 else test_items[: ev.item]
            if ev.kind == "test":
                sim.test(ev, items, dt)
            else:
                sim.criterion(ev, items)
        res.wall["synapse"] += time.perf_counter() - t_ev - (res.wall["backprop"] - bp_s)
    res.counts["synapses_written"] = sim.synapse.written
    return res
