"""What a working-memory run costs: work units of its BPTT training and fast-weight read-outs, and
seconds per unit (see brainsim.cost)."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.working_memory import data
from brainsim.working_memory.recurrent import KINDS

GATES = {"feedforward": 1, "rnn": 1, "gru": 3, "lstm": 4}  # weight blocks per step, as in torch.nn
EVALS = 11  # held-out evaluations per network: every steps // 10 and at the end

# seconds of one core per unit, fitted by brainsim.cost.calibrate (see terms)
COEF = {
    "run": 0.0,
    "steps": 0.0,
    "networks": 0.00322,
    "time_steps": 0.00035,
    "flops": 6.78e-11,
    "fast_weights": 6.83e-10,
}


def terms(cfg) -> dict[str, float]:
    """Work units: each trained kind packs one network per (seed, condition) and takes `steps` optimizer
    steps over sequences of up to T time steps (feedforward: one), batch x (input + hidden) x hidden per
    gate block and time step, plus EVALS passes over the held-out sequences; fast weights read d x d
    stores over every sequence."""
    conds = data.conditions(cfg)
    seeds = len(data.seed_list(cfg))
    lengths = [data.seq_len(cfg, p, d) for p, d in conds]
    kinds = [k for k in KINDS if k in cfg.learners]
    h = cfg.hidden
    d_in = cfg.symbols + cfg.distractors + 2 * cfg.vocab + 4  # input code, roughly (one-hot blocks)
    flops, time_steps = 0.0, 0.0
    for k in kinds:
        t = [1] * len(lengths) if k == "feedforward" else lengths
        time_steps += cfg.steps * max(t)
        work = sum(t) * seeds * GATES[k] * h * (h + d_in)
        flops += work * (3 * cfg.steps * cfg.batch + EVALS * cfg.test_size)
    fw = "fast weights" in cfg.learners
    reads = seeds * cfg.test_size * (sum(lengths) + len(cfg.pairs_list) + len(cfg.decay_lambdas))
    return {
        "run": 1.0,
        "steps": cfg.steps * len(kinds),
        "networks": cfg.steps * len(kinds) * seeds * len(conds),
        "time_steps": time_steps,
        "flops": flops,
        "fast_weights": fw * reads * cfg.fw_dim**2,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
