"""Backprop networks for the arena: an MLP and a small CNN, trained by torch.autograd and an
optimizer from brainsim.torchkit ("gd" is SGD on the whole training set: the race sets the batch)."""

from __future__ import annotations

import torch
from torch import nn

from brainsim.arena.learners.base import Learner, Spec, loss_value, output_error
from brainsim.runtime import torch_generator
from brainsim.torchkit import activate, activation_module, make_optimizer, uniform_init


def _uniform_init(layer: nn.Module, g: torch.Generator) -> None:
    """Re-draw a layer's weight and bias from the seeded generator, in the layer's fan-in range."""
    fan_in = layer.weight[0].numel()
    with torch.no_grad():
        for p in (layer.weight, layer.bias):
            p.copy_(uniform_init(g, p.shape, fan_in))


def _optimizer(spec: Spec, params) -> torch.optim.Optimizer:
    # foreach=False: for a handful of tiny tensors the plain per-tensor loop is fastest
    return make_optimizer(spec.optimizer, params, spec.lr, spec.weight_decay, foreach=False)


class _Backprop(Learner):
    """Gradient descent on the loss ℓ through every layer: w ← optimizer(w, ∂ℓ/∂w) (Rumelhart,
    Hinton & Williams 1986)."""

    def _setup(self, net: nn.Module, spec: Spec):
        self.spec = spec
        self.net = net
        self.opt = _optimizer(spec, net.parameters())

    def to(self, device):
        self.net.to(device)
        self.opt = _optimizer(self.spec, self.net.parameters())
        return self

    def scores(self, x):
        with torch.no_grad():
            return self.net(x)

    def step(self, x, t, y):
        with torch.enable_grad():
            self.opt.zero_grad(set_to_none=True)
            z = self.net(x)  # (B, C)
            loss = (
                nn.functional.cross_entropy(z, y)
                if self.spec.loss == "cross-entropy"
                else loss_value(z, t, self.spec.loss)
            )
            loss.backward()
            self.opt.step()
        self.updates += 1

    def parameters(self):
        return [p.detach() for p in self.net.parameters()]


class BackpropMLP(_Backprop):
    """MLP with `hidden_layers` layers of H units; the first and last layers start from the shared
    W1 and W2, so with one hidden layer it starts exactly where the local learners start."""

    name = "backprop mlp"

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        layers, width = [], spec.n_in
        for _ in range(spec.hidden_layers):
            layers += [nn.Linear(width, spec.hidden), activation_module(spec.activation)]
            width = spec.hidden
        layers.append(nn.Linear(width, spec.n_out))
        net = nn.Sequential(*layers)
        g = torch_generator(seed, 6)
        linears = [m for m in net if isinstance(m, nn.Linear)]
        with torch.no_grad():
            for lin in linears[1:-1]:  # middle layers have no shared twin
                _uniform_init(lin, g)
            linears[0].weight.copy_(init["W1"])
            linears[0].bias.copy_(init["b1"])
            linears[-1].weight.copy_(init["W2"])
            linears[-1].bias.copy_(init["b2"])
        self._setup(net, spec)
        self._flatten()

    def _flatten(self) -> None:
        """Alias every weight and bias into one flat parameter, so the optimizer makes one
        element-wise update per step instead of one per tensor (same arithmetic: every torch.optim
        rule used here is element-wise). Per-step overhead dominates for nets this small."""
        params = list(self.net.parameters())
        self.flat = nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
        self.flat.grad = torch.zeros_like(self.flat)
        self.grads, offset = [], 0
        for p in params:
            n = p.numel()
            p.data = self.flat.data[offset : offset + n].view_as(p)  # the module now reads the flat buffer
            self.grads.append(self.flat.grad[offset : offset + n].view_as(p))
            offset += n
        self.linears = [m for m in self.net if isinstance(m, nn.Linear)]
        self.opt = _optimizer(self.spec, [self.flat])

    def to(self, device):
        self.net.to(device)
        self._flatten()
        return self

    def step(self, x, t, y):
        """Backpropagation written out for the MLP (what autograd computes, without building a graph):
        e_L = ∂ℓ/∂z = (softmax(z) − t)/B or (z − t)/B;  ∂ℓ/∂W_l = e_lᵀ h_(l−1);  e_(l−1) = (e_l W_l) ⊙ f'(a_(l−1)).
        A test checks it against autograd."""
        with torch.no_grad():
            self._backward(x, t)
        self.opt.step()
        self.updates += 1

    def _backward(self, x, t) -> None:
        """Fill the flat gradient buffer with ∂ℓ/∂θ for the batch (x, t)."""
        hs, slopes = [x], []
        for lin in self.linears[:-1]:
            h, slope = activate(torch.addmm(lin.bias, hs[-1], lin.weight.T), self.spec.activation)  # (B, H)
            hs.append(h)
            slopes.append(slope)
        last = self.linears[-1]
        z = torch.addmm(last.bias, hs[-1], last.weight.T)  # (B, C)
        e = output_error(z, t, self.spec.loss) / x.shape[0]  # (B, C)
        for i in range(len(self.linears) - 1, -1, -1):
            gw, gb = self.grads[2 * i], self.grads[2 * i + 1]
            torch.mm(e.T, hs[i], out=gw)  # (out, in)
            torch.sum(e, dim=0, out=gb)
            if i:
                e = (e @ self.linears[i].weight) * slopes[i - 1]  # (B, H)

    def features(self):
        return self.net[0].weight.detach()


class SmallCNN(_Backprop):
    """conv 3×3 (8) → f → maxpool 2 → conv 3×3 (16) → f → maxpool 2 → dense H → f → dense C."""

    name = "cnn"

    def __init__(self, spec: Spec, init: dict, seed: int):
        super().__init__()
        h, w = spec.image_shape
        self.image_shape = (h, w)
        act = spec.activation
        net = nn.Sequential(
            nn.Unflatten(1, (1, h, w)),
            nn.Conv2d(1, 8, 3, padding=1),
            activation_module(act),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            activation_module(act),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * (h // 4) * (w // 4), spec.hidden),
            activation_module(act),
            nn.Linear(spec.hidden, spec.n_out),
        )
        g = torch_generator(seed, 7)
        for m in net:
            if isinstance(m, (nn.Linear, nn.Conv2d)):
                _uniform_init(m, g)
        with torch.no_grad():  # the readout has the shared W2's shape
            net[-1].weight.copy_(init["W2"])
            net[-1].bias.copy_(init["b2"])
        self._setup(net, spec)

    def features(self):
        return self.net[1].weight.detach().flatten(1)  # (8, 9): 3×3 filters
