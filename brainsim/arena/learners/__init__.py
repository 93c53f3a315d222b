"""Learners for the learning-rules arena: backprop networks and brain-like local rules behind one
step-based interface (`Learner.step` on a batch, `Learner.scores` for predictions)."""

from brainsim.arena.learners.base import LOSSES, Learner, Spec, init_weights
from brainsim.arena.learners.train import BRAIN_LIKE, LEARNERS, Split, evaluate, make_learner, train

__all__ = [
    "BRAIN_LIKE",
    "LEARNERS",
    "LOSSES",
    "Learner",
    "Spec",
    "Split",
    "evaluate",
    "init_weights",
    "make_learner",
    "train",
]
