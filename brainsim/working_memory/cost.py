"""What a working-memory run costs: work units of its BPTT training and fast-weight read-outs, and
seconds per unit (see brainsim.cost).

The run trains every network alone (one per learner kind, seed and condition; brainsim.working_memory.run),
so each network is counted on its own: `steps` optimizer steps over sequences of its condition's length T
(feedforward: the last step only), batch x (input + hidden) x hidden multiply-adds per gate block and time
step, and EVALS passes over its held-out sequences. The fast-weight tables are measured in every run
(whichever learners are selected): per seed, one batch of test sequences per delay and per pair count, and
the trace-decay sweep over delays 0 .. max(10, longest delay) for every λ at once."""

from __future__ import annotations

from brainsim.cost import linear
from brainsim.working_memory import data
from brainsim.working_memory.recurrent import KINDS

GATES = {"feedforward": 1, "rnn": 1, "gru": 3, "lstm": 4}  # weight blocks per step, as in torch.nn
EVALS = 11  # held-out evaluations per network: every steps // 10 and at the end

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {
    "run": 0.0,
    "networks": 0.0121,
    "steps": 0.000906,
    "time_steps": 8.24e-05,
    "flops": 1.17e-10,
    "fw_batches": 0.00118,
    "fw_work": 1.32e-09,
}


def d_in(cfg) -> int:
    """Width of the task's one-hot input (brainsim.working_memory.sequences)."""
    if cfg.task == "delayed recall":
        return cfg.symbols + cfg.distractors + 1
    if cfg.task == "associative retrieval":
        return 2 * cfg.vocab + cfg.distractors + 1
    return cfg.symbols + 1


def fast_weight_batches(cfg) -> list[tuple[int, int]]:
    """(sequence length, read-outs per sequence) of every batch of test_size sequences one seed's fast-weight
    measurement reads: accuracy vs delay and vs pairs, then the trace decay (one pair, and `pairs` pairs read
    for every λ) at each delay."""
    shortest = min(cfg.delays)
    out = [(cfg.pairs + d + 1, 1) for d in dict.fromkeys(cfg.delays)]
    out += [(p + shortest + 1, 1) for p in dict.fromkeys(cfg.pairs_list)]
    lams = len(dict.fromkeys(cfg.decay_lambdas))
    for d in range(max(10, max(cfg.delays)) + 1):
        out += [(d + 2, lams), (cfg.pairs + d + 1, lams)]
    return out


def terms(cfg) -> dict[str, float]:
    """Work units: per trained network, its steps, steps x time steps (the recurrent loop), multiply-adds
    (forward and backward of every training batch, forward of the held-out set EVALS times); per fast-weight
    batch, its fixed cost and its sequences x steps x (encoder widths + read-outs x store width)."""
    seeds = len(data.seed_list(cfg))
    lengths = [data.seq_len(cfg, p, d) for p, d in data.conditions(cfg)]
    h, width = cfg.hidden, d_in(cfg)
    nets = steps = time_steps = flops = 0.0
    for k in (k for k in KINDS if k in cfg.learners):
        for t_data in lengths:
            t = 1 if k == "feedforward" else t_data
            nets += seeds
            steps += seeds * cfg.steps
            time_steps += seeds * cfg.steps * t
            flops += seeds * t * GATES[k] * h * (h + width) * (3 * cfg.steps * cfg.batch + EVALS * cfg.test_size)
    fw = fast_weight_batches(cfg)
    fw_width = cfg.fw_dim + 2 * cfg.vocab + cfg.distractors + 1
    return {
        "run": 1.0,
        "networks": nets,
        "steps": steps,
        "time_steps": time_steps,
        "flops": flops,
        "fw_batches": seeds * len(fw),
        "fw_work": seeds * cfg.test_size * sum(t * (fw_width + reads * cfg.fw_dim) for t, reads in fw),
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
