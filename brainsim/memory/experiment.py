"""Memory reinforcement: how repetition, spacing and reward turn a fast-fading trace into a lasting
memory, in a two-timescale synapse model vs a backprop-trained network on the same stream.

Brain-like learner: a recurrent auto-associative net whose synapses have a fast (short-term) and a
slow (long-term) weight with synaptic tagging and capture (or a Benna-Fusi chain). Backprop learner:
a one-layer N -> N net with the same connections, or an N -> H -> N autoencoder with about as many
weights, trained by torch.optim on the same presentations.
Recall is measured identically for both (noisy cue, k-winners-take-all dynamics, overlap).
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from brainsim.config import BaseConfig, ConfigError, param
from brainsim.memory import charts as mc
from brainsim.memory import synapse as syn
from brainsim.memory.nets import BACKPROP_MODELS, OPTIMIZERS, make_items, n_active
from brainsim.memory.schedule import (
    Event,
    label,
    parse_custom,
    parse_duration,
    rep_offsets,
    stream_events,
    study_events,
)
from brainsim.memory.sim import RULES, SYNAPSES, TRIGGERS, SimSpec, simulate, to_frame_rows
from brainsim.registry import Chart, Equation, Experiment
from brainsim.runtime import resolve_device

SYN_NAME = "two-timescale synapse"
BP_NAME = "backprop net"
MIN, HOUR, DAY = 60.0, 3600.0, 86400.0
MAX_STATE_MB = 600  # bound on the largest simulation's tensors
MAX_STREAM = 200  # interference items per simulation
N_FIRST = 5  # "early items" tracked by the interference curve
# Ebbinghaus (1885) savings after relearning nonsense-syllable lists (delay in seconds, savings %).
EBBINGHAUS = (
    (20 * MIN, 58.2),
    (HOUR, 44.2),
    (8.8 * HOUR, 35.8),
    (DAY, 33.7),
    (2 * DAY, 27.8),
    (6 * DAY, 25.4),
    (31 * DAY, 21.1),
)
DEFAULT_CUSTOM = "time, item, reward\n0, 0, 1\n1 min, 1, 0\n1 h, 0, 1\n1 h, 1, 0\n1 d, 0, 1\n1 d, 1, 0"


@dataclass(frozen=True)
class MemoryConfig(BaseConfig):
    seeds: int = param(5, lo=1, hi=20, help="Independent seeds (seed, seed+1, ...): items, cues and noise.")
    # network
    n_units: int = param(
        200,
        lo=50,
        hi=2000,
        step=10,
        label="N units",
        help="Units of the recurrent net; both learners have N(N-1) connections.",
    )
    n_items: int = param(10, lo=2, hi=50, help="Target items studied in the retention, spacing and reward conditions.")
    coding_level: float = param(0.1, lo=0.02, hi=0.5, step=0.01, help="Fraction f of active units per item.")
    cue_noise: float = param(
        0.2,
        lo=0.0,
        hi=0.6,
        step=0.05,
        help="Fraction of an item's active units swapped for wrong ones in the recall cue.",
    )
    neural_noise: float = param(
        0.1,
        lo=0.0,
        hi=1.0,
        step=0.01,
        help="Noise σ added to every field during recall, in units of one fresh "
        "presentation's trace: a trace must stand out of it to be recalled.",
    )
    recall_steps: int = param(3, lo=1, hi=10, help="Steps of recurrent dynamics from the cue.")
    # brain-like learner
    rule: str = param(
        "gated covariance",
        choices=RULES,
        help="Rule writing the fast weight. Gated covariance (Hebb with heterosynaptic LTD) changes only the "
        "synapses onto active cells; full covariance also those onto silent cells, a change that shifts "
        "every unit's field about equally (recall hardly sees it) and costs N/k times the work.",
    )
    synapse_model: str = param(
        SYNAPSES[0], choices=SYNAPSES, help="Tagging and capture (Frey & Morris 1997) or a Benna & Fusi (2016) chain."
    )
    eta: float = param(
        1.0, lo=0.01, hi=5.0, step=0.05, label="η", help="Learning rate: one presentation raises an item's trace by η."
    )
    fast_cap: float = param(
        1.5,
        lo=1.05,
        hi=20.0,
        step=0.05,
        advanced=True,
        help="Soft bound of the fast weight, in fresh presentations: massed repetitions saturate there.",
    )
    tau_stm: float = param(
        60.0, lo=1.0, hi=1440.0, unit="min", label="τ_stm", help="Decay time constant of the fast (short-term) weight."
    )
    tau_ltm: float = param(
        60.0, lo=1.0, hi=3650.0, unit="d", label="τ_ltm", help="Decay time constant of the slow (long-term) weight."
    )
    tau_tag: float = param(
        120.0,
        lo=1.0,
        hi=1440.0,
        unit="min",
        label="τ_tag",
        help="Lifetime of synaptic tags (about 1-3 h in hippocampal slices).",
    )
    tau_prp: float = param(
        60.0,
        lo=1.0,
        hi=1440.0,
        unit="min",
        label="τ_p",
        advanced=True,
        help="Lifetime of plasticity-related proteins after a trigger.",
    )
    capture_rate: float = param(
        1.0,
        lo=0.0,
        hi=20.0,
        unit="1/h",
        label="capture rate κ",
        help="Rate at which tagged fast weight is captured into slow weight while proteins are available.",
    )
    trigger: str = param(
        TRIGGERS[0], choices=TRIGGERS, help="What starts consolidation (protein synthesis) in the cells of an item."
    )
    rep_threshold: float = param(
        1.5,
        lo=1.0,
        hi=10.0,
        step=0.1,
        help="Repetition strength r (presentations, each fading with τ_tag) that triggers consolidation.",
    )
    # reward
    reward_fraction: float = param(
        0.5, lo=0.0, hi=1.0, step=0.05, help="Fraction of target items followed by reward R = 1 (others R = 0)."
    )
    reward_delay: float = param(
        1.0, lo=0.0, hi=86400.0, unit="s", widget="number", help="Delay from a presentation to its reward."
    )
    tau_e: float = param(
        10.0,
        lo=0.1,
        hi=86400.0,
        unit="s",
        label="τ_e",
        widget="number",
        help="Eligibility-trace time constant of the three-factor rule.",
    )
    baseline_rate: float = param(
        0.2, lo=0.0, hi=1.0, step=0.05, advanced=True, help="Rate of the running mean b of reward (expected reward)."
    )
    # schedule
    schedule: str = param(
        "spaced",
        choices=("massed", "spaced", "expanding", "custom"),
        help="Study schedule of the retention and reward conditions.",
    )
    n_reps: int = param(4, lo=1, hi=20, help="Presentations of each target item (massed, spaced, expanding).")
    massed_gap: float = param(60.0, lo=1.0, hi=3600.0, unit="s", help="Gap between massed repetitions.")
    interval: float = param(
        60.0,
        lo=1.0,
        hi=10080.0,
        unit="min",
        help="Gap between spaced repetitions (expanding: gaps interval/2, interval, 2x ...).",
    )
    custom_schedule: str = param(
        DEFAULT_CUSTOM,
        widget="text",
        help="Rows 'time, item, reward' for schedule = custom; time like 90, 20 min, "
        "1.5 h, 2 d; item 0..n_items-1; reward 0 to 10.",
    )
    interference_rate: float = param(
        6.0,
        lo=0.0,
        hi=120.0,
        unit="items/h",
        help="Other items, each shown once, learned between repetitions; also the item rate of the interference curve.",
    )
    test_delays: tuple[str, ...] = param(
        ("20 min", "1 h", "9 h", "1 d", "2 d", "6 d", "31 d"),
        max_items=12,
        help="Recall tests after the last study presentation (e.g. 20 min, 9 h, 31 d).",
    )
    # backprop learner
    backprop_model: str = param(
        "autoencoder",
        choices=BACKPROP_MODELS,
        help="One-layer N -> N associative net, or an N -> H -> N sigmoid autoencoder with H ≈ N/2 "
        "(about the same number of weights) whose hidden units every item shares.",
    )
    optimizer: str = param("sgd", choices=OPTIMIZERS, help="torch.optim optimizer of the backprop net.")
    lr: float = param(
        0.5,
        lo=1e-5,
        hi=10.0,
        widget="number",
        label="backprop learning rate",
        help="Learning rate (SGD lr = 1 erases the shown item's error in one step).",
    )
    steps: int = param(5, lo=1, hi=50, help="Optimizer steps per presentation.")
    reward_weighted_loss: bool = param(False, help="Weight the backprop loss of each presentation by its reward.")
    # sweeps
    distal_delays: tuple[float, ...] = param(
        (0.5, 2.0, 8.0, 32.0), lo=0.0, hi=3600.0, max_items=8, help="Reward delays (s) of the distal-reward sweep."
    )
    distal_tau_e: tuple[float, ...] = param(
        (1.0, 10.0, 100.0),
        lo=0.1,
        hi=3600.0,
        max_items=6,
        help="Eligibility time constants τ_e (s) of the distal-reward sweep.",
    )
    stream_items: int = param(
        25, lo=N_FIRST + 1, hi=MAX_STREAM, help="Items learned one after another in the interference curve."
    )
    ebbinghaus_overlay: bool = param(True, help="Overlay Ebbinghaus' (1885) savings on the retention chart.")
    heatmap_units: int = param(40, lo=10, hi=100, advanced=True, help="Units shown in the weight heatmaps.")

    def check(self) -> str | None:
        if n_active(self.n_units, self.coding_level) < 2:
            return "Fields 'n_units' and 'coding_level' give fewer than 2 active units per item; raise either."
        try:
            delays = [parse_duration(d) for d in self.test_delays]
        except ValueError as exc:
            return f"Field 'test_delays' has '{exc}', which is not a duration like 20 min, 9 h or 31 d (at most 366 d)."
        if not delays or min(delays) <= 0:
            return "Field 'test_delays' needs at least one delay above 0."
        if self.custom_schedule.strip() or self.schedule == "custom":
            try:
                parse_custom(self.custom_schedule, self.n_items)
            except ValueError as exc:
                return str(exc)
        mb = state_mb(self)
        if mb > MAX_STATE_MB:
            per = mb / self.seeds
            return (
                f"Fields 'n_units' and 'seeds' need about {mb:.0f} MB of synapse state; at most {MAX_STATE_MB} "
                f"MB are allowed, so use at most {max(1, int(MAX_STATE_MB // per))} seeds or fewer units."
            )
        return None


def state_mb(cfg: MemoryConfig) -> float:
    """Memory of the largest simulation: (S, N, N) float32 tensors of both learners plus temporaries."""
    per = {"tagging and capture": 3, "benna-fusi chain": 2 + _stages(cfg)}[cfg.synapse_model]
    per += 1 if cfg.rule == "three-factor" else 0
    per += 3 + {"sgd": 0, "momentum": 1, "adam": 2}[cfg.optimizer] + 3  # backprop w, grad + temporaries
    return per * cfg.seeds * cfg.n_units**2 * 4 / 2**20


def _stages(cfg: MemoryConfig) -> int:
    return int(min(12, max(2, 2 + round(math.log(cfg.tau_ltm * DAY / (cfg.tau_stm * MIN), 4)))))


# --------------------------------------------------------------------------- building blocks


def _spec(cfg: MemoryConfig, **over) -> SimSpec:
    n, f = cfg.n_units, cfg.coding_level
    # Soft bound in weight units: one fresh presentation moves an item's co-active synapse by
    # eta (1 - f) / (N f); the fast weight saturates at fast_cap times that.
    w_max = cfg.fast_cap * cfg.eta * (1 - f) / (n * f)
    params = syn.SynapseParams(
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
    )
    d.update(over)
    return SimSpec(**d)


def rewarded_items(n_items: int, fraction: float) -> list[float]:
    """R per item: evenly spread, round(fraction * n) items get 1 (item indices are arbitrary:
    patterns are random per seed)."""
    return [float(math.floor((i + 1) * fraction + 1e-9) > math.floor(i * fraction + 1e-9)) for i in range(n_items)]


def _delays(cfg: MemoryConfig) -> list[float]:
    return sorted({parse_duration(d) for d in cfg.test_delays})


def _study(cfg: MemoryConfig, schedule: str) -> list[Event]:
    """Target-item presentations and their reward events for one schedule."""
    rewards = rewarded_items(cfg.n_items, cfg.reward_fraction)
    if schedule == "custom":
        ev = []
        for t, item, r in parse_custom(cfg.custom_schedule, cfg.n_items):
            ev.append(Event(t, "present", item, r, "custom"))
            ev.append(Event(t + cfg.reward_delay, "reward", item, r))
        return ev
    stagger = cfg.massed_gap / cfg.n_items  # items of a session spread within one massed gap
    offsets = rep_offsets(schedule, cfg.n_reps, cfg.massed_gap, cfg.interval * MIN)
    return study_events(offsets, cfg.n_items, stagger, rewards, cfg.reward_delay)


def _with_stream_and_tests(cfg: MemoryConfig, study: list[Event], trace_grid: bool) -> tuple[list[Event], float]:
    """Add the interference stream (between first and last study presentation) and recall tests."""
    t_pres = [e.t for e in study if e.kind == "present"]
    t0, t_end = min(t_pres), max(t_pres)
    stream, _ = stream_events(t0, t_end, cfg.interference_rate, cfg.n_items, MAX_STREAM, cfg.reward_delay)
    delays = _delays(cfg)
    tests = [Event(t_end + d, "test", -1, 0.0, label(d)) for d in delays]
    ev = study + stream + tests
    if trace_grid:
        ev += _trace_tests(t0, t_end + max(delays), [e.t for e in study if e.kind == "present" and e.item < N_TRACE])
        ev.append(Event(t_end + min(delays), "snapshot"))
    return ev, t_end


N_TRACE = 3  # items followed in the traces table


def _trace_tests(t0: float, t1: float, t_pres: list[float]) -> list[Event]:
    """Trace sample times: log-spaced after the first presentation, plus just before/after each
    presentation of a traced item."""
    grid = t0 + np.geomspace(1.0, max(2.0, t1 - t0), 32)
    times = set(np.round(grid, 3).tolist())
    for t in t_pres:
        times.update((round(t - 0.5, 3), round(t + 0.5, 3)))
    return [Event(t, "test", N_TRACE, 0.0, "trace") for t in sorted(times) if t >= t0]


def _frame(res, seeds: list[int], **ids) -> pd.DataFrame:
    cols = to_frame_rows(res, **ids)
    df = pd.DataFrame(cols)
    if len(df):
        df["seed"] = np.asarray(seeds)[df.pop("seed_index").to_numpy(dtype=int)]
    return df


# --------------------------------------------------------------------------- run


def run(cfg: MemoryConfig, progress=None) -> dict[str, pd.DataFrame]:
    dev = resolve_device(cfg.device)
    seeds = [cfg.seed + s for s in range(cfg.seeds)]
    say = progress or (lambda frac, msg: None)
    n, f = cfg.n_units, cfg.coding_level
    bank = make_items(seeds, cfg.n_items + MAX_STREAM, n, f, 0, dev)  # (S, B, N) targets then stream
    targets = list(range(cfg.n_items))
    delays = _delays(cfg)
    timing = []
    total = 8.0
    counts = dict(presentations=0, synapse_events=0, bp_steps=0)

    def go(name, spec, events, test_items, stream, step, items_bank, test_sets=None, span=1.0):
        say(step / total, f"simulating: {name}")
        t = time.perf_counter()

        def within(frac):  # progress inside one long simulation (large N)
            say((step + span * frac) / total, f"simulating: {name} ({frac:.0%})")

        res, _, _, c = simulate(
            spec,
            items_bank,
            events,
            test_items,
            cfg.seed,
            stream,
            learner_name=SYN_NAME,
            backprop_name=BP_NAME,
            test_sets=test_sets,
            progress=within if span > 0 else None,
        )
        timing.append(
            dict(
                part=name,
                wall_s=time.perf_counter() - t,
                presentations=c["presentations"],
                synapse_events=c["synapse_events"],
                synapse_updates=c["synapse_events"] * len(seeds) * n * n,
                synapses_written=c["synapses_written"],
                synapse_s=c["synapse_s"],
                backprop_s=c["backprop_s"],
                bp_steps=c["bp_steps"],
            )
        )
        for k in counts:
            counts[k] += c[k]
        return res, c

    # 1. retention: consolidation on / off on the user's schedule (the backprop net has no such switch:
    #    it sees the same stream, so it is simulated once and shown in both conditions).
    ev_on, t_end = _with_stream_and_tests(cfg, _study(cfg, cfg.schedule), trace_grid=True)
    res_on, c_on = go("consolidation on", _spec(cfg), ev_on, targets, 1, 0, bank)
    ev_off, _ = _with_stream_and_tests(cfg, _study(cfg, cfg.schedule), trace_grid=False)
    res_off, _ = go("consolidation off", _spec(cfg, trigger="off", backprop=False), ev_off, targets, 1, 1, bank)
    on = _frame(res_on, seeds)
    off = _frame(res_off, seeds)
    traces = on[on.tag == "trace"].copy()
    ret_on = on[on.tag != "trace"]
    retention = pd.concat(
        [
            ret_on.assign(condition="consolidation on"),
            ret_on[ret_on.learner == BP_NAME].assign(condition="consolidation off"),
            off.assign(condition="consolidation off"),
        ],
        ignore_index=True,
    )

    # 2. spacing: the same number of presentations, massed vs spaced vs expanding.
    spacing_parts = []
    for i, sched in enumerate(("massed", "spaced", "expanding")):
        if sched == cfg.schedule:
            part = ret_on
        else:
            ev, _ = _with_stream_and_tests(cfg, _study(cfg, sched), trace_grid=False)
            part = _frame(go(sched, _spec(cfg), ev, targets, 1, 2 + i / 3, bank, span=1 / 3)[0], seeds)
        spacing_parts.append(part.assign(schedule=sched))
    spacing_all = pd.concat(spacing_parts, ignore_index=True)

    # 3. reward-gated consolidation: the trigger is reward only. The backprop net has no trigger and sees the
    #    same presentations as in condition 1, so its rows are taken from there instead of trained again.
    ev_r, _ = _with_stream_and_tests(cfg, _study(cfg, cfg.schedule), trace_grid=False)
    rew = _frame(go("reward-gated", _spec(cfg, trigger="reward", backprop=False), ev_r, targets, 1, 3, bank)[0], seeds)
    rew = pd.concat([rew, ret_on[ret_on.learner == BP_NAME]], ignore_index=True)
    r_of = _item_rewards(cfg)
    rew["rewarded"] = [bool(r_of.get(int(i), 0.0) > 0) for i in rew["item"]]

    # 4. distal reward: three-factor rule, one presentation per item, reward after a delay.
    distal = _distal(cfg, seeds, bank, go)

    # 5. interference: items learned one after another; recall of the first ones.
    inter = _interference(cfg, seeds, make_items(seeds, cfg.stream_items, n, f, 1, dev), go)

    say(7.5 / total, "building tables")
    tables = {
        "traces": _traces_table(traces, ev_on, cfg),
        "retention": _retention_table(retention),
        "ebbinghaus": ebbinghaus_table(),
        "spacing": _spacing_table(spacing_all, delays),
        "reward": _reward_table(rew),
        "distal": distal,
        "interference": inter,
        "weights": _weights_table(c_on.get("snapshot"), cfg),
    }
    tables["summary"] = _summary(tables, cfg, counts, t_end)
    tables["timing"] = pd.DataFrame(timing)
    say(1.0, "done")
    return tables


def _item_rewards(cfg: MemoryConfig) -> dict[int, float]:
    if cfg.schedule == "custom":
        out: dict[int, float] = {}
        for _, item, r in parse_custom(cfg.custom_schedule, cfg.n_items):
            out[item] = max(out.get(item, 0.0), r)
        return out
    return dict(enumerate(rewarded_items(cfg.n_items, cfg.reward_fraction)))


def _distal(cfg: MemoryConfig, seeds, bank, go) -> pd.DataFrame:
    """Three-factor rule with the reward `d` seconds after each presentation, for every (d, tau_e).
    Items are spread far apart (so each reward meets only its own eligibility); each rewarded item is
    recalled one second after its reward, before its fast trace fades."""
    n_items = min(cfg.n_items, 10)
    rewards = rewarded_items(n_items, 0.5)
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
            spec = _spec(
                cfg, rule="three-factor", trigger="off", tau_e=tau_e, backprop=False, synapse="tagging and capture"
            )
            sets = {f"item {i}": [i] for i in range(n_items)}
            res, _ = go(
                f"distal tau_e={tau_e:g}s d={d:g}s",
                spec,
                ev,
                [],
                2,
                4 + 2 * (j * len(cfg.distal_delays) + jd) / n_sims,
                bank,
                test_sets=sets,
                span=2 / n_sims,
            )
            out.append(_frame(res, seeds).assign(tau_e_s=tau_e, reward_delay_s=d))
    df = pd.concat(out, ignore_index=True)
    df = df.groupby(["tau_e_s", "reward_delay_s", "learner", "seed"], sort=True, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean")
    )
    df["condition"] = "rewarded items, R = 1"
    df["learner"] = "three-factor"
    return df[["condition", "learner", "tau_e_s", "reward_delay_s", "seed", "recall", "strength"]]


def _interference(cfg: MemoryConfig, seeds, ibank, go) -> pd.DataFrame:
    """The first N_FIRST items are studied on the user's schedule (spaced when custom); then new items
    arrive at `interference_rate` per hour, each with n_reps massed presentations. After each new item,
    recall of the first items is tested in both learners (n_learned counts all items learned so far)."""
    sched = "spaced" if cfg.schedule == "custom" else cfg.schedule
    stagger = cfg.massed_gap / N_FIRST
    offsets = rep_offsets(sched, cfg.n_reps, cfg.massed_gap, cfg.interval * MIN)
    ev = study_events(offsets, N_FIRST, stagger, [0.0] * N_FIRST, cfg.reward_delay)
    t_first = max(e.t for e in ev) + stagger
    ev.append(Event(t_first, "test", -1, 0.0, str(N_FIRST)))
    gap = 3600.0 / cfg.interference_rate if cfg.interference_rate > 0 else 600.0
    massed = rep_offsets("massed", cfg.n_reps, min(cfg.massed_gap, gap / (cfg.n_reps + 1)), 0.0)
    for m in range(N_FIRST, cfg.stream_items):
        t0 = t_first + (m - N_FIRST + 1) * gap
        for o in massed:
            ev.append(Event(t0 + o, "present", m, 0.0))
            ev.append(Event(t0 + o + cfg.reward_delay, "reward", m, 0.0))
        ev.append(Event(t0 + massed[-1] + cfg.reward_delay + 1.0, "test", -1, 0.0, str(m + 1)))
    res, _ = go("interference", _spec(cfg), ev, list(range(N_FIRST)), 3, 6, ibank)
    df = _frame(res, seeds)
    df["n_learned"] = df["tag"].astype(int)
    df = df.groupby(["learner", "seed", "n_learned"], sort=True, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean"), diverged=("diverged", "any")
    )
    return df[["learner", "n_learned", "seed", "recall", "strength", "diverged"]]


# --------------------------------------------------------------------------- tables


def _traces_table(tr: pd.DataFrame, events: list[Event], cfg: MemoryConfig) -> pd.DataFrame:
    rows = tr.assign(event="test")[
        ["learner", "item", "seed", "t_s", "event", "strength_fast", "strength_slow", "strength", "recall"]
    ]
    ev_rows = [
        dict(
            learner=SYN_NAME,
            item=e.item,
            seed=-1,
            t_s=e.t,
            event="presentation" if e.kind == "present" else "reward",
            strength_fast=np.nan,
            strength_slow=np.nan,
            strength=np.nan,
            recall=np.nan,
        )
        for e in events
        if (e.kind == "present" and e.item < N_TRACE) or (e.kind == "reward" and e.item < N_TRACE and e.value > 0)
    ]
    out = pd.concat([rows, pd.DataFrame(ev_rows)], ignore_index=True)
    out["t_h"] = out["t_s"] / HOUR
    out = out.sort_values(["learner", "item", "event", "seed", "t_s"], kind="stable").reset_index(drop=True)
    return out[
        ["learner", "item", "seed", "event", "t_s", "t_h", "strength_fast", "strength_slow", "strength", "recall"]
    ]


def _retention_table(df: pd.DataFrame) -> pd.DataFrame:
    g = df.groupby(["condition", "learner", "seed", "tag"], sort=False, as_index=False).agg(
        t_s=("t_s", "first"),
        recall=("recall", "mean"),
        strength=("strength", "mean"),
        strength_fast=("strength_fast", "mean"),
        strength_slow=("strength_slow", "mean"),
        diverged=("diverged", "any"),
    )
    g = g.rename(columns={"tag": "delay"})
    g["delay_s"] = g["delay"].map(_label_to_s)
    g["delay_h"] = g["delay_s"] / HOUR
    g = g.sort_values(["condition", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    return g[
        [
            "condition",
            "learner",
            "seed",
            "delay",
            "delay_s",
            "delay_h",
            "recall",
            "strength",
            "strength_fast",
            "strength_slow",
            "diverged",
        ]
    ]


def _label_to_s(text: str) -> float:
    return parse_duration(text.replace(" ", ""))


def _spacing_table(df: pd.DataFrame, delays: list[float]) -> pd.DataFrame:
    short, long_ = label(delays[0]), label(delays[-1])
    df = df[df.tag.isin([short, long_])]
    g = df.groupby(["schedule", "learner", "seed", "tag"], sort=False, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean"), strength_slow=("strength_slow", "mean")
    )
    g["test"] = np.where(g["tag"] == short, "short delay", "long delay")
    g = g.rename(columns={"tag": "delay"})
    g["delay_s"] = g["delay"].map(_label_to_s)
    g = g.sort_values(["schedule", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    return g[["schedule", "learner", "test", "delay", "delay_s", "seed", "recall", "strength", "strength_slow"]]


def _reward_table(df: pd.DataFrame) -> pd.DataFrame:
    df = df.assign(condition=np.where(df["rewarded"], "rewarded", "unrewarded"))
    g = df.groupby(["condition", "learner", "seed", "tag"], sort=False, as_index=False).agg(
        recall=("recall", "mean"), strength=("strength", "mean"), strength_slow=("strength_slow", "mean")
    )
    g = g.rename(columns={"tag": "delay"})
    g["delay_s"] = g["delay"].map(_label_to_s)
    g["delay_h"] = g["delay_s"] / HOUR
    g = g.sort_values(["condition", "learner", "seed", "delay_s"], kind="stable").reset_index(drop=True)
    return g[["condition", "learner", "seed", "delay", "delay_s", "delay_h", "recall", "strength", "strength_slow"]]


def fit_two_timescales(t: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float, float]:
    """Least-squares fit y ~ a e^{-t/tau_f} + b e^{-t/tau_s} (a, b >= 0) by a log grid over the two time
    constants and non-negative linear least squares for the amplitudes. Returns (a, tau_f, b, tau_s, rmse)."""
    best = None
    for tf in np.geomspace(60.0, 2 * DAY, 60):
        for ts in np.geomspace(DAY, 20 * 365 * DAY, 80):
            a_mat = np.stack([np.exp(-t / tf), np.exp(-t / ts)], axis=1)
            coef, *_ = np.linalg.lstsq(a_mat, y, rcond=None)
            coef = np.clip(coef, 0.0, None)
            err = float(np.sqrt(np.mean((a_mat @ coef - y) ** 2)))
            if best is None or err < best[-1]:
                best = (float(coef[0]), float(tf), float(coef[1]), float(ts), err)
    return best


def ebbinghaus_table() -> pd.DataFrame:
    return _ebbinghaus_cached().copy()


@functools.lru_cache(maxsize=1)
def _ebbinghaus_cached() -> pd.DataFrame:
    """Constant data and its fit: computed once per process."""
    t = np.array([d for d, _ in EBBINGHAUS])
    y = np.array([s for _, s in EBBINGHAUS]) / 100.0
    a, tf, b, ts, _ = fit_two_timescales(t, y)
    grid = np.geomspace(10 * MIN, 40 * DAY, 40)
    data = pd.DataFrame(dict(source="ebbinghaus 1885", delay_s=t, savings=y))
    fit = pd.DataFrame(
        dict(source="two-timescale fit", delay_s=grid, savings=a * np.exp(-grid / tf) + b * np.exp(-grid / ts))
    )
    out = pd.concat([data, fit], ignore_index=True)
    out["delay_h"] = out["delay_s"] / HOUR
    out["tau_fast_min"] = tf / MIN
    out["tau_slow_d"] = ts / DAY
    return out[["source", "delay_s", "delay_h", "savings", "tau_fast_min", "tau_slow_d"]]


def _weights_table(snap, cfg: MemoryConfig) -> pd.DataFrame:
    if not snap:
        return pd.DataFrame(columns=["component", "post", "pre", "w"])
    m = min(cfg.heatmap_units, cfg.n_units)
    parts = []
    ii, jj = np.meshgrid(np.arange(m), np.arange(m), indexing="ij")
    for comp, key in (("fast (short-term)", "fast"), ("slow (long-term)", "slow"), ("backprop", "backprop")):
        w = snap.get(key)
        if w is None:
            continue
        parts.append(
            pd.DataFrame(dict(component=comp, post=ii.ravel(), pre=jj.ravel(), w=w[:m, :m].cpu().numpy().ravel()))
        )
    return pd.concat(parts, ignore_index=True)


def _summary(t: dict[str, pd.DataFrame], cfg: MemoryConfig, counts: dict, t_end: float) -> pd.DataFrame:
    ret = t["retention"]
    long_ = ret["delay_s"].max()
    short = ret["delay_s"].min()
    rows = []
    for (cond, learner), g in ret.groupby(["condition", "learner"], sort=True):
        rows.append(
            dict(
                part="retention",
                condition=cond,
                learner=learner,
                measure=f"recall at {label(short)}",
                value=g[g.delay_s == short]["recall"].mean(),
            )
        )
        rows.append(
            dict(
                part="retention",
                condition=cond,
                learner=learner,
                measure=f"recall at {label(long_)}",
                value=g[g.delay_s == long_]["recall"].mean(),
            )
        )
    sp = t["spacing"]
    for (sched, learner), g in sp[sp.test == "long delay"].groupby(["schedule", "learner"], sort=True):
        rows.append(
            dict(
                part="spacing",
                condition=sched,
                learner=learner,
                measure=f"recall at {label(long_)}",
                value=g["recall"].mean(),
            )
        )
    rw = t["reward"]
    for (cond, learner), g in rw[rw.delay_s == rw.delay_s.max()].groupby(["condition", "learner"], sort=True):
        rows.append(
            dict(
                part="reward-gated",
                condition=cond,
                learner=learner,
                measure=f"recall at {label(long_)}",
                value=g["recall"].mean(),
            )
        )
    it = t["interference"]
    for learner, g in it.groupby("learner", sort=True):
        last = g[g.n_learned == g.n_learned.max()]
        rows.append(
            dict(
                part="interference",
                condition=f"after {int(g.n_learned.max())} items",
                learner=learner,
                measure=f"recall of first {N_FIRST} items",
                value=last["recall"].mean(),
            )
        )
    eb = t["ebbinghaus"]
    rows.append(
        dict(
            part="ebbinghaus fit",
            condition="",
            learner="",
            measure="tau_fast (min)",
            value=float(eb["tau_fast_min"].iloc[0]),
        )
    )
    rows.append(
        dict(
            part="ebbinghaus fit",
            condition="",
            learner="",
            measure="tau_slow (d)",
            value=float(eb["tau_slow_d"].iloc[0]),
        )
    )
    for k, v in counts.items():
        rows.append(dict(part="budget", condition="all", learner="", measure=k, value=float(v)))
    rows.append(dict(part="budget", condition="", learner="", measure="study span (h)", value=t_end / HOUR))
    return pd.DataFrame(rows)


def metrics(tables: dict[str, pd.DataFrame], cfg: MemoryConfig) -> list[tuple[str, str]]:
    ret = tables["retention"]
    long_ = ret["delay_s"].max()
    last = ret[ret.delay_s == long_]

    def m(cond, learner):
        return last[(last.condition == cond) & (last.learner == learner)]["recall"].mean()

    sp = tables["spacing"]
    spl = sp[(sp.test == "long delay") & (sp.learner == SYN_NAME)].groupby("schedule")["recall"].mean()
    it = tables["interference"]
    itl = it[it.n_learned == it.n_learned.max()].groupby("learner")["recall"].mean()
    return [
        (
            f"synapse recall at {label(long_)}, consolidation on / off",
            f"{m('consolidation on', SYN_NAME):.2f} / {m('consolidation off', SYN_NAME):.2f}",
        ),
        (f"spaced − massed at {label(long_)}", f"{spl.get('spaced', np.nan) - spl.get('massed', np.nan):+.2f}"),
        (
            f"early items after {int(it.n_learned.max())} items: synapse / backprop",
            f"{itl.get(SYN_NAME, np.nan):.2f} / {itl.get(BP_NAME, np.nan):.2f}",
        ),
    ]


def validate(cfg: MemoryConfig) -> None:
    problem = cfg.check()
    if problem:
        raise ConfigError(problem)


NOTES = """
**What to look for.** Each presentation writes a *fast* synaptic trace that fades within hours
(τ_stm); only consolidation — tagged synapses capturing proteins after a trigger (enough repetition,
or reward) — writes the *slow* trace that lasts weeks (τ_ltm). Recall is all-or-none per item: a
trace is recalled while it stands out of the neural noise σ, so averaged recall falls in steps
where traces cross that floor. The backprop net has no clock: time alone never erases it, but
every new item it is trained on rewrites the weights it shares with older ones. The one-layer net
shares few: with sparse items a new item touches only the inputs of its own active units, so it
forgets gradually. The autoencoder (backprop model = autoencoder) shares all its hidden units: a few
steps on a new item pull its output towards that item whatever the cue, and recall of the old items
collapses (catastrophic interference, McCloskey & Cohen 1989).
Recall 1 = perfect, 0 = chance (a random set of active units).
"""

EQUATIONS = (
    Equation(
        r"\Delta F_{ij} = \frac{\eta}{N f (1-f)}\,x_i\,(x_j - f)\;\Big(1 - \frac{\mathrm{sgn}(\Delta)\,F_{ij}}"
        r"{w_{\max}}\Big)",
        "Gated covariance rule (default): Hebb with heterosynaptic LTD, only synapses onto active cells "
        "change (Levy & Steward 1979; Rolls & Treves 1998), soft-bounded (van Rossum et al. 2000)",
    ),
    Equation(
        r"\Delta F_{ij} = \frac{\eta}{N f (1-f)}\,(x_i - f)(x_j - f)\;\Big(1 - \frac{\mathrm{sgn}(\Delta)\,F_{ij}}"
        r"{w_{\max}}\Big)",
        "Full Hebbian covariance rule (Sejnowski 1977; Tsodyks & Feigel'man 1988): also changes synapses "
        "onto silent cells, by a presynaptic term that shifts all fields about equally",
    ),
    Equation(
        r"\Delta W_{ij} = \eta\, y_i\,(x_j - y_i W_{ij})",
        "Oja-normalised Hebb (Oja 1982), with clamped binary postsynaptic rates y",
    ),
    Equation(
        r"e_{ij} \leftarrow e_{ij}\,e^{-\Delta t/\tau_e} + \frac{x_i (x_j - f)}{N f (1-f)},\qquad "
        r"\Delta F_{ij} = \eta\,(R - b)\,e_{ij},\quad b \leftarrow b + \beta (R - b)",
        "Three-factor rule with eligibility trace and reward baseline (Frémaux & Gerstner 2016; Izhikevich 2007)",
    ),
    Equation(
        r"\dot F = -\frac{F}{\tau_{stm}},\quad \dot g = -\frac{g}{\tau_{tag}},\quad \dot p = -\frac{p}{\tau_p},"
        r"\quad \dot L = -\frac{L}{\tau_{ltm}} + \kappa\, p_i\, g_{ij}\, F_{ij}",
        "Synaptic tagging and capture (Frey & Morris 1997; Clopath et al. 2008): a presentation tags the "
        "synapses it changes (g = |ΔF|/max|ΔF|); a trigger sets the cell's proteins p = 1; W = F + L",
    ),
    Equation(
        r"L(t{+}\Delta) = L\,e^{-\Delta/\tau_{ltm}} + \kappa\,p\,g\,F\;"
        r"\frac{e^{-\lambda\Delta} - e^{-\Delta/\tau_{ltm}}}{1/\tau_{ltm} - \lambda},\quad "
        r"\lambda = \tfrac{1}{\tau_{stm}} + \tfrac{1}{\tau_{tag}} + \tfrac{1}{\tau_p}",
        "Closed-form evolution between events: simulated days cost as much as seconds",
    ),
    Equation(
        r"r \leftarrow r\,e^{-\Delta t/\tau_{tag}} + 1,\qquad \text{trigger if } r \ge \theta "
        r"\text{ or } R > 0",
        "Consolidation trigger: repetition strength over a threshold and/or reward",
    ),
    Equation(
        r"C_k \dot u_k = g_{k-1,k}(u_{k-1} - u_k) + g_{k,k+1}(u_{k+1} - u_k),\quad C_k = 2^{k-1},\ "
        r"g_{k,k+1} \propto 4^{-k}",
        "Benna & Fusi (2016) chain model (second synapse choice); the weight is u_1",
    ),
    Equation(
        r"h = W x + \sigma z,\quad x \leftarrow \mathrm{kWTA}(h),\quad "
        r"m = \frac{x\cdot\xi / k - f}{1 - f}",
        "Recall from a noisy cue, identical for both learners; m = 1 perfect, 0 chance",
    ),
    Equation(
        r"\mathcal{L} = \frac{R^{\,\rho}}{2k}\,\lVert W x - (x - f)\rVert^2,\quad W \leftarrow "
        r"\mathrm{optim}(W, \nabla_W \mathcal{L})",
        "Backprop net, one-layer: same connections, torch.optim (SGD / momentum / Adam) on the same "
        "presentations; ρ = 1 with reward-weighted loss",
    ),
    Equation(
        r"y = \sigma\big(V\,\sigma(U x + a) + c\big),\quad H = \mathrm{round}\tfrac{N(N-2)}{2N+1} \approx "
        r"\tfrac{N}{2},\quad \mathcal{L} = \frac{R^{\,\rho}}{k}\sum_i \big[-x_i \ln y_i - (1 - x_i)\ln(1 - y_i)\big],"
        r"\quad h = y + \sigma_n z",
        "Backprop net, autoencoder: N → H → N sigmoid units, 2NH + H + N ≈ N(N−1) weights; every item "
        "shares the distributed hidden code, the setting of catastrophic interference (McCloskey & Cohen "
        "1989; Ratcliff 1990; French 1999). Cross-entropy gives the output error (y − x)/k, as the "
        "one-layer net's; recall iterates its output y as the field h",
    ),
    Equation(r"S(t) = a\,e^{-t/\tau_f} + b\,e^{-t/\tau_s}", "Two-timescale fit to Ebbinghaus' (1885) savings"),
)

EXPERIMENT = Experiment(
    name="memory",
    title="Memory reinforcement",
    question="How do repetition, spacing and reward turn a fast-fading trace into a lasting memory, "
    "in a synapse model vs a backprop network?",
    config=MemoryConfig,
    run=run,
    charts=(
        Chart(
            "Memory traces over time",
            "traces",
            mc.traces_chart,
            "Fast and slow trace strength of the first items (mean over seeds and items) with presentations "
            "(ticks) and rewards (stars); 1 = one fresh presentation.",
        ),
        Chart(
            "Retention",
            "retention",
            mc.retention_chart,
            "Recall vs delay after the last study presentation, mean and 95% band over seeds.",
        ),
        Chart(
            "Ebbinghaus (1885) and a two-timescale fit",
            "ebbinghaus",
            mc.ebbinghaus_chart,
            "Savings in relearning vs delay, with the best a·e^(−t/τ_f) + b·e^(−t/τ_s).",
        ),
        Chart(
            "Spacing: same number of presentations",
            "spacing",
            mc.spacing_chart,
            "Recall at the shortest and the longest test delay.",
        ),
        Chart(
            "Reward-gated consolidation",
            "reward",
            mc.reward_chart,
            "Trigger = reward only: rewarded vs unrewarded target items.",
        ),
        Chart(
            "Distal reward: reward delay vs τ_e",
            "distal",
            mc.distal_chart,
            "Three-factor rule: recall of rewarded items right after their delayed reward.",
        ),
        Chart(
            "Interference: recall of the first items",
            "interference",
            mc.interference_chart,
            "Recall of the first 5 items as more items are learned, both learners.",
        ),
        Chart(
            "Weights",
            "weights",
            mc.weights_chart,
            "Fast, slow and backprop weights of the first units (seed 0), at the first test delay.",
        ),
    ),
    equations=EQUATIONS,
    metrics=metrics,
    notes=NOTES,
    validate_inputs=validate,
)
