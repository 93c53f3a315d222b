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

Learning rules are small pure functions returning the proposed change H (S, N, N); `soft_bound`
limits the fast weight to |F| <= w_max (van Rossum, Bi & Turrigiano 2000).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from brainsim import runtime  # noqa: F401  (flushes subnormal floats: traces decayed over days reach them)

TINY = 1e-30  # decay factors below this zero a tensor instead of scaling it


def _decay_(x: torch.Tensor, factor: float) -> torch.Tensor:
    """x *= factor in place, or zero it when the factor is negligible."""
    return x.zero_() if factor < TINY else x.mul_(factor)


# --------------------------------------------------------------------------- learning rules


def _no_self(dw: torch.Tensor) -> torch.Tensor:
    """Zero the diagonal in place: an auto-associative net has no self-connections."""
    dw.diagonal(dim1=-2, dim2=-1).zero_()
    return dw


def hebb_covariance(post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Hebbian covariance rule (Sejnowski 1977; Tsodyks & Feigel'man 1988).

        dW_ij = eta (x_i - f)(x_j - f) / (N f (1 - f)),   i != j

    x_i in {0, 1} post (row) and x_j pre (column) rates, f the coding level (mean rate), N units.
    The 1/(N f (1-f)) scale makes one presentation of an item raise its own field gap by eta.
    post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = scale * (post - f).unsqueeze(-1) * (pre - f).unsqueeze(-2)  # (S, N, N) outer product
    return _no_self(dw)


def hebb_gated(post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Postsynaptically gated covariance rule: Hebb with heterosynaptic LTD (Levy & Steward 1979;
    Rolls & Treves 1998).

        dW_ij = eta x_i (x_j - f) / (N f (1 - f)),   i != j

    Only synapses onto active cells (x_i = 1) change: up from active inputs, down (heterosynaptic
    depression) from silent ones. Compared with the full covariance rule it drops the term
    -f (x_j - f), which depends on the presynaptic unit only: on a cue with k active units it adds
    the same amount to every unit's field (apart from each unit's own, absent, self-connection, a
    term of order 1/N), so k-winners-take-all recall hardly differs, while a presentation touches
    k rows instead of all N (see `active_rows` and `TwoTimescaleSynapse.write_rows`).
    post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = scale * post.unsqueeze(-1) * (pre - f).unsqueeze(-2)  # (S, N, N)
    return _no_self(dw)


def active_rows(x: torch.Tensor) -> torch.Tensor | None:
    """Sorted active units (S, k) of binary patterns x (S, N) when every seed has the same k, else None."""
    nz = (x > 0.5).nonzero()  # (S * k, 2), row-major: sorted per seed
    s = x.shape[0]
    if nz.shape[0] % s or not bool(((x == 0) | (x == 1)).all()):
        return None
    act = nz[:, 1].view(s, -1)
    return act if bool((nz[:, 0].view(s, -1) == torch.arange(s, device=x.device).unsqueeze(1)).all()) else None


def gated_rows(x: torch.Tensor, act: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """The rows i in `act` (S, k) of `hebb_gated(x, x, eta, f)`: (S, k, N); every other row is 0."""
    n = x.shape[-1]
    scale = eta / (n * f * (1.0 - f))
    dw = ((x - f) * scale).unsqueeze(1).expand(-1, act.shape[1], -1).clone()  # (S, k, N)
    return dw.scatter_(2, act.unsqueeze(-1), 0.0)  # no self-connections


def oja_rows(w_rows: torch.Tensor, x: torch.Tensor, act: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """The rows i in `act` (where y_i = 1) of `oja_clamped(w, x, x, eta, f)`, given those rows of w
    (S, k, N): dW_ij = eta ((x_j - f) / (N f (1 - f)) - W_ij). Every other row is 0."""
    n = x.shape[-1]
    xs = (x - f) / (n * f * (1.0 - f))  # (S, N)
    dw = (xs.unsqueeze(1) - w_rows).mul_(eta)  # (S, k, N)
    return dw.scatter_(2, act.unsqueeze(-1), 0.0)


def oja_clamped(w: torch.Tensor, post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> torch.Tensor:
    """Oja-normalised Hebb (Oja 1982) with clamped binary postsynaptic rates.

        dW_ij = eta y_i (x_j - y_i W_ij),   y_i = post rate in {0, 1},  x_j = (pre_j - f) / (N f (1 - f))

    The -eta y_i^2 W_ij term keeps each active row bounded: with y_i = 1 the row relaxes towards the
    (centred, scaled) presynaptic pattern, so new items overwrite old ones on shared rows (a palimpsest).
    w: (S, N, N); post, pre: (S, N) -> (S, N, N).
    """
    n = post.shape[-1]
    x = (pre - f) / (n * f * (1.0 - f))  # (S, N)
    y = post.unsqueeze(-1)  # (S, N, 1)
    dw = eta * y * (x.unsqueeze(-2) - y * w)  # (S, N, N)
    return _no_self(dw)


def three_factor(e: torch.Tensor, reward: torch.Tensor, baseline: torch.Tensor, eta: float) -> torch.Tensor:
    """Reward-modulated three-factor rule (Fremaux, Sprekeler & Gerstner 2010; Izhikevich 2007).

        dW_ij = eta (R - b) e_ij

    R reward delivered now (S,), b expected reward (running mean, S,), e eligibility (S, N, N).
    Learning works only while e still holds the coincidence, i.e. when tau_e spans the reward delay.
    """
    m = (reward - baseline).view(-1, 1, 1)  # (S, 1, 1) neuromodulator
    return eta * m * e


class Eligibility:
    """Eligibility traces e_ij of the three-factor rule, batched over seeds (S, N, N), with the
    postsynaptically gated coincidence of the default rule (`hebb_gated`, eta = 1):

        e <- e exp(-dt / tau_e) + x_i (x_j - f) / (N f (1 - f)),     dF = eta (R - b) e  on reward

    Stored lazily (e = a e~, decay is a scalar). The rows (postsynaptic cells) holding a trace are
    tracked, so a presentation writes k rows and a reward only the rows with a trace
    (`TwoTimescaleSynapse.write_rows`). Once everything has faded below float32's resolution of a
    fresh coincidence (2^-24) the trace is cleared.
    """

    RESOLUTION = 2.0**-24

    def __init__(self, n_seeds: int, n: int, tau_e: float, f: float, device: torch.device):
        self.e = torch.zeros((n_seeds, n, n), device=device)  # e~
        self.rows = torch.zeros(n, dtype=torch.bool, device=device)  # cells with a trace in any seed
        self.a, self.fade, self.tau_e, self.f = 1.0, 1.0, tau_e, f

    def advance(self, dt: float) -> None:
        decay = math.exp(-dt / self.tau_e)
        self.a *= decay
        self.fade *= decay  # decay since the latest (largest) coincidence
        if self.fade < self.RESOLUTION:
            self.e.index_fill_(1, self.rows.nonzero().squeeze(1), 0.0)
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
            self.rows |= (x > 0).any(0)
        else:
            flat = (act + n * torch.arange(s, device=x.device).unsqueeze(1)).reshape(-1)
            self.e.view(s * n, n).index_add_(0, flat, gated_rows(x, act, 1.0 / self.a, self.f).view(-1, n))
            self.rows[act.reshape(-1)] = True
        self.fade = 1.0

    def reward(self, synapse, reward: torch.Tensor, baseline: torch.Tensor, eta: float) -> None:
        """Write dF = eta (R - b) e into the synapse, rows with a trace only; reward, baseline (S,)."""
        idx = self.rows.nonzero().squeeze(1)  # (K,)
        if idx.numel() == 0:
            return
        act = idx.unsqueeze(0).expand(self.e.shape[0], -1)  # (S, K), the same rows in every seed
        synapse.write_rows(act, lambda rows: three_factor(self.e.index_select(1, idx), reward, baseline, eta * self.a))


def soft_bound(w: torch.Tensor, dw: torch.Tensor, w_max: float) -> torch.Tensor:
    """Soft bounds: dw_eff = dw (1 - sign(dw) w / w_max), clipped at 0, so |w| saturates at w_max.

    Saturation is what makes massed repetitions add little to the fast weight.
    """
    one = torch.ones((), dtype=w.dtype, device=w.device)
    room = torch.addcmul(one, torch.sign(dw), w, value=-1.0 / w_max).clamp_(min=0.0)  # (S, N, N)
    return room.mul_(dw)


def update_baseline(b: torch.Tensor, reward: torch.Tensor, rate: float) -> torch.Tensor:
    """Expected reward as a running mean: b <- b + rate (R - b)."""
    return b + rate * (reward - b)


# --------------------------------------------------------------------------- two-timescale synapse


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

    @property
    def weight(self) -> torch.Tensor:
        """Effective weight W = F + L, (S, N, N) (a new tensor)."""
        self._flush()
        return torch.mul(self._slow, self._al).add_(self._fast, alpha=self._af)

    # ---- dynamics
    def advance(self, dt: float) -> None:
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
        mag = df.abs()
        peak = mag.amax(dim=(-2, -1), keepdim=True).clamp_(min=1e-30)  # (S, 1, 1)
        torch.maximum(self._tag, mag.div_(peak * self._ag), out=self._tag)
        self._bounded = False
        return df

    def write_hebbian(self, post: torch.Tensor, pre: torch.Tensor, eta: float, f: float) -> None:
        """`write(hebb_covariance(post, pre, eta, f))` in a third of the passes over (S, N, N).

        With dW = s c_i c_j (c = x - f, s = eta / (N f (1 - f))) the soft-bounded change is
        dF = dW (1 - sgn(dW) F / w_max) = s c_i c_j - s |c_i| |c_j| F / w_max, never of the wrong
        sign while |F| <= w_max, which one such write with |dW| <= w_max preserves (checked).
        """
        n, w_max = post.shape[-1], self.p.w_max
        scale = eta / (n * f * (1.0 - f))
        cp, cq = post - f, pre - f  # (S, N)
        if not self._bounded or scale * float(cp.abs().max()) * float(cq.abs().max()) > w_max:
            self.write(hebb_covariance(post, pre, eta, f))
            self._bounded = bool(self._fast.abs().amax() * self._af <= w_max)
            return
        self.written += self._fast.numel()
        self._flush()
        af = self._af
        df = self._fast * (cp.abs() * (-scale * af / w_max)).unsqueeze(-1)  # (S, N, N) -|dW| F / w_max
        df.mul_(cq.abs().unsqueeze(-2)).addcmul_((scale * cp).unsqueeze(-1), cq.unsqueeze(-2))  # + dW
        _no_self(df)
        self._fast.add_(df, alpha=1.0 / af)
        mag = df.abs_()
        peak = mag.amax(dim=(-2, -1), keepdim=True).clamp_(min=1e-30)  # (S, 1, 1)
        torch.maximum(self._tag, mag.div_(peak * self._ag), out=self._tag)

    def write_rows(self, act: torch.Tensor, propose) -> None:
        """`write` for a change confined to the rows (postsynaptic cells) `act` (S, k), at O(k N) cost.

        `propose(F_rows)` gets those rows of the fast weight (S, k, N) and returns their proposed change.
        Exactly `write` of the full matrix that is zero elsewhere: the pending capture of these rows is
        applied first (other rows keep theirs: their g and F do not change), the rows are soft-bounded
        and tagged with the same g <- max(g, |dF| / max|dF|), and written back.
        """
        s, n, _ = self._fast.shape
        flat = (act + n * torch.arange(s, device=act.device).unsqueeze(1)).reshape(-1)  # rows of the (S*N, N) view
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
        """(F~, a_F, L~, a_L) with nothing pending: F = a_F F~ and L = a_L L~, for linear read-outs."""
        self._flush()
        return self._fast, self._af, self._slow, self._al

    def components(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(fast, slow) weights for read-out (plain tensors)."""
        self._fold()
        return self._fast, self._slow


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
            stages = int(min(12, max(2, 2 + round(math.log(tau_ltm / tau_stm, 4)))))
        self.m = stages
        self.w_max = w_max
        self.u = torch.zeros((stages, n_seeds, n, n), device=device)
        self.tag = None
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
