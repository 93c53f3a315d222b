"""What every arena learner shares: the spec (sizes and rates), activations, output errors,
the shared initial weights and the step-based `Learner` interface.

All learners map an input batch x (B, d) to output scores z (B, C). With the cross-entropy loss
the scores are logits and the prediction is softmax(z); with MSE the scores are linear outputs
compared with a one-hot target t. The predicted class is always argmax_k z_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from brainsim.runtime import torch_generator

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky relu")
LOSSES = ("cross-entropy", "mse")
OPTIMIZERS = ("GD", "SGD", "momentum", "Adagrad", "RMSprop", "Adam")
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Spec:
    """Sizes and rates shared by the learners of one race (one seed)."""

    n_in: int  # d, input features
    n_out: int  # C, classes
    hidden: int = 64  # H, hidden units (every learner with a hidden layer)
    hidden_layers: int = 1  # backprop MLP only; the local learners have one hidden layer
    activation: str = "tanh"
    loss: str = "cross-entropy"
    optimizer: str = "Adam"  # backprop networks (torch.optim)
    lr: float = 0.01  # backprop networks' learning rate
    weight_decay: float = 0.0  # backprop networks' L2 penalty
    local_lr: float = 0.1  # plain-SGD rate of delta rule, feedback alignment and readouts
    reward_lr: float = 0.5  # reward-modulated learner's output-layer rate
    reward_hidden_lr: float = 0.01  # its hidden-layer (node perturbation) rate
    reward_noise: float = 0.1  # σ of the hidden node perturbation
    reward_entropy: float = 0.1  # β, entropy bonus that keeps the answer distribution exploring
    baseline_rate: float = 0.05  # α of the running reward baseline
    hebb_lr: float = 0.02  # competitive Hebbian feature rate
    hebb_delta: float = 0.2  # Δ, anti-Hebbian strength on the k-th winner (Krotov & Hopfield 2019)
    hebb_k: int = 2  # rank of the unit pushed away
    image_shape: tuple[int, int] | None = None  # (h, w) when inputs are flattened images


def activate(a: torch.Tensor, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """f(a) and f'(a) for a hidden pre-activation a (any shape)."""
    if name == "sigmoid":
        h = torch.sigmoid(a)
        return h, h * (1 - h)
    if name == "tanh":
        h = torch.tanh(a)
        return h, 1 - h * h
    if name == "relu":
        return torch.relu(a), (a > 0).to(a.dtype)
    if name == "leaky relu":
        slope = torch.where(a > 0, 1.0, LEAKY_SLOPE).to(a.dtype)
        return a * slope, slope
    raise ValueError(f"unknown activation {name!r}")


def torch_activation(name: str) -> torch.nn.Module:
    """The nn.Module twin of `activate`, for the backprop networks."""
    return {
        "sigmoid": torch.nn.Sigmoid(),
        "tanh": torch.nn.Tanh(),
        "relu": torch.nn.ReLU(),
        "leaky relu": torch.nn.LeakyReLU(LEAKY_SLOPE),
    }[name]


def output_error(z: torch.Tensor, t: torch.Tensor, loss: str) -> torch.Tensor:
    """e = ∂ℓ/∂z per sample (B, C): softmax(z) − t for cross-entropy, z − t for ℓ = ½‖z − t‖²."""
    return torch.softmax(z, dim=1) - t if loss == "cross-entropy" else z - t


def loss_value(z: torch.Tensor, t: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss over the batch: −Σ t log softmax(z) (nats) or ½‖z − t‖²."""
    if loss == "cross-entropy":
        return -(t * torch.log_softmax(z, dim=1)).sum(1).mean()
    return 0.5 * ((z - t) ** 2).sum(1).mean()


def init_weights(spec: Spec, seed: int) -> dict[str, torch.Tensor]:
    """Initial W1 (H, d), b1 (H,), W2 (C, H), b2 (C,) shared by every learner whose shapes allow.

    Uniform in ±1/sqrt(fan_in), as torch.nn.Linear draws them; drawn on the CPU from a seeded
    generator so that CPU and CUDA runs start from the same numbers."""
    g = torch_generator(seed, 1)

    def uni(*shape, fan_in):
        return (torch.rand(*shape, generator=g) * 2 - 1) / fan_in**0.5

    return {
        "W1": uni(spec.hidden, spec.n_in, fan_in=spec.n_in),
        "b1": uni(spec.hidden, fan_in=spec.n_in),
        "W2": uni(spec.n_out, spec.hidden, fan_in=spec.hidden),
        "b2": uni(spec.n_out, fan_in=spec.hidden),
    }


class Learner:
    """Step-based interface: `step` makes one weight update from a batch; the loop counts samples.

    Subclasses set `name` and implement `step`, `scores` and `parameters`; `features` returns the
    first-layer weights (units, d) for image tiles, or None."""

    name = "learner"
    brain_like = True

    def __init__(self):
        self.updates = 0  # weight updates made (one per step)

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
