"""Hebbian fast weights: a decaying outer-product store written on the fly, no training at all.

A decaying hetero-associative correlation-matrix memory (Kohonen 1972, "Correlation matrix
memories") written through fixed random encoders: the outer-product write of fast-weight programmers
(Schmidhuber 1992) and of linear transformers (Schlag, Irie & Schmidhuber 2021, "Linear transformers
are secretly fast weight programmers"), with a decay. It is not the rule of Ba, Hinton, Mnih, Leibo &
Ionescu (2016), A <- lambda A + eta h h^T on a trained RNN's own hidden state h (auto-associative,
inside the slow network); their associative-retrieval task is the one it is measured on. At every
step t the store A (d x d) fades and takes in the outer product of the step's value and key (the rule
in brainsim.rules.fast_weights):

    A_t = lambda * A_{t-1} + eta * v_t k_t^T

    A       fast-weight matrix (d x d), A_0 = 0
    lambda  decay per step, 0 <= lambda <= 1 (1 = no forgetting)
    eta     write strength (Hebbian learning rate)
    k_t     key of step t   = E_k x_t^key    (d,)
    v_t     value of step t = E_v x_t^value  (d,)
    E_k,E_v fixed random encoders (d x n) with unit-norm columns: never trained

A query q = E_k x_query reads the store before the query step writes anything:

    r = A q + sigma * xi,    xi ~ N(0, I)          (sigma: read-out noise)
    y_hat = argmax_j c_j^T r,   c_j = E_v e_j      (the value codebook)

Unrolled, r = eta * sum_s lambda^(t-1-s) v_s (k_s^T q) + noise: a pair written `a` steps before
the query contributes eta * lambda^a times its value (its key matches, k^T q = 1), and every other
write adds crosstalk through the random overlap k_s^T q ~ N(0, 1/d). So the trace's signal decays
as lambda^delay and retrieval fails when it sinks below the crosstalk of newer writes or the noise.
"""

from __future__ import annotations

import torch

from brainsim.rules.fast_weights import fast_weight_update
from brainsim.runtime import torch_generator


def random_encoder(n_symbols: int, dim: int, seed: int, *stream: int) -> torch.Tensor:
    """Fixed random code: (dim, n_symbols) Gaussian matrix with unit-norm columns."""
    e = torch.randn(dim, n_symbols, generator=torch_generator(seed, 301, *stream))  # (d, n)
    return e / e.norm(dim=0, keepdim=True)


def store_snapshots(keys: torch.Tensor, values: torch.Tensor, lam: float, eta: float) -> torch.Tensor:
    """The reference rule (brainsim.rules.fast_weights) run over a sequence: keys (B, T, d_k),
    values (B, T, d_v) -> A after each step (B, T, d_v, d_k). For display and tests; `read` is the
    fast path."""
    b, t, dk = keys.shape
    a = torch.zeros(b, values.shape[-1], dk, dtype=keys.dtype, device=keys.device)
    out = []
    for s in range(t):  # a loop over time steps: the store is sequential by nature
        a = fast_weight_update(a, keys[:, s], values[:, s], lam, eta)
        out.append(a)
    return torch.stack(out, 1)  # (B, T, d_v, d_k)


def read(keys: torch.Tensor, values: torch.Tensor, query: torch.Tensor, lam, eta: float) -> torch.Tensor:
    """r = A_T q for the store written by steps 0..T-1, without forming A (the closed form of
    fast_weight_update, tested equal to it):
    r = eta * sum_s lambda^(T-1-s) v_s (k_s . q).  keys (B, T, d_k), values (B, T, d_v), query (B, d_k).

    lam: a float -> r (B, d_v); a sequence of L decays -> r (L, B, d_v), one read-out per lambda."""
    t = keys.shape[1]
    age = torch.arange(t - 1, -1, -1, dtype=keys.dtype, device=keys.device)  # (T,) steps since the write
    lams = torch.as_tensor(lam, dtype=keys.dtype, device=keys.device).reshape(-1, 1)  # (L, 1)
    decay = torch.where(age == 0, torch.ones_like(lams), lams**age)  # (L, T); 0^0 = 1
    match = torch.bmm(keys, query[:, :, None])[:, :, 0]  # (B, T) key overlap k_s . q
    weight = match[:, None, :] * decay[None]  # (B, L, T) eta-free write weights seen by the query
    r = eta * torch.bmm(weight, values).transpose(0, 1)  # (L, B, d_v)
    return r if isinstance(lam, (list, tuple)) else r[0]


class FastWeightReader:
    """Associative retrieval with an untrained Hebbian store, for the layouts of
    brainsim.working_memory.sequences.associative_retrieval.

    Keys encode the key and distractor blocks, values the value and distractor blocks, so a pair
    step writes c(value) e(key)^T and a distractor step writes an unrelated association; the query
    step (key + query flag, no value) reads before it writes.
    """

    def __init__(self, layout: dict, dim: int, lam: float, eta: float, noise: float, seed: int):
        self.lam, self.eta, self.noise, self.seed = lam, eta, noise, seed
        n_in = max(sl.stop for sl in layout.values())
        key_cols = torch.cat([torch.arange(n_in)[layout[b]] for b in ("key", "distractor")])
        val_cols = torch.cat([torch.arange(n_in)[layout[b]] for b in ("value", "distractor")])
        self.vocab = layout["key"].stop - layout["key"].start
        # fixed random codes, as (d, d_in) maps with zero columns for the blocks they ignore
        self.e_k = torch.zeros(dim, n_in)
        self.e_v = torch.zeros(dim, n_in)
        self.e_k[:, key_cols] = random_encoder(len(key_cols), dim, seed, 1)  # (d, V+M)
        self.e_v[:, val_cols] = random_encoder(len(val_cols), dim, seed, 2)  # (d, V+M)
        self.key_codes = self.e_k[:, layout["key"]]  # (d, V)
        self.value_codes = self.e_v[:, layout["value"]]  # (d, V): the codebook c_j
        self._maps = (self.e_k.T.contiguous(), self.e_v.T.contiguous())  # (d_in, d): contiguous is ~5x faster

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, d_in) one-hot -> keys (B, T, d), values (B, T, d) from the fixed encoders."""
        return x @ self._maps[0].to(x.device), x @ self._maps[1].to(x.device)  # (B, T, d) each

    def retrieve(self, x: torch.Tensor, lam=None, noise_stream: tuple = ()) -> torch.Tensor:
        """Read-out r = A q + sigma xi at the last (query) step, from the writes of every step before
        it: (B, d), or (L, B, d) for a list of L decays (the same noise for each). The noise xi is
        drawn from (seed, *noise_stream)."""
        lam = self.lam if lam is None else lam
        k, v = self.encode(x)  # (B, T, d) each
        r = read(k[:, :-1], v[:, :-1], k[:, -1], lam, self.eta)  # ([L,] B, d)
        if self.noise > 0:
            xi = torch.randn(r.shape[-2:], generator=torch_generator(self.seed, 302, *noise_stream))  # (B, d)
            r = r + self.noise * xi.to(r.device)
        return r

    def predict(self, x: torch.Tensor, lam=None, noise_stream: tuple = ()) -> torch.Tensor:
        """Decoded value ([L,] B): the codebook entry most similar to the read-out, argmax_j c_j . r."""
        r = self.retrieve(x, lam, noise_stream)  # ([L,] B, d)
        return (r @ self.value_codes.to(r.device)).argmax(-1)  # ([L,] B)

    def signal(self, x: torch.Tensor, y: torch.Tensor, lam=None) -> torch.Tensor:
        """Noise-free trace signal c_y . r / eta of the target value: lambda^age plus crosstalk.
        lam: a float -> (B,); a list of L decays -> (L, B)."""
        lam = self.lam if lam is None else lam
        k, v = self.encode(x)  # (B, T, d) each
        r = read(k[:, :-1], v[:, :-1], k[:, -1], lam, self.eta)  # ([L,] B, d)
        return (r * self.value_codes[:, y].T.to(r.device)).sum(-1) / self.eta  # ([L,] B)

    def association(self, a: torch.Tensor) -> torch.Tensor:
        """The store seen in symbol space: S[value j, key i] = c_j^T A e(key i); a (..., d, d) -> (..., V, V)."""
        return self.value_codes.T.to(a.device) @ a @ self.key_codes.to(a.device)  # (..., V, V)
