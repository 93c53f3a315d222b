"""Learners for the learning-rules arena: backprop networks and brain-like local rules behind one
step-based interface (`Learner.step` on a batch, `Learner.scores` for predictions)."""

from brainsim.arena.learners.base import ACTIVATIONS, LOSSES, OPTIMIZERS, Learner, Spec, init_weights
from brainsim.arena.learners.train import BRAIN_LIKE, LEARNERS, Split, make_learner, train

__all__ = [
    "ACTIVATIONS",
    "BRAIN_LIKE",
    "LEARNERS",
    "LOSSES",
    "OPTIMIZERS",
    "Learner",
    "Spec",
    "Split",
    "init_weights",
    "make_learner",
    "train",
]
