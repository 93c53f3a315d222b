"""The standard forgetting functions, fitted by least squares with numpy alone (Levenberg-Marquardt from a
grid of starting points), compared by SSE and AIC.

Time t is in hours (the log law reads it in minutes, as Ebbinghaus did). Every model but the log law has
an amplitude; positive parameters are fitted as their logarithms, so a fit never leaves the model's domain.

    exponential          y = a e^{-t/tau}                                   (Ebbinghaus' curve as usually drawn)
    two-exponential      y = a e^{-t/tau_1} + b e^{-t/tau_2}                (two stores; Smith et al. 2006)
    power law            y = a t^{-b}                                        (Wixted & Ebbesen 1991)
    power-exponential    y = lam (1 + beta t)^{-psi} e^{-t/tau}             (Wickelgren 1974)
    log law              y = k / ((log10 t_min)^c + k)                       (Ebbinghaus 1885, ch. 7)

AIC = n ln(SSE / n) + 2 K with K = parameters + 1 (the residual variance), and AICc = AIC + 2K(K+1)/(n-K-1)
for few points (Hurvich & Tsai 1989); a law is fitted only to at least parameters + 3 points, so that AICc is
defined.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product

import numpy as np

Fn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (t_h (n,), natural params (p,)) -> y (n,)


def _log_law(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Ebbinghaus' b = k / ((log10 t)^c + k), t in minutes; log10 t below 0 (t < 1 min) counts as 0."""
    lg = np.maximum(np.log10(t * 60.0), 0.0)
    return p[0] / (lg ** p[1] + p[0])


@dataclass(frozen=True)
class Law:
    """One forgetting function: its natural parameters, which of them are positive (fitted as logs), a grid
    of starting points and the parameters it is linear in (amplitudes, solved for at each start)."""

    name: str
    params: tuple[str, ...]
    fn: Fn
    positive: tuple[bool, ...]
    starts: tuple[tuple[float, ...], ...]
    amplitudes: tuple[int, ...] = (0,)
    latex: str = ""

    def __call__(self, t: np.ndarray, p) -> np.ndarray:
        return self.fn(np.asarray(t, dtype=float), np.asarray(p, dtype=float))


_TAUS = tuple(float(x) for x in np.geomspace(0.05, 1e5, 13))  # hours
LAWS = (
    Law(
        "exponential",
        ("a", "tau_h"),
        lambda t, p: p[0] * np.exp(-t / p[1]),
        (True, True),
        tuple((1.0, tau) for tau in _TAUS),
        latex=r"a\,e^{-t/\tau}",
    ),
    Law(
        "two-exponential",
        ("a", "tau1_h", "b", "tau2_h"),
        lambda t, p: p[0] * np.exp(-t / p[1]) + p[2] * np.exp(-t / p[3]),
        (True, True, True, True),
        tuple((1.0, t1, 0.5, t2) for t1, t2 in product(_TAUS[::2], _TAUS[::2]) if t2 > 8 * t1),
        amplitudes=(0, 2),
        latex=r"a\,e^{-t/\tau_1} + b\,e^{-t/\tau_2}",
    ),
    Law(
        "power law",
        ("a", "b"),
        lambda t, p: p[0] * t ** -p[1],
        (True, False),
        tuple((1.0, b) for b in (0.0, 0.05, 0.1, 0.2, 0.4, 0.8)),
        latex=r"a\,t^{-b}",
    ),
    Law(
        "power-exponential",
        ("lambda", "beta_per_h", "psi", "tau_h"),
        lambda t, p: p[0] * (1.0 + p[1] * t) ** -p[2] * np.exp(-t / p[3]),
        (True, True, True, True),
        tuple(product((1.0,), (0.1, 1.0, 10.0, 100.0), (0.05, 0.2, 0.6), (1e2, 1e4, 1e6))),
        latex=r"\lambda\,(1 + \beta t)^{-\psi}\,e^{-t/\tau}",
    ),
    Law(
        "log law",
        ("k", "c"),
        _log_law,
        (True, True),
        tuple(product((0.3, 1.0, 3.0, 10.0), (0.5, 1.0, 1.5, 2.5))),
        amplitudes=(),
        latex=r"\frac{k}{(\log_{10} t_{\min})^{c} + k}",
    ),
)
LAW_NAMES = tuple(law.name for law in LAWS)


@dataclass(frozen=True)
class Fit:
    """A law fitted to n points: its natural parameters, SSE, AIC and AICc."""

    law: Law
    params: tuple[float, ...]
    sse: float
    n: int

    @property
    def k(self) -> int:
        return len(self.law.params) + 1  # the residual variance counts

    @property
    def aic(self) -> float:
        return self.n * math.log(max(self.sse, 1e-300) / self.n) + 2 * self.k

    @property
    def aicc(self) -> float:
        return self.aic + 2 * self.k * (self.k + 1) / (self.n - self.k - 1)

    def __call__(self, t) -> np.ndarray:
        return self.law(t, self.params)

    def describe(self) -> str:
        return ", ".join(f"{name} = {v:.4g}" for name, v in zip(self.law.params, self.params))


def _to_theta(law: Law, p) -> np.ndarray:
    return np.array([math.log(v) if pos else v for v, pos in zip(p, law.positive)])


LOG_BOUND = 30.0  # positive parameters stay within e^-30 .. e^30 (1e-13 .. 1e13): a fit at the bound is a limit


def _from_theta(law: Law, theta: np.ndarray) -> np.ndarray:
    return np.where(law.positive, np.exp(np.clip(theta, -LOG_BOUND, LOG_BOUND)), theta)


def _clip(law: Law, theta: np.ndarray) -> np.ndarray:
    return np.where(law.positive, np.clip(theta, -LOG_BOUND, LOG_BOUND), theta)


def _sse(law: Law, t: np.ndarray, y: np.ndarray, theta: np.ndarray) -> float:
    with np.errstate(all="ignore"):
        r = law(t, _from_theta(law, theta)) - y
        s = float(r @ r)
    return s if math.isfinite(s) else math.inf


def _start(law: Law, t: np.ndarray, y: np.ndarray, p: tuple[float, ...]) -> np.ndarray:
    """A starting point: the amplitudes least-squares optimal (at least 1e-6) for the start's other parameters."""
    p = np.array(p, dtype=float)
    if law.amplitudes:
        cols = []
        for i in law.amplitudes:  # the law with amplitude i = 1 and the others 0
            q = p.copy()
            q[list(law.amplitudes)] = 0.0
            q[i] = 1.0
            with np.errstate(all="ignore"):
                cols.append(law(t, q))
        basis = np.stack(cols, axis=1)
        if np.all(np.isfinite(basis)):
            p[list(law.amplitudes)] = np.maximum(np.linalg.lstsq(basis, y, rcond=None)[0], 1e-6)
    return _to_theta(law, p)


def levenberg_marquardt(law: Law, t: np.ndarray, y: np.ndarray, theta: np.ndarray, iters: int = 300) -> np.ndarray:
    """Minimise the SSE over theta (the law's fitted coordinates) by Levenberg-Marquardt with a central-
    difference Jacobian; deterministic."""
    mu, sse = 1e-3, _sse(law, t, y, theta)
    for _ in range(iters):
        p = _from_theta(law, theta)
        with np.errstate(all="ignore"):
            r = law(t, p) - y
            jac = np.empty((len(t), len(theta)))
            for j in range(len(theta)):
                h = 1e-6 * max(1.0, abs(theta[j]))
                up, dn = theta.copy(), theta.copy()
                up[j] += h
                dn[j] -= h
                jac[:, j] = (law(t, _from_theta(law, up)) - law(t, _from_theta(law, dn))) / (2 * h)
        if not (np.all(np.isfinite(jac)) and np.all(np.isfinite(r))):
            break
        jtj, g = jac.T @ jac, jac.T @ r
        while mu < 1e12:
            step = np.linalg.lstsq(jtj + mu * np.diag(np.diag(jtj) + 1e-12), -g, rcond=None)[0]
            step = _clip(law, theta + step) - theta
            new = _sse(law, t, y, theta + step)
            if new < sse:
                break
            mu *= 4.0
        if mu >= 1e12:
            break
        gain, theta, sse, mu = sse - new, theta + step, new, max(mu / 3.0, 1e-12)
        if gain <= 1e-15 * max(sse, 1e-30):
            break
    return theta


def fit(law: Law, t, y, refine: int = 3) -> Fit | None:
    """Least-squares fit of `law` to (t hours, y): every start of its grid evaluated, the `refine` best
    refined by Levenberg-Marquardt. None with fewer than parameters + 3 points (AICc undefined)."""
    t, y = np.asarray(t, dtype=float), np.asarray(y, dtype=float)
    if len(t) < len(law.params) + 3:
        return None
    starts = sorted((_start(law, t, y, p) for p in law.starts), key=lambda th: _sse(law, t, y, th))
    best = min((levenberg_marquardt(law, t, y, th) for th in starts[:refine]), key=lambda th: _sse(law, t, y, th))
    return Fit(law, tuple(float(v) for v in _from_theta(law, best)), _sse(law, t, y, best), len(t))


def fit_all(t, y) -> list[Fit]:
    """Every law that can be fitted to these points."""
    return [f for f in (fit(law, t, y) for law in LAWS) if f is not None]
