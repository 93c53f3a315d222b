"""What a memory run costs: work units of its simulations, and seconds per unit (see brainsim.cost).

The units come from the run's own event lists (built as the conditions build them: cheap, nothing is
simulated): every presentation writes S x N x N synapse state of the brain-like learner and, where the
backprop net runs, `steps` optimizer steps on about N x N weights; every recall test reads the items'
fields for `recall_steps` steps."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.memory import conditions as cond

# seconds of one core per unit, fitted by brainsim.cost.calibrate (see terms); "run" measured again once the
# forgetting tables (a fixed 0.4 s) joined the run
COEF = {"run": 0.55, "events": 0.000493, "synapse": 0.0, "backprop": 7.51e-10, "recall": 1.71e-10}


def _count(events, n_test_items: int) -> tuple[int, int]:
    """(presentations and rewards, recall tests x items) of one simulation's events."""
    shown = sum(e.kind in ("present", "reward") for e in events)
    tests = sum(e.kind == "test" for e in events) * n_test_items
    return shown, tests


def simulations(cfg) -> list[tuple[int, int, bool]]:
    """(presentations and rewards, item recalls, backprop net trained?) of every simulation of the run."""
    delays = cond.test_delays(cfg)
    sims = []
    study = cond.study(cfg, cfg.schedule)
    on, _ = cond.with_stream_and_tests(cfg, study, delays, trace_grid=True)
    plain, _ = cond.with_stream_and_tests(cfg, study, delays)
    sims += [(*_count(on, cfg.n_items), True), (*_count(plain, cfg.n_items), False)]  # retention on / off
    sims.append((*_count(plain, cfg.n_items), False))  # reward-gated
    for sched in ("massed", "spaced", "expanding"):
        if sched != cfg.schedule:
            ev, _ = cond.with_stream_and_tests(cfg, cond.study(cfg, sched), delays)
            sims.append((*_count(ev, cfg.n_items), True))
    distal_items = min(cfg.n_items, 10)
    sims += [(2 * distal_items, distal_items, False)] * (len(cfg.distal_tau_e) * len(cfg.distal_delays))
    stream = cfg.stream_items - cond.N_FIRST
    sims.append((2 * cfg.n_reps * cfg.stream_items, (stream + 1) * cond.N_FIRST, True))  # interference
    return sims


def terms(cfg) -> dict[str, float]:
    sims = simulations(cfg)
    s, n = cfg.seeds, cfg.n_units
    full = 1.0 if cfg.rule == "hebbian covariance" else cfg.coding_level  # rows written per presentation / N
    return {
        "run": 1.0,
        "events": sum(e + r for e, r, _ in sims),
        "synapse": sum(e for e, _, _ in sims) * s * n * n * (1 + full),
        "backprop": sum(e for e, _, bp in sims if bp) * cfg.steps * s * n * n,
        "recall": sum(r * (1 + bp) for _, r, bp in sims) * cfg.recall_steps * s * n * n,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
