"""What a memory run costs: work units of its simulations, and seconds per unit (see brainsim.cost).

The units come from the run's own event lists (built as the conditions build them: cheap, nothing is
simulated): every presentation writes S x N x N synapse state of the brain-like learner and, where the
backprop net runs, `steps` optimizer steps on about N x N weights; every recall test reads the items'
fields for `recall_steps` steps. Before the interference stream the backprop net trains to a loss criterion
(brainsim.memory.criterion): counted in full, `criterion_epochs` epochs of N_FIRST items x `steps` steps
(an upper bound: a seed stops at the epoch its loss meets `criterion_loss`), batched over seeds with plain SGD,
one seed at a time with a stateful optimizer."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.memory import conditions as cond

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate (the
# criterion terms on the epochs each run actually trained; the estimate then counts criterion_epochs in full)
COEF = {
    "run": 0.548,
    "events": 0.000354,
    "synapse": 0.0,
    "backprop": 6.93e-10,
    "backprop_dense": 6.04e-10,
    "seed_steps": 1.24e-05,
    "recall": 0.0,
    "criterion_steps": 0.000211,
    "criterion": 3.03e-10,
}


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


def criterion_steps(cfg) -> int:
    """Optimizer steps of training to criterion at most (per seed): epochs x first items x steps, plus one
    loss evaluation per epoch."""
    return cfg.criterion_epochs * cond.N_FIRST * (cfg.steps + 1)


def terms(cfg) -> dict[str, float]:
    """Work units: events; synapse state written; backprop optimizer steps x S x N x N (plus the same for the
    optimizers that update every weight), per-seed step overheads; recall reads; training to criterion."""
    sims = simulations(cfg)
    s, n = cfg.seeds, cfg.n_units
    crit = criterion_steps(cfg)
    dense = cfg.optimizer != "sgd"  # plain SGD updates only the rows an item drives; the others every weight
    bp = sum(e for e, _, trained in sims if trained) * cfg.steps  # optimizer steps of the study and the stream
    full = 1.0 if cfg.rule == "hebbian covariance" else cfg.coding_level  # rows written per presentation / N
    return {
        "run": 1.0,
        "events": sum(e + r for e, r, _ in sims),
        "synapse": sum(e for e, _, _ in sims) * s * n * n * (1 + full),
        "backprop": bp * s * n * n,
        "backprop_dense": dense * bp * s * n * n,
        "seed_steps": (bp + crit) * s,
        "recall": sum(r * (1 + trained) for _, r, trained in sims) * cfg.recall_steps * s * n * n,
        "criterion_steps": crit * (s if dense else 1),  # stateful optimizers train one seed at a time
        "criterion": crit * s * n * n,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
