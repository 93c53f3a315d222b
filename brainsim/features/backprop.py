"""The backprop learners, trained by torch.autograd and Adam (brainsim.torchkit): an MLP and a small CNN
classifying the digits, and an autoencoder reconstructing them. Only their first layers are looked at."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from brainsim.features.hebbian import FINAL_RATE
from brainsim.runtime import torch_generator
from brainsim.torchkit import activation_module, make_optimizer, uniform_init

AE_ACTIVATIONS = ("linear", "tanh", "sigmoid", "relu")
PROBE_SIDE = 4  # CNN feature maps are pooled to PROBE_SIDE × PROBE_SIDE for the linear probe


def _init(net: nn.Module, g: torch.Generator) -> None:
    """Every Linear/Conv2d weight and bias drawn from `g` in torch's fan-in range (torchkit.uniform_init)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(uniform_init(g, tuple(m.weight.shape), fan_in))
                m.bias.copy_(uniform_init(g, tuple(m.bias.shape), fan_in))


class MLP(nn.Module):
    """x -> relu(W1 x + b1) -> W2 h + b2: the first layer's rows W1 are its receptive fields."""

    def __init__(self, n_in: int, hidden: int, n_out: int):
        super().__init__()
        self.first, self.out = nn.Linear(n_in, hidden), nn.Linear(hidden, n_out)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.first(x))  # (B, H)

    def forward(self, x):
        return self.out(self.features(x))

    def fields(self) -> torch.Tensor:
        return self.first.weight.detach()  # (H, n_in)

    def span(self) -> torch.Tensor:
        return self.fields()


class CNN(nn.Module):
    """image -> relu(conv k×k, C filters, same padding) -> 2×2 max-pool -> linear: LeCun et al. (1989)
    in miniature. The filters are its receptive fields; the relu maps its feature maps."""

    def __init__(self, shape: tuple[int, int], filters: int, kernel: int, n_out: int):
        super().__init__()
        self.shape = shape
        self.conv = nn.Conv2d(1, filters, kernel, padding=kernel // 2)
        pooled = (shape[0] // 2) * (shape[1] // 2)
        self.out = nn.Linear(filters * pooled, n_out)

    def maps(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv(x.reshape(-1, 1, *self.shape))  # (B, C, h', w') with h' = h for odd kernels
        return torch.relu(h[..., : self.shape[0], : self.shape[1]])  # even kernels: crop to (B, C, h, w)

    def forward(self, x):
        return self.out(F.max_pool2d(self.maps(x), 2).flatten(1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Feature maps pooled to PROBE_SIDE² per filter: (B, C·PROBE_SIDE²)."""
        return F.adaptive_avg_pool2d(self.maps(x), PROBE_SIDE).flatten(1)

    def fields(self) -> torch.Tensor:
        return self.conv.weight.detach()[:, 0]  # (C, k, k)

    def span(self) -> torch.Tensor:
        return self.fields().flatten(1)


class Autoencoder(nn.Module):
    """x -> z = f(W_e x + b_e) -> x̂ = W_d z + b_d, trained on ‖x̂ − x‖². With f linear its k codes span the
    top-k principal subspace (Baldi & Hornik 1989); the rows of W_e are its receptive fields."""

    def __init__(self, n_in: int, k: int, activation: str):
        super().__init__()
        self.enc, self.dec = nn.Linear(n_in, k), nn.Linear(k, n_in)
        self.f = nn.Identity() if activation == "linear" else activation_module(activation)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.f(self.enc(x))  # (B, k)

    def forward(self, x):
        return self.dec(self.features(x))

    def fields(self) -> torch.Tensor:
        return self.enc.weight.detach()  # (k, n_in)

    def span(self) -> torch.Tensor:
        """The decoder's columns (k, n_in): Baldi & Hornik's (1989) optimum has them span the top-k principal
        subspace. The encoder's rows span it too only on the data's support: weights on pixels that never vary
        get no gradient and keep their initial values."""
        return self.dec.weight.detach().T


@dataclass
class Fitted:
    net: nn.Module
    losses: list[float]  # training loss per epoch (mean over its batches)
    history: list[tuple[int, torch.Tensor]]  # (epoch, net.span()) snapshots
    updates: int
    samples: int
    diverged: bool = False


def fit(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor | None, lr: float, epochs: int, batch: int, seed: int, stream: int
) -> Fitted:
    """Adam on cross-entropy (y given) or on the reconstruction error (y None), seeded mini-batches;
    stops (diverged) on a NaN/inf loss."""
    g = torch_generator(seed, stream)
    _init(net, g)
    net.to(x.device)
    opt = make_optimizer("adam", net.parameters(), lr, foreach=True)
    n, updates, losses = x.shape[0], 0, []
    total_steps = epochs * -(-n // batch)
    snaps = [(0, net.span().clone())]
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n, generator=g).to(x.device)
        total = 0.0
        for i in range(0, n, batch):
            idx = order[i : i + batch]
            xb = x[idx]
            out = net(xb)
            loss = F.cross_entropy(out, y[idx]) if y is not None else F.mse_loss(out, xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            for group in opt.param_groups:  # the local rules' schedule: linear decay to FINAL_RATE·lr
                group["lr"] = lr * (1 - (1 - FINAL_RATE) * updates / total_steps)
            opt.step()
            total += loss.item() * len(idx)
            updates += 1
        losses.append(total / n)
        if not torch.isfinite(torch.tensor(total)) or not all(bool(torch.isfinite(p).all()) for p in net.parameters()):
            return Fitted(net, losses, snaps, updates, updates * batch, diverged=True)
        snaps.append((epoch, net.span().clone()))
    return Fitted(net, losses, snaps, updates, epochs * n)


def train_mlp(x, y, hidden: int, n_out: int, lr: float, epochs: int, batch: int, seed: int) -> Fitted:
    return fit(MLP(x.shape[1], hidden, n_out), x, y, lr, epochs, batch, seed, 21)


def train_cnn(x, y, shape, filters: int, kernel: int, n_out: int, lr: float, epochs: int, batch: int, seed: int):
    return fit(CNN(shape, filters, kernel, n_out), x, y, lr, epochs, batch, seed, 22)


def train_autoencoder(xc, k: int, activation: str, lr: float, epochs: int, batch: int, seed: int) -> Fitted:
    return fit(Autoencoder(xc.shape[1], k, activation), xc, None, lr, epochs, batch, seed, 23)
