"""The page's five conditions, each a set of simulations on shared seeds and pattern banks:
retention (consolidation on / off), spacing (massed / spaced / expanding), reward-gated
consolidation, distal reward (reward delay vs tau_e) and interference (a stream of new items).
Each returns the raw test read-outs; brainsim.memory.tables turns them into the page's tables.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from brainsim import live
from brainsim.memory.recall import make_items
from brainsim.memory.schedule import (
    DAY,
    HOUR,
    MIN,
    Event,
    label,
    parse_custom,
    parse_duration,
    rep_offsets,
    rewarded_items,
    stream_events,
    study_events,
)
from brainsim.memory.sim import BP_NAME, Result, SimSpec, simulate
from brainsim.memory.synapse import SynapseParams
from brainsim.runtime import resolve_device

if TYPE_CHECKING:
    from brainsim.memory.experiment import MemoryConfig

MAX_STREAM = 200  # interference items per simulation
N_FIRST = 5  # "early items" tracked by the interference curve
CRITERION_NAMES = {  # training to criterion (brainsim.memory.criterion) -> its columns in the interference table
    "recall_before": "recall_after_study",
    "loss_before": "loss_after_study",
    "epochs": "criterion_epochs",
    "loss_reached": "loss_at_criterion",
    "recall_reached": "recall_at_criterion",
    "met": "criterion_met",
}
N_TRACE = 3  # items followed in the traces table
PROGRESS_STEPS = 8.0  # progress units of a whole run (one per simulation, about)


def spec_for(cfg: MemoryConfig, **over) -> SimSpec:
    """The simulation numbers of a config (times in seconds), with fields of SimSpec overridden."""
    n, f = cfg.n_units, cfg.coding_level
    # Soft bound in weight units: one fresh presentation moves an item's co-active synapse by
    # eta (1 - f) / (N f); the fast weight saturates at fast_cap times that.
    w_max = cfg.fast_cap * cfg.eta * (1 - f) / (n * f)
    params = SynapseParams(
        tau_stm=cfg.tau_stm * MIN,
        tau_ltm=cfg.tau_ltm * DAY,
        tau_tag=cfg.tau_tag * MIN,
        tau_p=cfg.tau_prp * MIN,
        kappa=cfg.capture_rate / HOUR,
        w_max=w_max,
    )
    d = dict(
        n=n,
        f=f,
        rule=cfg.rule,
        eta=cfg.eta,
        synapse=cfg.synapse_model,
        params=params,
        trigger=cfg.trigger,
        rep_threshold=cfg.rep_threshold,
        tau_e=cfg.tau_e,
        baseline_rate=cfg.baseline_rate,
        cue_noise=cfg.cue_noise,
        sigma=cfg.neural_noise,
        recall_steps=cfg.recall_steps,
        optimizer=cfg.optimizer,
        lr=cfg.lr,
        steps=cfg.steps,
        reward_weighted=cfg.reward_weighted_loss,
        backprop_model=cfg.backprop_model,
        criterion=cfg.criterion_loss,
        criterion_epochs=cfg.criterion_epochs,
    )
    d.update(over)
    return SimSpec(**d)


def test_delays(cfg: MemoryConfig) -> list[float]:
    """The recall test delays (s), sorted, without repeats."""
    return sorted({parse_duration(d) for d in cfg.test_delays})


def study(cfg: MemoryConfig, schedule: str) -> list[Event]:
    """Target-item presentations and their reward events for one schedule."""
    if schedule == "custom":
        ev = []
        for t, item, r in parse_custom(cfg.custom_schedule, cfg.n_items):
            ev.append(Event(t, "present", item, r, "custom"))
            ev.append(Event(t + cfg.reward_delay, "reward", item, r))
        return ev
    rewards = rewarded_items(cfg.n_items, cfg.reward_fraction)
    stagger = cfg.massed_gap / cfg.n_items  # items of a session spread within one massed gap
    offsets = rep_offsets(schedule, cfg.n_reps, cfg.massed_gap, cfg.interval * MIN)
    return study_events(offsets, cfg.n_items, stagger, rewards, cfg.reward_delay)


def with_stream_and_tests(
    cfg: MemoryConfig, study_ev: list[Event], delays: list[float], trace_grid: bool = False
) -> tuple[list[Event], float]:
    """The study events plus the interference stream (between first and last study presentation) and a
    recall test after each delay, tagged with the delay's label; with `trace_grid`, also the trace
    samples and the weight snapshot (at the first delay). Returns (events, time of the last presentation)."""
    t_pres = [e.t for e in study_ev if e.kind == "present"]
    t0, t_end = min(t_pres), max(t_pres)
    stream = stream_events(t0, t_end, cfg.interference_rate, cfg.n_items, MAX_STREAM, cfg.reward_delay)
    tests = [Event(t_end + d, "test", -1, 0.0, label(d)) for d in delays]
    ev = study_ev + stream + tests
    if trace_grid:
        traced = [e.t for e in study_ev if e.kind == "present" and e.item < N_TRACE]
        ev += _trace_tests(t0, t_end + max(delays), traced)
        ev.append(Event(t_end + min(delays), "snapshot"))
    return ev, t_end


def _trace_tests(t0: float, t1: float, t_pres: list[float]) -> list[Event]:
    """Trace sample times: log-spaced after the first presentation, plus just before/after each
    presentation of a traced item."""
    grid = t0 + np.geomspace(1.0, max(2.0, t1 - t0), 32)
    times = set(np.round(grid, 3).tolist())
    for t in t_pres:
        times.update((round(t - 0.5, 3), round(t + 0.5, 3)))
    return [Event(t, "test", N_TRACE, 0.0, "trace") for t in sorted(times) if t >= t0]


class LiveView:
    """simulate's watch for the page's live curve: the traced items' recall measured so far, sent as rows
    (learner, t in hours, mean recall over items and seeds) with the simulation's progress."""

    def __init__(self, say, name: str, step: float, span: float):
        self.say, self.name, self.step, self.span, self.sent, self.frac = say, name, step, span, 0, 0.0

    def __call__(self, res: Result) -> None:
        new = [r for r in res.rows[self.sent :] if r["tag"] == "trace"]
        self.sent = len(res.rows)
        rows = [(r["learner"], r["t"] / 3600.0, float(r["recall"].mean())) for r in new]
        fraction = (self.step + self.span * self.frac) / PROGRESS_STEPS
        live.report(self.say, fraction, f"simulating: {self.name} ({self.frac:.0%})", rows)


class Runner:
    """Runs the simulations of one page run on shared seeds: reports progress and keeps each
    simulation's work and wall time (the timing table) and the work summed over all (the budget)."""

    def __init__(self, cfg: MemoryConfig, progress=None):
        self.cfg = cfg
        self.device = resolve_device(cfg.device)
        self.seeds = [cfg.seed + s for s in range(cfg.seeds)]
        self.say = progress or (lambda frac, msg: None)
        self.timing: list[dict] = []
        self.counts = dict(presentations=0, synapse_events=0, bp_steps=0)

    def items(self, n_items: int, stream: int) -> torch.Tensor:
        """(S, n_items, N) binary items, one set per seed."""
        cfg = self.cfg
        return make_items(self.seeds, n_items, cfg.n_units, cfg.coding_level, stream, self.device)

    def simulate(
        self,
        name: str,
        spec: SimSpec,
        events: list[Event],
        test_items: list[int],
        bank: torch.Tensor,
        stream: int,
        step: float,
        span: float = 1.0,
        test_sets: dict | None = None,
        live_view: bool = False,
    ) -> Result:
        """One simulation, shown as progress from `step` to `step + span` of PROGRESS_STEPS; with `live_view`
        the recall of its traced items also goes to the page's live curve as it is measured."""
        self.say(step / PROGRESS_STEPS, f"simulating: {name}")
        t = time.perf_counter()
        view = LiveView(self.say, name, step, span) if live_view else None

        def within(frac):  # progress inside one long simulation (large N)
            if view is not None:
                view.frac = frac
            else:
                self.say((step + span * frac) / PROGRESS_STEPS, f"simulating: {name} ({frac:.0%})")

        seed = self.cfg.seed
        res = simulate(spec, bank, events, test_items, seed, stream, test_sets=test_sets, progress=within, watch=view)
        if view is not None:
            view.frac = 1.0
            view(res)
        c = res.counts
        self.timing.append(
            dict(
                part=name,
                wall_s=time.perf_counter() - t,
                presentations=c["presentations"],
                synapse_events=c["synapse_events"],
                synapse_updates=c["synapse_events"] * len(self.seeds) * self.cfg.n_units**2,
                synapses_written=c["synapses_written"],
                synapse_s=res.wall["synapse"],
                backprop_s=res.wall["backprop"],
                bp_steps=c["bp_steps"],
            )
        )
        for k in self.counts:
            self.counts[k] += c[k]
        return res


@dataclass(frozen=True)
class Retention:
    """Condition 1: the user's schedule with consolidation on and off."""

    on: pd.DataFrame  # recall tests with consolidation on, both learners
    tests: pd.DataFrame  # every recall test, with a `condition` column (consolidation on / off)
    traces: pd.DataFrame  # trace samples of the first N_TRACE items, consolidation on
    trace_events: list[Event]  # presentations and rewards (R > 0) of those items
    t_end: float  # time of the last study presentation (s)
    snapshot: dict  # weights of seed 0 at the first test delay


def retention(runner: Runner, bank: torch.Tensor, study_ev: list[Event], delays: list[float]) -> Retention:
    """Consolidation on / off on the user's schedule (the backprop net has no such switch: it sees the
    same stream, so it is simulated once and shown in both conditions)."""
    cfg, targets = runner.cfg, list(range(runner.cfg.n_items))
    ev_on, t_end = with_stream_and_tests(cfg, study_ev, delays, trace_grid=True)
    res_on = runner.simulate("consolidation on", spec_for(cfg), ev_on, targets, bank, 1, 0, live_view=True)
    ev_off, _ = with_stream_and_tests(cfg, study_ev, delays)
    spec_off = spec_for(cfg, trigger="off", backprop=False)
    off = runner.simulate("consolidation off", spec_off, ev_off, targets, bank, 1, 1).frame(runner.seeds)
    on = res_on.frame(runner.seeds)
    ret_on = on[on.tag != "trace"]
    tests = pd.concat(
        [
            ret_on.assign(condition="consolidation on"),
            ret_on[ret_on.learner == BP_NAME].assign(condition="consolidation off"),
            off.assign(condition="consolidation off"),
        ],
        ignore_index=True,
    )
    traced = [e for e in ev_on if e.item < N_TRACE and (e.kind == "present" or (e.kind == "reward" and e.value > 0))]
    return Retention(ret_on, tests, on[on.tag == "trace"].copy(), traced, t_end, res_on.snapshot)


def spacing(runner: Runner, bank: torch.Tensor, ret_on: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    """The same number of presentations, massed vs spaced vs expanding; the user's schedule's run is
    condition 1's (`ret_on`)."""
    cfg, parts = runner.cfg, []
    for i, sched in enumerate(("massed", "spaced", "expanding")):
        if sched == cfg.schedule:
            part = ret_on
        else:
            ev, _ = with_stream_and_tests(cfg, study(cfg, sched), delays)
            res = runner.simulate(sched, spec_for(cfg), ev, list(range(cfg.n_items)), bank, 1, 2 + i / 3, 1 / 3)
            part = res.frame(runner.seeds)
        parts.append(part.assign(schedule=sched))
    return pd.concat(parts, ignore_index=True)


def reward(
    runner: Runner, bank: torch.Tensor, study_ev: list[Event], delays: list[float], ret_on: pd.DataFrame
) -> pd.DataFrame:
    """Reward-gated consolidation: the trigger is reward only. The backprop net has no trigger and sees
    the same presentations as in condition 1, so its rows are taken from there instead of trained again.
    `rewarded` marks the items whose presentations are rewarded (R > 0)."""
    cfg = runner.cfg
    ev, _ = with_stream_and_tests(cfg, study_ev, delays)
    spec = spec_for(cfg, trigger="reward", backprop=False)
    rew = runner.simulate("reward-gated", spec, ev, list(range(cfg.n_items)), bank, 1, 3).frame(runner.seeds)
    rew = pd.concat([rew, ret_on[ret_on.learner == BP_NAME]], ignore_index=True)
    r_of: dict[int, float] = {}
    for e in study_ev:
        if e.kind == "present":
            r_of[e.item] = max(r_of.get(e.item, 0.0), e.value)
    rew["rewarded"] = [bool(r_of.get(int(i), 0.0) > 0) for i in rew["item"]]
    return rew


def distal(runner: Runner, bank: torch.Tensor) -> pd.DataFrame:
    """Three-factor rule with the reward `d` seconds after each presentation, for every (d, tau_e).
    Items are spread far apart (so each reward meets only its own eligibility); each rewarded item is
    recalled one second after its reward, before its fast trace fades."""
    cfg = runner.cfg
    n_items = min(cfg.n_items, 10)
    rewards = rewarded_items(n_items, 0.5)
    sets = {f"item {i}": [i] for i in range(n_items)}
    out = []
    n_sims = len(cfg.distal_tau_e) * len(cfg.distal_delays)
    for j, tau_e in enumerate(cfg.distal_tau_e):
        for jd, d in enumerate(cfg.distal_delays):
            gap = 20.0 * max(d, tau_e, 1.0)
            ev = []
            for i in range(n_items):
                t = i * gap
                ev += [Event(t, "present", i, rewards[i]), Event(t + d, "reward", i, rewards[i])]
                if rewards[i] > 0:
                    ev.append(Event(t + d + 1.0, "test", i, 0.0, f"item {i}"))
            spec = spec_for(
                cfg, rule="three-factor", trigger="off", tau_e=tau_e, backprop=False, synapse="tagging and capture"
            )
            step = 4 + 2 * (j * len(cfg.distal_delays) + jd) / n_sims
            name = f"distal tau_e={tau_e:g}s d={d:g}s"
            res = runner.simulate(name, spec, ev, [], bank, 2, step, 2 / n_sims, test_sets=sets)
            out.append(res.frame(runner.seeds).assign(tau_e_s=tau_e, reward_delay_s=d))
    return pd.concat(out, ignore_index=True)


def interference(runner: Runner) -> pd.DataFrame:
    """The first N_FIRST items are studied on the user's schedule (spaced when custom), and the backprop net
    is trained on them to the loss criterion (brainsim.memory.criterion); then new items arrive at `interference_rate`
    per hour, each with n_reps massed presentations. After each new item, recall of the first items is tested
    in both learners (`n_learned` counts all items learned so far). The backprop rows carry what training to
    criterion did in their seed (CRITERION_NAMES)."""
    cfg = runner.cfg
    sched = "spaced" if cfg.schedule == "custom" else cfg.schedule
    stagger = cfg.massed_gap / N_FIRST
    offsets = rep_offsets(sched, cfg.n_reps, cfg.massed_gap, cfg.interval * MIN)
    ev = study_events(offsets, N_FIRST, stagger, [0.0] * N_FIRST, cfg.reward_delay)
    t_first = max(e.t for e in ev) + stagger
    ev.append(Event(t_first - stagger / 2, "criterion", -1, 0.0, "criterion"))
    ev.append(Event(t_first, "test", -1, 0.0, str(N_FIRST)))
    gap = HOUR / cfg.interference_rate if cfg.interference_rate > 0 else 600.0
    massed = rep_offsets("massed", cfg.n_reps, min(cfg.massed_gap, gap / (cfg.n_reps + 1)), 0.0)
    for m in range(N_FIRST, cfg.stream_items):
        t0 = t_first + (m - N_FIRST + 1) * gap
        for o in massed:
            ev.append(Event(t0 + o, "present", m, 0.0))
            ev.append(Event(t0 + o + cfg.reward_delay, "reward", m, 0.0))
        ev.append(Event(t0 + massed[-1] + cfg.reward_delay + 1.0, "test", -1, 0.0, str(m + 1)))
    bank = runner.items(cfg.stream_items, 1)
    res = runner.simulate("interference", spec_for(cfg), ev, list(range(N_FIRST)), bank, 3, 6)
    df = res.frame(runner.seeds)
    df["n_learned"] = df["tag"].astype(int)
    crit = pd.DataFrame([dict(learner=BP_NAME, seed=s, **c) for s, c in zip(runner.seeds, res.criterion)])
    crit = crit.rename(columns=CRITERION_NAMES).reindex(columns=["learner", "seed", *CRITERION_NAMES.values()])
    return df.merge(crit, on=["learner", "seed"], how="left")
