"""What each continual learner adds to plain sequential training.

All learners train side by side as one batch of networks (learner × seed, see train.py): the same
initial weights, optimizer and minibatches of the current task. A learner differs only in
- what its minibatch holds (joint: all tasks so far; replay: the current batch plus as many buffered ones),
- a quadratic penalty Σ_i A_i θ_i²/2 − B_i θ_i whose gradient A θ − B is added to the task gradient
  (EWC, online EWC and SI are all of this form, with their own A and B),
- what happens to its weights after each step (multi-timescale synapses) and which hidden units are open
  (context gating).
"""

from __future__ import annotations

import numpy as np
import torch

from brainsim import runtime
from brainsim.memory.synapse import ChainSynapse

LEARNERS = (
    "fine-tuning",
    "joint",
    "ewc",
    "online ewc",
    "synaptic intelligence",
    "replay",
    "multi-timescale synapses",
    "context gating",
)
TASK_ONLY = ("context gating",)  # needs the task identity at test time: task-incremental scenario only
NO_LEAK_STEPS = 1e12  # the chain's deepest stage does not leak within a run


def joint_batches(seed: int, task: int, epoch: int, n: int, k: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Joint training, the upper bound: each minibatch drawn uniformly, without replacement within an epoch,
    from every task seen so far (same steps and batch size as the others): (task, example), each (k, b)."""
    flat = runtime.rng(seed, 8, task, epoch).permutation((task + 1) * n)[: k * b].reshape(k, b)
    return flat // n, flat % n


class Reservoir:
    """Experience replay's buffer, the network's analogue of hippocampal replay (McClelland, McNaughton &
    O'Reilly 1995): at most M past examples kept by reservoir sampling (Vitter 1985): example number k of
    the stream enters with probability M/k, replacing a uniformly chosen slot, so every example seen has the
    same chance M/n_seen of being held. Each step trains on the current minibatch plus an equal one drawn
    from the buffer, L = mean over both."""

    def __init__(self, seed: int, size: int):
        self.seed, self.size = seed, size
        self.slots: list[tuple[int, int]] = []
        self.seen = 0

    def push_task(self, task: int, n: int) -> None:
        """Stream the task's n training examples (in a seeded order) past the buffer."""
        r = runtime.rng(self.seed, 6, task)
        for ex in r.permutation(n):
            if len(self.slots) < self.size:
                self.slots.append((task, int(ex)))
            else:
                j = int(r.integers(0, self.seen + 1))
                if j < self.size:
                    self.slots[j] = (task, int(ex))
            self.seen += 1

    def draw(self, task: int, epoch: int, k: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        """k minibatches of b buffered examples, drawn uniformly with replacement: (task, example) (k, b)."""
        held = np.asarray(self.slots, dtype=np.int64).reshape(-1, 2)
        pick = held[runtime.rng(self.seed, 7, task, epoch).integers(0, len(held), (k, b))]
        return pick[..., 0], pick[..., 1]


def ewc_update(a, b, fisher, params, lam: float):
    """Elastic weight consolidation (Kirkpatrick et al. 2017): after task t, with F^t the diagonal Fisher and
    θ*^t the weights, later tasks minimise L(θ) + (λ/2) Σ_t Σ_i F_i^t (θ_i − θ*_i^t)²: A += λ F^t, B += λ F^t θ*^t."""
    return a + lam * fisher, b + lam * fisher * params


def online_ewc_update(a, b, fisher, params, lam: float, gamma: float):
    """Online EWC (Schwarz et al. 2018): one running Fisher F̃ ← γ F̃ + F^t anchored at the latest weights θ*,
    penalty (λ/2) Σ_i F̃_i (θ_i − θ*_i)²: A ← γ A + λ F^t, B = A θ*."""
    a = gamma * a + lam * fisher
    return a, a * params


def si_update(big_omega, omega, params, start, c: float, xi: float):
    """Synaptic intelligence (Zenke, Poole & Ganguli 2017): ω_i = −Σ_steps g_i Δθ_i, each parameter's share
    of the loss decrease along the path (g the task loss's gradient alone); at the end of task t
    Ω_i += ω_i / ((Δθ_i^t)² + ξ), Δθ^t the change over the task, and later tasks minimise
    L(θ) + c Σ_i Ω_i (θ_i − θ̃_i)², θ̃ the weights at the task's end: A = 2cΩ, B = 2cΩθ̃.
    Returns (Ω, A, B)."""
    big_omega = big_omega + omega / ((params - start) ** 2 + xi)
    a = 2 * c * big_omega
    return big_omega, a, a * params


def chain_step_matrix(tau: float, stages: int, dtype, device) -> torch.Tensor:
    """Multi-timescale synapses: every parameter is the visible end u_1 of a Benna & Fusi (2016) chain
    u_1 … u_m, the memory page's ChainSynapse: C_k du_k/dt = g_{k−1,k}(u_{k−1} − u_k) + g_{k,k+1}(u_{k+1} − u_k),
    C_k = 2^{k−1}, g_{k,k+1} = 2^{−2(k−1)}/τ, time in optimizer steps. The gradient writes into u_1 (Kaplanis,
    Shanahan & Clopath 2018) and after each step the chain evolves exactly: u ← exp(A · 1 step) u. Returns
    exp(A), (m, m)."""
    chain = ChainSynapse(1, 1, tau, NO_LEAK_STEPS, 1.0, torch.device("cpu"), stages=stages)
    return torch.linalg.matrix_exp(chain.a).to(dtype).to(device)


def gates(seed: int, n_tasks: int, hidden: int, keep: float) -> np.ndarray:
    """Context-dependent gating (Masse, Grant & Freedman 2018): each task t opens a fixed random subset of
    the hidden units, a fraction `keep` of them, g^t ∈ {0, 1}^H, and h = g^t ⊙ f(W1 x + b1): training on
    task t moves only its open units' weights. (T, H)."""
    r = runtime.rng(seed, 9)
    g = np.zeros((n_tasks, hidden), dtype=np.float32)
    k = max(1, round(keep * hidden))
    for t in range(n_tasks):
        g[t, r.choice(hidden, k, replace=False)] = 1.0
    return g
