"""Two-timescale synapses: a fast short-term weight, a slow long-term weight, tags and capture.

Every synapse (i <- j) of a recurrent net carries, batched over seeds s (tensors (S, N, N)):

    F  fast weight (short-term memory), written by each presentation, decays with tau_stm
    L  slow weight (long-term memory), written only by capture, decays with tau_ltm >> tau_stm
    g  synaptic tag in [0, 1], set by a presentation in proportion to the change it made, decays with tau_tag
    p  plasticity-related proteins (PRP) of the postsynaptic cell i, (S, N, 1), set to 1 by a
       consolidation trigger (repetition or reward), decays with tau_p

Between events the state follows linear ODEs (synaptic tagging and capture, Frey & Morris 1997;
Clopath et al. 2008; fast/slow processes, Smith et al. 2006):

    dF/dt = -F / tau_stm          dg/dt = -g / tau_tag          dp/dt = -p / tau_p
    dL/dt = -L / tau_ltm + kappa * p * g * F                     (capture: tagged fast weight -> slow)

p g F is a single exponential with rate lam = 1/tau_stm + 1/tau_tag + 1/tau_p, so over an interval dt

    L(dt) = L0 e^{-dt/tau_ltm} + kappa p0 g0 F0 (e^{-lam dt} - e^{-dt/tau_ltm}) / (1/tau_ltm - lam)

in closed form: a schedule spanning days costs the same as one spanning seconds.

A second model, `ChainSynapse`, is a Benna & Fusi (2016) chain of m coupled variables
u_1..u_m; the visible weight is u_1 and deeper, larger, slower variables hold it up.

Both take proposed fast-weight changes from the rules in brainsim.memory.plasticity and soft-bound
them there (|F| <= w_max).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import torch

from brainsim.memory.plasticity import hebb_covariance, no_self, soft_bound
from brainsim.memory.recall import flat_rows

TINY = 1e-30  # decay factors below this zero a tensor instead of scaling it


def _decay_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """x *= factor in place, or zero it when the factor is negligible."""
    return x.zero_() if factor < TINY else x.mul_(factor)


def chain_stages(tau_stm: float, tau_ltm: float) -> int:
    """Stages m of a Benna-Fusi chain spanning tau_stm to tau_ltm (each stage ~4x slower), 2 to 12."""
    return int(min(12, max(2, 2 + round(math.log(tau_ltm / tau_stm, 4)))))


@dataclass(frozen=True)
class SynapseParams:
    """Time constants in seconds; kappa in 1/s; w_max the fast weight's soft bound (weight units)."""

    tau_stm: float
    tau_ltm: float
    tau_tag: float
    tau_p: float
    kappa: float  # capture rate; 0 switches consolidation off
    w_max: float


def capture_kernel(dt: float, lam: float, tau_ltm: float) -> float:
    """phi(dt) = (e^{-lam dt} - e^{-dt/tau_ltm}) / (1/tau_ltm - lam): slow-weight gain from p g F = 1 at t=0."""
    a = 1.0 / tau_ltm
    if abs(a - lam) < 1e-15:
        return dt * math.exp(-lam * dt)
    return (math.exp(-lam * dt) - math.exp(-a * dt)) / (a - lam)


class TwoTimescaleSynapse:
    """Fast/slow weights with synaptic tagging and capture, batched over seeds: tensors (S, N, N).

    Stored lazily: F = a_F F~, g = a_g g~, L = a_L L~ with scalar factors a (float64), so the decay
    between events costs nothing per synapse. Capture over an interval is the per-cell vector
    kappa phi(dt) p (S, N, 1) times g F; it is summed into a pending coefficient c and applied
    (L~ += c g~ F~) only when g~ or F~ are about to change or L is read. `fast`, `slow` and `tag`
    fold everything back (factors 1, nothing pending) and return the plain tensors.
    """

    RENORM = 1e-8  # fold a factor into its tensor below this, so stored values stay well scaled

    def __init__(self, n_seeds: int, n: int, params: SynapseParams, device: torch.device):
        shape = (n_seeds, n, n)
        self.p = params
        self._fast = torch.zeros(shape, device=device)  # F~
        self._slow = torch.zeros(shape, device=device)  # L~
        self._tag = torch.zeros(shape, device=device)  # g~
        self._af = self._al = self._ag = 1.0  # a_F, a_L, a_g
        self._pend: torch.Tensor | None = None  # (S, N, 1) pending capture coefficient, stored units
        self._bounded = True  # |F| <= w_max everywhere: the rank-1 Hebbian write needs no clamp
        self.prp = torch.zeros((n_seeds, n, 1), device=device)  # p, one per postsynaptic cell
        self._lam = 1.0 / params.tau_stm + 1.0 / params.tau_tag + 1.0 / params.tau_p
        self.written = 0  # synapses written by learning so far (all seeds), for the benchmark

    # ---- lazy bookkeeping
    def _flush(self) -> None:
        """Apply the pending capture: L~ += c g~ F~."""
        if self._pend is not None:
            self._slow.addcmul_(self._tag * self._pend, self._fast)  # (S, N, N)
            self._pend = None

    def _fold(self, threshold: float = 1.0) -> None:
        """Multiply every factor below `threshold` into its tensor (zero it when negligible)."""
        if min(self._af, self._ag, self._al) >= threshold:
            return
        self._flush()
        if self._af < threshold:
            _decay_(self._fast, self._af)
            self._af = 1.0
        if self._ag < threshold:
            _decay_(self._tag, self._ag)
            self._ag = 1.0
        if self._al < threshold:
            _decay_(self._slow, self._al)
            self._al = 1.0

    def _plain(self, x: torch.Tensor) -> torch.Tensor:
        self._fold()
        self._bounded = False  # the caller may write into it
        return x

    @property
    def fast(self) -> torch.Tensor:
        """F (S, N, N), plain tensor (writable)."""
        return self._plain(self._fast)

    @property
    def slow(self) -> torch.Tensor:
        """L (S, N, N), plain tensor (writable)."""
        return self._plain(self._slow)

    @property
    def tag(self) -> torch.Tensor:
        """g (S, N, N), plain tensor (writable)."""
        return self._plain(self._tag)

    def _slow_now(self) -> torch.Tensor:
        """L~ with the pending capture applied (a new tensor when one is pending), leaving the state as it is:
        reading never changes how the state is stored, so a seed's later bits do not depend on when (or
        whether) it was read."""
        if self._pend is None:
            return self._slow
        return torch.addcmul(self._slow, self._tag * self._pend, self._fast)  # the same sum `_flush` stores

    @property
    def weight(self) -> torch.Tensor:
        """Effective weight W = F + L, (S, N, N) (a new tensor)."""
        return torch.mul(self._slow_now(), self._al).add_(self._fast, alpha=self._af)

    # ---- dynamics
    def ahead(self, dt: float) -> TwoTimescaleSynapse:
        """The state dt seconds on, for reading only (`weight`, `parts`, `components`), this one unchanged:
        it shares the (S, N, N) tensors and copies the per-cell ones. A read-out thus never splits the
        intervals the state evolves over, so it does not change the later bits of any seed."""
        view = copy.copy(self)
        view.prp = self.prp.clone()
        view._pend = None if self._pend is None else self._pend.clone()
        view.advance(dt, fold=False)
        return view

    def advance(self, dt: float, fold: bool = True) -> None:
        """Closed-form evolution over dt seconds (see module docstring); O(N) work, not O(N^2)."""
        if dt <= 0:
            return
        p = self.p
        e_l = math.exp(-dt / p.tau_ltm)
        if p.kappa > 0 and bool(self.prp.any()):
            # L(dt) = e_l L + gain p g F  ->  L~ += gain p a_g a_F / (a_L e_l) g~ F~
            coef = p.kappa * capture_kernel(dt, self._lam, p.tau_ltm) * self._ag * self._af / (self._al * e_l)
            self._pend = self.prp * coef if self._pend is None else self._pend.add_(self.prp, alpha=coef)
        self._af *= math.exp(-dt / p.tau_stm)
        self._ag *= math.exp(-dt / p.tau_tag)
        self._al *= e_l
        _decay_(self.prp, math.exp(-dt / p.tau_p))
        if fold:
            self._fold(self.RENORM)

    def write(self, dw: torch.Tensor) -> torch.Tensor:
        """Apply a proposed fast-weight change (soft-bounded) and tag the synapses it changed.

        Tag g_ij <- max(g_ij, |dF_ij| / max_kl |dF_kl|): synapse-specific, graded by the change.
        Returns the applied change dF (S, N, N).
        """
        self.written += dw.numel()
        self._flush()
        if self._af != 1.0:  # the soft bound needs F itself
            _decay_(self._fast, self._af)
            self._af = 1.0
        df = soft_bound(self._fast, dw, self.p.w_max)
        self._fast.add_(df)
        self._tag_changed(df.abs())
        self._bounded = False
        return df

    def _tag_changed(self, mag: torch.Tensor) -> None:
        """g <- max(g, |dF| / max|dF|) per seed, given |dF| (S, N, N) (overwritten)."""
        peak = mag.amax(dim=(-2, -1), keepdim=True).clamp_(min=1e-30)  # (S, 1, 1)
        torch.maximum(self._tag, mag.div_(peak * self._ag), out=self._tag)

    def write_hebbian(self, post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> None:
        """`write(hebb_covariance(post, pre, eta, f))` in a third of the passes over (S, N, N).

        With dW = s c_i c_j (c = x - f, s = eta / (N f (1 - f))) the soft-bounded change is
        dF = dW (1 - sgn(dW) F / w_max) = s c_i c_j - s |c_i| |c_j| F / w_max where sgn(dW) F < w_max, else 0.
        While |F| <= w_max (`_bounded`: one such write with |dW| <= w_max preserves it) no synapse needs the
        clamp; otherwise the clamped synapses are zeroed, a no-op wherever none is, so every seed gets the
        same bits whatever the other seeds' weights are.
        """
        n, w_max = post.shape[-1], self.p.w_max
        scale = eta / (n * f * (1.0 - f))
        cp, cq = post - f, pre - f  # (S, N)
        small = scale * float(cp.abs().max()) * float(cq.abs().max()) <= w_max
        self.written += self._fast.numel()
        self._flush()
        af = self._af
        df = self._fast * (cp.abs() * (-scale * af / w_max)).unsqueeze(-1)  # (S, N, N) -|dW| F / w_max
        df.mul_(cq.abs().unsqueeze(-2)).addcmul_((scale * cp).unsqueeze(-1), cq.unsqueeze(-2))  # + dW
        if not (self._bounded and small):  # clamp: no change where sgn(dW) F > w_max (room 1 - sgn F / w_max < 0)
            over = (torch.sign(cp).unsqueeze(-1) * torch.sign(cq).unsqueeze(-2)).mul_(self._fast) > w_max / af
            df.masked_fill_(over, 0.0)
        no_self(df)
        self._fast.add_(df, alpha=1.0 / af)
        self._tag_changed(df.abs_())
        if not (self._bounded and small):
            self._bounded = small and bool(self._fast.abs().amax() * af <= w_max)

    def write_rows(self, act: torch.Tensor, propose) -> None:
        """`write` for a change confined to the rows (postsynaptic cells) `act` (S, k), at O(k N) cost.

        `propose(F_rows)` gets those rows of the fast weight (S, k, N) and returns their proposed change.
        Exactly `write` of the full matrix that is zero elsewhere: the pending capture of these rows is
        applied first (other rows keep theirs: their g and F do not change), the rows are soft-bounded
        and tagged with the same g <- max(g, |dF| / max|dF|), and written back.
        """
        s, n, _ = self._fast.shape
        flat = flat_rows(act, n)  # rows of the (S*N, N) view
        f2, g2, l2 = (x.view(s * n, n) for x in (self._fast, self._tag, self._slow))
        f_r, g_r = f2.index_select(0, flat), g2.index_select(0, flat)  # (S*k, N)
        if self._pend is not None:
            pend = self._pend.view(s * n, 1)
            l2.index_copy_(0, flat, l2.index_select(0, flat).addcmul_(g_r * pend.index_select(0, flat), f_r))
            pend.index_fill_(0, flat, 0.0)
        k = act.shape[1]
        self.written += s * k * n
        rows = f_r.view(s, k, n) * self._af  # plain F rows
        df = soft_bound(rows, propose(rows), self.p.w_max)  # (S, k, N)
        f2.index_copy_(0, flat, f_r.add_(df.view(s * k, n), alpha=1.0 / self._af))
        mag = df.abs_()
        peak = mag.amax(dim=(-2, -1), keepdim=True).clamp_(min=1e-30)  # (S, 1, 1)
        g2.index_copy_(0, flat, torch.maximum(g_r, mag.div_(peak * self._ag).view(s * k, n)))
        self._bounded = False

    def trigger(self, cells: torch.Tensor) -> None:
        """Consolidation trigger: PRP synthesis (p = 1) in the given postsynaptic cells, cells (S, N) in {0, 1}."""
        torch.maximum(self.prp, cells.unsqueeze(-1), out=self.prp)

    def parts(self) -> tuple[torch.Tensor, float, torch.Tensor, float]:
        """(F~, a_F, L~, a_L), pending capture included: F = a_F F~ and L = a_L L~, for linear read-outs
        (not to be written; the state is left as it is)."""
        return self._fast, self._af, self._slow_now(), self._al

    def components(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(fast, slow) weights for read-out, as new tensors (the state is left as it is)."""
        return self._fast * self._af, self._slow_now() * self._al


class ChainSynapse:
    """Benna & Fusi (2016) chain: C_k du_k/dt = g_{k-1,k}(u_{k-1} - u_k) + g_{k,k+1}(u_{k+1} - u_k).

    C_k = 2^{k-1} (growing capacities), g_{k,k+1} = 2^{-2(k-1)} / tau_stm (shrinking couplings), so each
    stage is ~4x slower than the one before; the last stage leaks with C_m / tau_ltm. The visible weight
    is u_1 (written by learning); deeper stages store it for longer and give power-law-like forgetting.
    Evolution over dt is exact: u(t + dt) = expm(A dt) u(t), with A the m x m chain matrix.
    State u: (m, S, N, N).
    """

    def __init__(
        self,
        n_seeds: int,
        n: int,
        tau_stm: float,
        tau_ltm: float,
        w_max: float,
        device: torch.device,
        stages: int | None = None,
    ):
        if stages is None:
            stages = chain_stages(tau_stm, tau_ltm)
        self.m = stages
        self.w_max = w_max
        self.u = torch.zeros((stages, n_seeds, n, n), device=device)
        c = torch.tensor([2.0**k for k in range(stages)], dtype=torch.float64)
        g = torch.tensor([2.0 ** (-2 * k) / tau_stm for k in range(stages)], dtype=torch.float64)
        g[-1] = c[-1] / tau_ltm if stages > 1 else 1.0 / tau_stm  # leak of the last stage
        a = torch.zeros((stages, stages), dtype=torch.float64)
        for k in range(stages):
            if k > 0:
                a[k, k - 1] += g[k - 1]
                a[k, k] -= g[k - 1]
            if k < stages - 1:
                a[k, k + 1] += g[k]
                a[k, k] -= g[k]
            else:
                a[k, k] -= g[k]  # leak to zero
        self.a = a / c.unsqueeze(1)  # du/dt = A u
        self.written = 0
        self._cache: dict[float, torch.Tensor] = {}

    @property
    def weight(self) -> torch.Tensor:
        return self.u[0]

    def ahead(self, dt: float) -> ChainSynapse:
        """The state dt seconds on, for reading only; this one unchanged (see `TwoTimescaleSynapse.ahead`)."""
        view = copy.copy(self)
        view.advance(dt)  # assigns a new u: self.u is untouched
        return view

    def advance(self, dt: float) -> None:
        if dt <= 0:
            return
        m = self._cache.get(dt)
        if m is None:
            m = torch.linalg.matrix_exp(self.a * dt).to(self.u.dtype).to(self.u.device)
            if len(self._cache) < 256:
                self._cache[dt] = m
        self.u = torch.einsum("kl,lsij->ksij", m, self.u)  # (m, S, N, N)

    def write(self, dw: torch.Tensor) -> torch.Tensor:
        self.written += dw.numel()
        df = soft_bound(self.u[0], dw, self.w_max)
        self.u[0].add_(df)
        return df

    def write_hebbian(self, post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> None:
        self.write(hebb_covariance(post, pre, eta, f))

    def write_rows(self, act: torch.Tensor, propose) -> None:
        """Row-confined change (see `TwoTimescaleSynapse.write_rows`), written densely: the chain couples
        every stage of every synapse anyway."""
        s, k = act.shape
        idx = act.unsqueeze(-1).expand(s, k, self.u.shape[-1])
        dw = torch.zeros_like(self.u[0]).scatter_(1, idx, propose(self.u[0].gather(1, idx)))
        self.write(dw)

    def trigger(self, cells: torch.Tensor) -> None:
        """No trigger in the chain: consolidation is the coupling itself."""

    def components(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(visible u_1, deepest stage u_m)."""
        return self.u[0], self.u[-1]
