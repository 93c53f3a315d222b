"""What a continual-learning run costs: work units of its training loop, and seconds per unit (see
brainsim.cost)."""

from __future__ import annotations

from brainsim.continual import tasks
from brainsim.cost import linear

# seconds of one core per unit, fitted by brainsim.cost.fit on runs measured with brainsim.cost.calibrate
COEF = {"run": 0.395, "steps": 0.001, "elementwise": 0.0, "gflop": 0.203, "eval": 0.00988}


def terms(cfg) -> dict[str, float]:
    """Work units: optimizer steps (each moves every learner on every seed at once: the loop's fixed cost),
    the elementwise work of each step on every network's weights (optimizer, penalties, chain; millions of
    weight updates), the matrix products of training (GFLOP) and of the test passes over every task (GFLOP,
    train.EVALS_PER_TASK + 1 per task)."""
    from brainsim.continual.experiment import active_learners, task_count, work
    from brainsim.continual.train import EVALS_PER_TASK

    networks = len(active_learners(cfg)) * cfg.seeds
    per_class = 2 if cfg.benchmark == "split" else 10
    n = tasks.TRAIN_PER_CLASS * per_class
    t = task_count(cfg)
    steps = t * cfg.epochs * (n // cfg.batch_size)
    weights = 64 * cfg.hidden + cfg.hidden * 10
    test = t * tasks.TEST_PER_CLASS * per_class
    return {
        "run": 1.0,
        "steps": steps,
        "elementwise": steps * networks * weights / 1e6,
        "gflop": work(cfg) / 1e9,
        "eval": t * (EVALS_PER_TASK + 1) * networks * test * 2 * weights / 1e9,
    }


def seconds(cfg) -> float:
    return linear(terms(cfg), COEF)
