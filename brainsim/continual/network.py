"""One-hidden-layer MLP batched over seeds, with its backward pass and diagonal Fisher written out.

Parameters θ = (W1 (S, H, D), b1 (S, H), W2 (S, O, H), b2 (S, O)); every seed s is an independent network.
A batch carries per sample the task it comes from (S, B): its softmax spans only that task's outputs
(mask) and, with context-dependent gating, only that task's hidden units pass (gate).

    h = g ⊙ f(W1 x + b1),   z = W2 h + b2,   p = softmax over the task's outputs,   L = mean_b −log p_y
"""

from __future__ import annotations

import torch

from brainsim import runtime
from brainsim.torchkit import activate, activation_module, uniform_init

NEG = -1e9  # logit of an output outside the task's head


def init_params(seeds: list[int], d: int, h: int, o: int, device) -> list[torch.Tensor]:
    """torch.nn.Linear's fan-in initialisation, drawn per seed (the same start for every learner)."""
    per_seed = []
    for s in seeds:
        g = runtime.torch_generator(s, 0)
        per_seed.append(
            (uniform_init(g, (h, d), d), uniform_init(g, (h,), d), uniform_init(g, (o, h), h), uniform_init(g, (o,), h))
        )
    return [torch.stack([p[k] for p in per_seed]).to(device) for k in range(4)]


def forward(params, x, mask, gate=None, activation: str = "relu"):
    """x (S, B, D), mask (S, B, O) bool, gate (S, B, H) or None -> (logits z, hidden h, f'(a)·gate)."""
    w1, b1, w2, b2 = params
    a = torch.baddbmm(b1.unsqueeze(1), x, w1.transpose(1, 2))  # (S, B, H)
    h, dh = activate(a, activation)
    if gate is not None:
        h, dh = h * gate, dh * gate
    z = torch.baddbmm(b2.unsqueeze(1), h, w2.transpose(1, 2))  # (S, B, O)
    return z.masked_fill(~mask, NEG), h, dh


def grads(params, x, y, mask, gate=None, activation: str = "relu", weight=None):
    """Gradient of every network's weighted cross-entropy L = Σ_b w_b (−log p_{y_b}) (w: (S, B), rows summing
    to 1; None: the batch mean): ([gW1, gb1, gW2, gb2], loss (S,))."""
    z, h, dh = forward(params, x, mask, gate, activation)
    logp = torch.log_softmax(z, dim=-1)
    w = torch.full(y.shape, 1.0 / y.shape[1], device=x.device) if weight is None else weight
    loss = -(logp.gather(2, y.unsqueeze(-1)).squeeze(-1) * w).sum(1)  # (S,)
    d2 = logp.exp()
    d2.scatter_add_(2, y.unsqueeze(-1), -torch.ones_like(y, dtype=d2.dtype).unsqueeze(-1))
    d2 = d2 * w.unsqueeze(-1)  # (S, B, O): ∂L/∂z
    d1 = torch.bmm(d2, params[2]) * dh  # (S, B, H): ∂L/∂a
    return [torch.bmm(d1.transpose(1, 2), x), d1.sum(1), torch.bmm(d2.transpose(1, 2), h), d2.sum(1)], loss


def fisher(params, x, mask, gate=None, activation: str = "relu"):
    """Diagonal Fisher information of every seed's network on inputs x (S, n, D), the expectation over the
    network's own predictive distribution (Kirkpatrick et al. 2017), exact per sample:

        F_i = (1/n) Σ_n Σ_c p(c | x_n) (∂ log p(c | x_n) / ∂θ_i)²

    For a layer the per-sample gradient is an outer product δ xᵀ, so its square is δ² (x²)ᵀ: one matmul per
    class and layer instead of one backward pass per sample."""
    z, h, dh = forward(params, x, mask, gate, activation)
    p = torch.softmax(z, dim=-1)  # (S, n, O)
    n = x.shape[1]
    out = [torch.zeros_like(t) for t in params]
    x2, h2 = x * x, h * h
    for c in range(p.shape[-1]):
        w = p[..., c : c + 1].sqrt()  # (S, n, 1)
        d2 = p.clone()
        d2[..., c] -= 1.0
        d2 = d2 * w  # (S, n, O): √p_c · ∂(−log p_c)/∂z
        d1 = torch.bmm(d2, params[2]) * dh
        out[0] += torch.bmm((d1 * d1).transpose(1, 2), x2) / n
        out[1] += (d1 * d1).sum(1) / n
        out[2] += torch.bmm((d2 * d2).transpose(1, 2), h2) / n
        out[3] += (d2 * d2).sum(1) / n
    return out


def predict(params, x, mask, gate=None, activation: str = "relu") -> torch.Tensor:
    """The most probable output among the task's, without the backward pass's f'(a): (S, B)."""
    w1, b1, w2, b2 = params
    h = activation_module(activation)(torch.baddbmm(b1.unsqueeze(1), x, w1.transpose(1, 2)))
    if gate is not None:
        h = h * gate
    z = torch.baddbmm(b2.unsqueeze(1), h, w2.transpose(1, 2))
    return z.masked_fill(~mask, NEG).argmax(-1)
