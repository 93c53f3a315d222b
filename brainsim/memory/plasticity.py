"""The memory page's learning rules in the forms its synapses write: batched over seeds, centred and
scaled for sparse binary items, without self-connections, and, for the rules that change only the
synapses onto active cells, as the k changed rows. Each is tested equal to the reference rule in
brainsim.rules (the Hebbian family and the three-factor rule).

Shapes: post and pre rates (S, N) in {0, 1} with coding level f (mean rate); weights and changes
(S, N, N), row i = postsynaptic cell, column j = presynaptic; `act` (S, k) the active cells of an
item (`recall.active_rows`). The scale 1/(N f (1 - f)) makes one presentation of an item raise its
own field gap by eta.
"""

from __future__ import annotations

import math

import torch

from brainsim.memory.recall import active_rows, flat_rows
from brainsim.rules.three_factor import three_factor


def no_self(dw: torch.Tensor) -> torch.Tensor:
    """Zero the diagonal in place: an auto-associative net has no self-connections."""
    dw.diagonal(dim1=-2, dim2=-1).zero_()
    return dw


def hebb_covariance(post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Hebbian covariance rule (Sejnowski 1977; Tsodyks & Feigel'man 1988).

        dW_ij = eta (x_i - f)(x_j - f) / (N f (1 - f)),   i != j

    Hebb's rule on the centred rates x - f. post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = scale * (post - f).unsqueeze(-1) * (pre - f).unsqueeze(-2)  # (S, N, N) outer product
    return no_self(dw)


def hebb_gated(post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Postsynaptically gated covariance rule: Hebb with heterosynaptic LTD (Levy & Steward 1979;
    Rolls & Treves 1998).

        dW_ij = eta x_i (x_j - f) / (N f (1 - f)),   i != j

    Only synapses onto active cells (x_i = 1) change: up from active inputs, down (heterosynaptic
    depression) from silent ones. Compared with the full covariance rule it drops the term
    -f (x_j - f), which depends on the presynaptic unit only: on a cue with k active units it adds
    the same amount to every unit's field (apart from each unit's own, absent, self-connection, a
    term of order 1/N), so k-winners-take-all recall hardly differs, while a presentation touches
    k rows instead of all N (`gated_rows`). post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = scale * post.unsqueeze(-1) * (pre - f).unsqueeze(-2)  # (S, N, N)
    return no_self(dw)


def gated_rows(x: torch.Tensor, act: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """The rows i in `act` (S, k) of `hebb_gated(x, x, eta, f)`: (S, k, N); every other row is 0."""
    n = x.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = ((x - f) * scale).unsqueeze(1).expand(-1, act.shape[1], -1).clone()  # (S, k, N)
    return dw.scatter_(2, act.unsqueeze(-1), 0.0)  # no self-connections


def oja_clamped(w: torch.Tensor, post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Oja-normalised Hebb (Oja 1982) with clamped binary postsynaptic rates, each cell on its own row.

        dW_ij = eta y_i (x_j - y_i W_ij),   y_i = post rate in {0, 1},  x_j = (pre_j - f) / (N f (1 - f))

    The -eta y_i^2 W_ij term keeps each active row bounded: with y_i = 1 the row relaxes towards the
    (centred, scaled) presynaptic pattern, so new items overwrite old ones on shared rows (a palimpsest).
    w: (S, N, N); post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    x = (pre - f) / (n * f * (1.0 - f))  # (S, N)
    y = post.unsqueeze(-1)  # (S, N, 1)
    dw = eta * y * (x.unsqueeze(-2) - y * w)  # (S, N, N)
    return no_self(dw)


def oja_rows(w_rows: torch.Tensor, x: torch.Tensor, act: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """The rows i in `act` (where y_i = 1) of `oja_clamped(w, x, x, eta, f)`, given those rows of w
    (S, k, N): dW_ij = eta ((x_j - f) / (N f (1 - f)) - W_ij). Every other row is 0."""
    n = x.shape[-1]
    xs = (x - f) / (n * f * (1.0 - f))  # (S, N)
    dw = (xs.unsqueeze(1) - w_rows).mul_(eta)  # (S, k, N)
    return dw.scatter_(2, act.unsqueeze(-1), 0.0)


def soft_bound(w: torch.Tensor, dw: torch.Tensor, w_max: float) -> torch.Tensor:
    """Symmetric soft bounds on a proposed change dw of the weight w, w_min = -w_max:

        dw_eff = dw [1 - sgn(dw) w / w_max]_+  =  dw (w_max - w) / w_max   for dw > 0 (potentiation)
                                                  dw (w - w_min) / w_max   for dw < 0 (depression)

    weight-dependent in both directions, so |w| saturates at w_max: the multiplicative soft bounds of
    Rubin, Lee & Sompolinsky (2001), Fusi & Abbott (2007) and van Rossum, Shippi & Barrett (2012) (not van
    Rossum, Bi & Turrigiano 2000, whose potentiation is additive). Saturation is what makes massed
    repetitions add little to the fast weight. w, dw: same shape."""
    one = torch.ones((), dtype=w.dtype, device=w.device)
    room = torch.addcmul(one, torch.sign(dw), w, value=-1.0 / w_max).clamp_(min=0.0)  # (S, N, N)
    return room.mul_(dw)


class Eligibility:
    """Eligibility traces e_ij of the three-factor rule, batched over seeds (S, N, N), with the
    postsynaptically gated coincidence of the default rule (`hebb_gated`, eta = 1):

        e <- e exp(-dt / tau_e) + x_i (x_j - f) / (N f (1 - f)),     dF = eta (R - b) e  on reward

    (brainsim.rules.three_factor's eligibility_step and three_factor). Stored lazily (e = a e~, the
    decay is a scalar). The rows (postsynaptic cells) holding a trace are tracked per seed, so a
    presentation writes k rows and a reward only each seed's own rows with a trace
    (`TwoTimescaleSynapse.write_rows`): what a seed's synapses go through never depends on the other
    seeds. Once everything has faded below float32's resolution of a fresh coincidence (2^-24) the trace
    is cleared.
    """

    RESOLUTION = 2.0**-24

    def __init__(self, n_seeds: int, n: int, tau_e: float, f: float, device: torch.device):
        self.e = torch.zeros((n_seeds, n, n), device=device)  # e~
        self.rows = torch.zeros((n_seeds, n), dtype=torch.bool, device=device)  # cells with a trace, per seed
        self.a, self.fade, self.tau_e, self.f = 1.0, 1.0, tau_e, f

    def advance(self, dt: float) -> None:
        decay = math.exp(-dt / self.tau_e)
        self.a *= decay
        self.fade *= decay  # decay since the latest (largest) coincidence
        if self.fade < self.RESOLUTION:
            self.e.index_fill_(1, self.rows.any(0).nonzero().squeeze(1), 0.0)
            self.rows.zero_()
            self.a = self.fade = 1.0
        elif self.a < 1e-8:  # keep stored values well scaled
            self.e.mul_(self.a)
            self.a = 1.0

    def add(self, x: torch.Tensor) -> None:
        """Coincidence of a presented pattern x (S, N) in {0, 1}."""
        s, n = x.shape
        act = active_rows(x)
        if act is None:
            self.e.add_(hebb_gated(x, x, 1.0 / self.a, self.f))
            self.rows |= x > 0
        else:
            self.e.view(s * n, n).index_add_(0, flat_rows(act, n), gated_rows(x, act, 1.0 / self.a, self.f).view(-1, n))
            self.rows.scatter_(1, act, True)
        self.fade = 1.0

    def reward(self, synapse, reward: torch.Tensor, baseline: torch.Tensor, eta: float) -> None:
        """Write dF = eta (R - b) e into the synapse, each seed's rows with a trace only; reward, baseline (S,).
        Seeds with fewer such rows than the most repeat their first row: writing a row twice is exact."""
        s, n, _ = self.e.shape
        count = self.rows.sum(1)  # (S,)
        k = int(count.max())
        if k == 0:
            return
        order = torch.argsort((~self.rows).to(torch.int8), dim=1, stable=True)[:, :k]  # own rows first, sorted
        pad = torch.arange(k, device=order.device).unsqueeze(0) >= count.unsqueeze(1)  # (S, K)
        act = torch.where(pad, order[:, :1], order)  # (S, K)
        e_rows = self.e.view(s * n, n).index_select(0, flat_rows(act, n)).view(s, k, n)
        synapse.write_rows(act, lambda rows: three_factor(e_rows, reward, baseline, eta * self.a))
