"""What every arena learner shares: the spec (sizes and rates), readouts and output errors, the
shared initial weights and the step-based `Learner` interface.

All learners map an input batch x (B, d) to output scores z (B, C). With the cross-entropy loss
the scores are logits and the prediction is softmax(z); with MSE the scores are linear outputs
compared with a one-hot target t. The predicted class is always argmax_k z_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from brainsim.runtime import torch_generator
from brainsim.torchkit import uniform_init

LOSSES = ("cross-entropy", "mse")


@dataclass(frozen=True)
class Spec:
    """Sizes and rates shared by the learners of one race (one seed)."""

    n_in: int  # d, input features
    n_out: int  # C, classes
    hidden: int = 64  # H, hidden units (every learner with a hidden layer)
    hidden_layers: int = 1  # backprop MLP only; the local learners have one hidden layer
    activation: str = "tanh"  # a brainsim.torchkit activation
    loss: str = "cross-entropy"
    optimizer: str = "adam"  # backprop networks (a brainsim.torchkit optimizer name)
    lr: float = 0.01  # backprop networks' learning rate
    weight_decay: float = 0.0  # backprop networks' L2 penalty
    local_lr: float = 0.1  # plain-SGD rate of delta rule, feedback alignment and readouts
    reward_lr: float = 0.2  # reward-modulated learner's output-layer rate η
    reward_hidden_lr: float = 0.6  # its hidden-layer (node perturbation) rate η_h, divided by the fan-in d
    reward_noise: float = 0.3  # σ of the hidden node perturbation
    reward_entropy: float = 0.1  # β, entropy bonus that keeps the answer distribution exploring
    baseline_rate: float = 0.05  # α of the running reward baseline
    hebb_lr: float = 0.02  # competitive Hebbian feature rate
    hebb_delta: float = 0.2  # Δ, anti-Hebbian strength on the k-th winner (Krotov & Hopfield 2019)
    hebb_k: int = 2  # rank of the unit pushed away
    image_shape: tuple[int, int] | None = None  # (h, w) when inputs are flattened images


def readout(z: torch.Tensor, loss: str) -> torch.Tensor:
    """The output y (B, C) the loss compares with the target: softmax(z) for cross-entropy, z for MSE."""
    return torch.softmax(z, dim=1) if loss == "cross-entropy" else z


def output_error(z: torch.Tensor, t: torch.Tensor, loss: str) -> torch.Tensor:
    """The loss gradient ∂ℓ/∂z = y − t per sample (B, C), y = readout(z); the local rules learn from
    its negative, the delta rule's error t − y."""
    return readout(z, loss) - t


def loss_value(z: torch.Tensor, t: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss over the batch: −Σ t log softmax(z) (nats) or ½‖z − t‖²."""
    if loss == "cross-entropy":
        return -(t * torch.log_softmax(z, dim=1)).sum(1).mean()
    return 0.5 * ((z - t) ** 2).sum(1).mean()


def init_weights(spec: Spec, seed: int) -> dict[str, torch.Tensor]:
    """Initial W1 (H, d), b1 (H,), W2 (C, H), b2 (C,) shared by every learner whose shapes allow,
    drawn by torchkit.uniform_init (torch.nn.Linear's fan-in range) from a seeded CPU generator."""
    g = torch_generator(seed, 1)
    return {
        "W1": uniform_init(g, (spec.hidden, spec.n_in), spec.n_in),
        "b1": uniform_init(g, (spec.hidden,), spec.n_in),
        "W2": uniform_init(g, (spec.n_out, spec.hidden), spec.hidden),
        "b2": uniform_init(g, (spec.n_out,), spec.hidden),
    }


class Learner:
    """Step-based interface: `step` makes one weight update from a batch; the loop counts samples.

    Subclasses set `name` and implement `step`, `scores` and `parameters`; `features` returns the
    first-layer weights (units, d) for image tiles, or None."""

    name = "learner"
    state: tuple[str, ...] = ()  # the tensor attributes `to` moves to the run's device

    def __init__(self):
        self.updates = 0  # weight updates made (one per step)

    def to(self, device) -> Learner:
        for k in self.state:
            setattr(self, k, getattr(self, k).to(device))
        return self

    def step(self, x: torch.Tensor, t: torch.Tensor, y: torch.Tensor) -> None:
        """One update from a batch: x (B, d) inputs, t (B, C) one-hot targets, y (B,) labels."""
        raise NotImplementedError

    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """Output scores z (B, C); the prediction is argmax_k z_k."""
        raise NotImplementedError

    def loss_of(self, z: torch.Tensor, t: torch.Tensor, loss: str) -> float:
        """The reported loss of scores z (B, C) against one-hot targets t (B, C)."""
        return float(loss_value(z, t, loss))

    def parameters(self) -> list[torch.Tensor]:
        raise NotImplementedError

    def features(self) -> torch.Tensor | None:
        return None
