"""The backprop twins of the brain-like net: a one-layer N -> N associative net with the same
connections, and an N -> H -> N autoencoder with about as many weights, trained by torch.optim on
the same presentations. Recall and trace strength read their field exactly as the synapses'
(brainsim.memory.recall).
"""

from __future__ import annotations

import copy
import math

import torch

from brainsim.memory.recall import active_rows, flat_rows, linear_field, n_active
from brainsim.runtime import torch_generator
from brainsim.torchkit import make_optimizer

# The torchkit optimizers these nets offer, with the weight-sized state buffers each keeps: all have
# elementwise state (seeds batched in one tensor stay independent); "sgd" takes sparse k-row gradients.
OPTIMIZER_STATE = {"sgd": 0, "momentum": 1, "adam": 2}
OPTIMIZERS = tuple(OPTIMIZER_STATE)
BACKPROP_MODELS = ("one-layer", "autoencoder")


class SeedSlices:
    """One seed of a net batched over seeds, for work that stops at a different point in each seed (training
    to a criterion): `single(s)` is a one-seed copy with a fresh optimizer, `put(s, one)` writes it back,
    `restart_optimizer()` starts the batched optimizer afresh. What a seed goes through then never depends
    on the others (torch.optim keeps one step count per tensor, shared by the seeds batched in it)."""

    NAMES: tuple[str, ...] = ()  # the parameter attributes, in `params` order
    params: list[torch.Tensor]
    optimizer: str
    lr: float

    def single(self, s: int):
        one = copy.copy(self)
        for name in self.NAMES:
            p = getattr(self, name)
            setattr(one, name, p[s : s + 1].detach().clone().requires_grad_(p.requires_grad))
        one.params = [getattr(one, name) for name in self.NAMES]
        one.restart_optimizer()
        one.fresh_buffers()
        return one

    def put(self, s: int, one) -> None:
        with torch.no_grad():
            for p, q in zip(self.params, one.params):
                p[s].copy_(q[0])

    def restart_optimizer(self) -> None:
        self.opt = make_optimizer(self.optimizer, self.params, self.lr)

    def fresh_buffers(self) -> None:
        """Allocate the net's own scratch buffers (a one-seed copy must not share the batched ones)."""


class BackpropAssociator(SeedSlices):
    """One-layer N -> N associative net h = W x (no self-connections, no bias: N(N-1) weights, the
    same connections as the synapse model), trained by torch.optim to map each item to its centred
    self, t = xi - f, with loss per item (N / k) * mean_i (h_i - t_i)^2 / 2. The N/k factor makes a
    plain SGD step with lr = 1 cancel the error on the item just shown, whatever N and f are.
    Batched over seeds: one (S, N, N) parameter; every optimizer here is elementwise, so seeds stay
    independent. Recall uses exactly the dynamics of `recall`.
    """

    def __init__(
        self,
        n_seeds: int,
        n: int,
        f: float,
        optimizer: str,
        lr: float,
        steps: int,
        device: torch.device,
    ):
        # Stored transposed, w[s, j, i] = W_ij (pre-major): the gradient of one item lives in the rows of
        # its k active inputs j, so plain SGD gets it as a sparse (rows) gradient and touches k N weights.
        self.w = torch.zeros((n_seeds, n, n), device=device, requires_grad=True)
        self.mask = 1.0 - torch.eye(n, device=device)  # (N, N) no self-connections
        self.f, self.k, self.steps = f, n_active(n, f), steps
        self.params, self.optimizer, self.lr = [self.w], optimizer, lr
        self.opt = make_optimizer(optimizer, self.params, lr)
        self.sparse = optimizer == "sgd"  # torch.optim.SGD without momentum takes sparse gradients

    NAMES = ("w",)

    @property
    def weight(self) -> torch.Tensor:
        """W (S, N, N), row i = postsynaptic (a view of the transposed storage)."""
        return (self.w * self.mask).detach().transpose(1, 2)

    def field(self, x: torch.Tensor) -> torch.Tensor:
        """h = W x on x (S, M, N) -> (S, M, N), the field `recall` and `strength` read."""
        return linear_field(self.weight)(x)

    def gradient(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """dLoss/dw in closed form for the one-layer net (equal to autograd's, see the tests), in the
        stored (pre-major) layout: dL/dw_sji = w_s (h_i - t_i) x_j / k for i != j, 0 for i = j.
        x: (S, N), weight: (S,)."""
        w = self.w.detach()
        h = torch.bmm(x.unsqueeze(1), w).squeeze(1) - w.diagonal(dim1=1, dim2=2) * x  # (S, N) field, no self
        err = (h - (x - self.f)) * (weight / self.k).unsqueeze(-1)  # (S, N)
        grad = x.unsqueeze(-1) * err.unsqueeze(-2)  # (S, N, N) outer product, [s, j, i]
        grad.diagonal(dim1=1, dim2=2).zero_()
        return grad

    def sparse_gradient(self, act: torch.Tensor, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """The same gradient as a sparse COO tensor holding only the k active input rows of w.
        act = `active_rows(x)` (S, k); x: (S, N) binary, weight: (S,)."""
        s, n = x.shape
        k = act.shape[1]
        flat = flat_rows(act, n)  # (S * k,) rows of the (S * N, N) view
        idx = torch.stack((flat // n, act.reshape(-1)))  # (2, S * k) COO indices (seed, input unit)
        rows = self.w.detach().reshape(s * n, n).index_select(0, flat).view(s, k, n)  # (S, k, N)
        h = rows.sum(1)  # (S, N) field h_i = sum_j W_ij x_j (the diagonal stays 0)
        err = (h - (x - self.f)) * (weight / self.k).unsqueeze(-1)  # (S, N)
        vals = err.unsqueeze(1).expand(s, k, n).clone().scatter_(2, act.unsqueeze(-1), 0.0)  # (S, k, N), no self
        return torch.sparse_coo_tensor(
            idx, vals.view(s * k, n), self.w.shape, is_coalesced=True, check_invariants=False
        )

    def loss(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """Autograd-able loss (reference for `gradient`): sum_s w_s (1/2k) ||W x - (x - f)||^2."""
        h = torch.bmm(x.unsqueeze(1), self.w * self.mask).squeeze(1)  # (S, N)
        return (weight * 0.5 * ((h - (x - self.f)) ** 2).sum(-1) / self.k).sum()

    def mean_loss(self, items: torch.Tensor) -> torch.Tensor:
        """(S,) unweighted loss of each seed averaged over its items (S, M, N) (training to criterion)."""
        with torch.no_grad():
            h = torch.bmm(items, self.w * self.mask)  # (S, M, N)
            return (0.5 * ((h - (items - self.f)) ** 2).sum(-1) / self.k).mean(-1)

    def train(self, x: torch.Tensor, weight: torch.Tensor) -> None:
        """`steps` torch.optim steps on one item per seed, x (S, N), with per-seed loss weights (S,).
        The gradient of this linear one-layer loss is computed in closed form (3x faster than autograd
        for these small steps) and handed to the optimizer through .grad; plain SGD gets it sparse."""
        act = active_rows(x) if self.sparse else None
        for _ in range(self.steps):
            self.w.grad = self.gradient(x, weight) if act is None else self.sparse_gradient(act, x, weight)
            self.opt.step()


def sigmoid_seeds_(z: torch.Tensor) -> torch.Tensor:
    """Sigmoid of z (S, ...) in place, one seed at a time. CPU kernels run whole SIMD blocks vectorised and
    the tail in scalar code, whose last bits differ: on the whole batch a seed's elements could fall in
    either, depending on how many seeds come before it. Per seed, a seed gets the same bits in any batch."""
    for zs in z:
        zs.sigmoid_()
    return z


def autoencoder_hidden(n: int) -> int:
    """Hidden units H of the N -> H -> N autoencoder whose weight count 2NH + H + N (weights and biases)
    is closest to the one-layer net's N(N-1): H = N(N-2) / (2N+1), about N/2."""
    return max(1, round(n * (n - 2) / (2 * n + 1)))


class BackpropAutoencoder(SeedSlices):
    """N -> H -> N autoencoder, y = sigmoid(V sigmoid(U x + a) + c), H = `autoencoder_hidden(N)` (about
    N/2, so it has about as many weights as the one-layer net's N(N-1)). Every item shares the same
    distributed hidden units, the setting of catastrophic interference (McCloskey & Cohen 1989; French
    1999). Trained by torch.optim to reproduce each item with the cross-entropy loss that matches a
    sigmoid output, (1/k) sum_i BCE(y_i, xi_i), weighted per seed, on gradients written out in `gradients`
    (equal to autograd's on `loss`): its error signal at the output pre-activation, (y - xi) / k, is the
    one-layer net's (h - t) / k. (With the squared error instead, the sigmoid slope <= 1/4 shrinks it, and
    at the shared lr the net barely learns the items.)
    Recall uses the output as the field: h = y(x) + sigma z, x <- kWTA(h), exactly as `recall`.

    Batched over seeds: parameters carry a leading seed axis S; every optimizer here is elementwise, so
    seeds stay independent. Initialisation, drawn per seed from `torch_generator(seed_s, 9, stream)`:
    U and a uniform +-sqrt(3/k), so a hidden unit's input U x has unit variance on items with k active units
    (LeCun's fan-in rule for these sparse inputs; +-1/sqrt(N), torch.nn.Linear's, gives every item
    nearly the same hidden code); V uniform +-1/sqrt(H); c = logit(f), so the untrained output is
    the coding level. (Drawn as U(-1, 1) * sqrt(bound^2), not by torchkit.uniform_init's division by
    sqrt(fan_in): the two differ in the last bit, and these weights fix the page's recorded results.)
    """

    def __init__(
        self,
        seeds: list[int],
        stream: int,
        n: int,
        f: float,
        optimizer: str,
        lr: float,
        steps: int,
        device: torch.device,
    ):
        h = autoencoder_hidden(n)
        shapes = ((n, h), (1, h), (h, n), (1, n))  # U^T (pre-major), a, V^T, c
        k = n_active(n, f)
        bounds = (3.0 / k, 3.0 / k, 1.0 / h, 1.0 / h)  # squared half-widths of the uniform draws
        per_seed = []
        for s in seeds:
            g = torch_generator(s, 9, stream)
            per_seed.append([(torch.rand(sh, generator=g) * 2 - 1) * b**0.5 for sh, b in zip(shapes, bounds)])
        self.u, self.a, self.v, self.c = (
            torch.stack([p[i] for p in per_seed]).to(device) for i in range(4)
        )  # (S, N, H), (S, 1, H), (S, H, N), (S, 1, N)
        self.c.fill_(math.log(f / (1.0 - f)))
        # No requires_grad: the gradients are written out (`gradients`) and set as .grad for torch.optim;
        # `loss` is the autograd reference the tests differentiate after switching requires_grad on.
        self.params = [self.u, self.a, self.v, self.c]
        self.f, self.k, self.steps, self.optimizer, self.lr = f, k, steps, optimizer, lr
        self.opt = make_optimizer(optimizer, self.params, lr)
        self.sparse = optimizer == "sgd"  # torch.optim.SGD without momentum takes sparse gradients
        self.fresh_buffers()

    NAMES = ("u", "a", "v", "c")

    def fresh_buffers(self) -> None:
        """dU and dV are rewritten in place each step: no fresh N x H allocation (and page faults) per step."""
        self._grad_u, self._grad_v = torch.empty_like(self.u.detach()), torch.empty_like(self.v.detach())

    def _out(self, x: torch.Tensor) -> torch.Tensor:
        hid = sigmoid_seeds_(torch.baddbmm(self.a, x, self.u))  # (S, M, H)
        return sigmoid_seeds_(torch.baddbmm(self.c, hid, self.v))  # (S, M, N)

    def field(self, x: torch.Tensor) -> torch.Tensor:
        """Output y on x (S, M, N) -> (S, M, N), the field `recall` and `strength` read."""
        with torch.no_grad():
            return self._out(x)

    @property
    def weight(self) -> torch.Tensor:
        """Effective N x N map of the two layers, V U (S, N, N), row i = output unit (for heatmaps only:
        the net is nonlinear)."""
        return torch.bmm(self.u, self.v).detach().transpose(1, 2)

    def loss(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        """sum_s w_s (1/k) sum_i BCE(y_i(x), x_i) on one item per seed, x (S, N), weights (S,).
        Computed from the output pre-activation z (BCE with logits) for numerical safety."""
        hid = torch.sigmoid(torch.baddbmm(self.a, x.unsqueeze(1), self.u))  # (S, 1, H)
        z = torch.baddbmm(self.c, hid, self.v).squeeze(1)  # (S, N)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(z, x, reduction="none").sum(-1)  # (S,)
        return (weight * bce / self.k).sum()

    def mean_loss(self, items: torch.Tensor) -> torch.Tensor:
        """(S,) unweighted `loss` of each seed averaged over its items (S, M, N) (training to criterion); the
        transcendentals run seed by seed (see `sigmoid_seeds_`)."""
        with torch.no_grad():
            z = torch.baddbmm(self.c, sigmoid_seeds_(torch.baddbmm(self.a, items, self.u)), self.v)  # (S, M, N)
            bce = [
                torch.nn.functional.binary_cross_entropy_with_logits(zs, xs, reduction="none")
                for zs, xs in zip(z, items)
            ]
            return (torch.stack(bce).sum(-1) / self.k).mean(-1)

    def gradients(self, x: torch.Tensor, weight: torch.Tensor, rows=None) -> list[torch.Tensor]:
        """dLoss/d(U, a, V, c) written out (equal to autograd's, see the tests), x (S, N), weights (S,):

            delta_o = w (y - x) / k          (S, 1, N)   error at the output pre-activation
            dV = hid^T delta_o,  dc = delta_o
            delta_h = (delta_o V^T) hid (1 - hid)        (S, 1, H)
            dU = x^T delta_h,    da = delta_h

        With `rows` = `flat_rows(active_rows(x), N)` (binary items) the forward pass reads only the k rows
        of U the item drives, and for plain SGD (which takes sparse gradients) dU is a sparse tensor of those
        rows, so the input layer costs k H instead of N H per step. Dense gradients land in buffers reused
        every step."""
        s, n = x.shape
        if rows is None:
            pre = torch.baddbmm(self.a.detach(), x.unsqueeze(1), self.u.detach())  # (S, 1, H)
        else:
            u_rows = self.u.detach().reshape(s * n, -1).index_select(0, rows)  # (S * k, H)
            pre = u_rows.view(s, -1, u_rows.shape[-1]).sum(1, keepdim=True).add_(self.a.detach())
        hid = sigmoid_seeds_(pre)  # (S, 1, H)
        v = self.v.detach()
        y = sigmoid_seeds_(torch.baddbmm(self.c.detach(), hid, v))  # (S, 1, N)
        d_o = (y - x.unsqueeze(1)).mul_((weight / self.k).view(-1, 1, 1))  # (S, 1, N)
        # (S, 1, H) as a row vector times V^T: exact per seed whatever S (bmm's gemv form, V d_o^T, is not)
        d_h = torch.bmm(d_o, v.transpose(1, 2)).mul_(hid * (1.0 - hid))
        d_v = torch.mul(hid.transpose(1, 2), d_o, out=self._grad_v)  # (S, H, N) outer product, reused buffer
        if rows is not None and self.sparse:  # dU as a sparse tensor of the k active rows (x_j = 1 there)
            idx = torch.stack((rows // n, rows % n))  # (2, S * k) indices (seed, unit)
            vals = d_h.expand(s, idx.shape[1] // s, d_h.shape[-1]).reshape(idx.shape[1], -1)  # (S * k, H)
            d_u = torch.sparse_coo_tensor(idx, vals, self.u.shape, is_coalesced=True, check_invariants=False)
        else:
            d_u = torch.mul(x.unsqueeze(-1), d_h, out=self._grad_u)  # (S, N, H), nonzero on active rows only
        return [d_u, d_h, d_v, d_o]

    def train(self, x: torch.Tensor, weight: torch.Tensor) -> None:
        """`steps` torch.optim steps on one item per seed, x (S, N), with per-seed loss weights (S,).
        The gradient is written out (`gradients`, about 3x faster than autograd at N = 2000) and handed to
        the optimizer through .grad."""
        act = active_rows(x)  # binary items: read and write only the k rows of U they drive
        rows = None if act is None else flat_rows(act, x.shape[1])
        for _ in range(self.steps):
            for p, g in zip(self.params, self.gradients(x, weight, rows)):
                p.grad = g
            self.opt.step()
