"""Backprop learners for sequence tasks: a feedforward control and torch.nn RNN / GRU / LSTM.

Every learner reads a sequence x (B, T, d_in) and answers at the last step with logits over
n_out classes. The recurrent nets are trained by backpropagation through time (BPTT, see
brainsim.working_memory.training); the feedforward MLP sees only the current (last) step, so it
has long-term knowledge in its weights but no short-term store.

Packing. G independent networks can run as ONE torch.nn module whose weight matrices are
block-diagonal (group g only sees its own inputs and its own hidden units):

    h_t = [h_t^(1), ..., h_t^(G)],   W = blockdiag(W^(1), ..., W^(G)).

Off-block weights start at zero and their gradients are masked to zero, so an elementwise
optimizer (Adam, SGD, momentum) never moves them; the loss is the sum of the groups' losses and
clipping is done per group, so each block follows the trajectory it would follow alone up to float
summation order: the read-out matmul and the bias-gradient reductions round differently with G
(measured: last-bit differences in the first step's gradients). That is not harmless here: with the
same data and initial weights, an RNN at delay 20 trained 30 steps in a module of 1, 3 or 5 networks
ends up to 2.8 apart in its logits (a GRU at delay 5: 8e-4). So the page's run trains every network
alone (G = 1), and a seed's result does not depend on what else runs; packing stays for the
benchmark, which measures what it would buy (tests: packed groups match separate networks to 1e-4
over a short run).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

KINDS = ("feedforward", "rnn", "gru", "lstm")
_GATES = {"rnn": 1, "gru": 3, "lstm": 4}  # stacked gate blocks in torch.nn weight rows
FORGET_BIAS = 1.0  # forget-gate bias 1 (Gers et al. 2000; Jozefowicz et al. 2015): LSTMs start remembering


def group_ids(rows: int, cols: int, row_group: torch.Tensor, col_group: torch.Tensor | None) -> torch.Tensor:
    """Group index of every weight entry, or -1 where the entry is off-block (rows x cols)."""
    if col_group is None:  # bias vector
        return row_group.clone()
    same = row_group[:, None] == col_group[None, :]  # (rows, cols)
    return torch.where(same, row_group[:, None].expand(rows, cols), torch.full((rows, cols), -1))


class PackedNet(nn.Module):
    """G independent `kind` networks (hidden size `hidden`) in one block-diagonal torch.nn module.

    forward(x) with x (B, T, G, d_in) returns logits (B, G, n_out) read at the last step;
    states(x) returns the hidden states (B, T, G, hidden) (for the feedforward net: its hidden
    layer applied to each step on its own).
    """

    def __init__(self, kind: str, n_groups: int, d_in: int, hidden: int, n_out: int, generators: list):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown learner kind {kind!r}")
        self.kind, self.g, self.d_in, self.hidden, self.n_out = kind, n_groups, d_in, hidden, n_out
        gh = n_groups * hidden
        if kind == "feedforward":
            self.body = nn.Linear(n_groups * d_in, gh)
        else:
            cls = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}[kind]
            self.body = cls(n_groups * d_in, gh, batch_first=True)
        self.readout = nn.Linear(gh, n_groups * n_out)
        unit_group = torch.arange(gh) // hidden  # (G*H,) group of each hidden unit
        in_group = torch.arange(n_groups * d_in) // d_in
        out_group = torch.arange(n_groups * n_out) // n_out
        gates = _GATES.get(kind, 1)
        row_group = unit_group.repeat(gates)  # gate blocks stacked along rows: [r; z; n] etc.
        gids = {}
        for name, p in self.body.named_parameters():
            cols = in_group if ("ih" in name or kind == "feedforward") else unit_group
            gids["body." + name] = group_ids(
                p.shape[0], p.shape[1] if p.dim() == 2 else 0, row_group, cols if p.dim() == 2 else None
            )
        gids["readout.weight"] = group_ids(n_groups * n_out, gh, out_group, unit_group)
        gids["readout.bias"] = out_group.clone()
        self._gid = gids
        self._gid_on: dict = {}  # device -> {name: gid} cache
        self.reset(generators)

    def reset(self, generators: list) -> None:
        """Uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) init per group from its own generator (torch.nn's
        default scale), zero off-block. Drawn with torch's uniform_(-s, s) rather than
        brainsim.torchkit.uniform_init: the same numbers up to the last bit, kept so results stay put."""
        fan = {"feedforward": self.d_in}.get(self.kind, self.hidden)
        with torch.no_grad():
            for name, p in self.named_parameters():
                gid = self._gid[name]
                s = 1.0 / math.sqrt(fan if name.startswith("body") else self.hidden)
                for g in range(self.g):  # loop over groups (seeds x conditions), not neurons
                    sel = gid == g
                    vals = torch.empty(int(sel.sum())).uniform_(-s, s, generator=generators[g])
                    p[sel] = vals.to(p.device)
                p[gid < 0] = 0.0
            if self.kind == "lstm":
                gh = self.g * self.hidden
                self.body.bias_ih_l0[gh : 2 * gh] = FORGET_BIAS  # rows [i; f; g; o]: the forget gate

    def gids(self, device: torch.device) -> dict[str, torch.Tensor]:
        """Group index of every parameter entry (-1 off-block), on `device`."""
        key = str(device)
        if key not in self._gid_on:
            self._gid_on[key] = {n: g.to(device) for n, g in self._gid.items()}
        return self._gid_on[key]

    def freeze(self, dead: torch.Tensor) -> None:
        """Zero the parameters of groups in bool mask `dead` (G,), so NaN cannot leak into other
        blocks through 0 * NaN in the shared matmuls."""
        with torch.no_grad():
            for name, p in self.named_parameters():
                gid = self.gids(p.device)[name]
                p[(gid < 0) | dead.to(p.device)[gid.clamp(min=0)]] = 0.0  # off-block stays exactly zero

    def nonfinite_groups(self) -> torch.Tensor:
        """bool (G,): groups with a NaN or inf anywhere in their weights."""
        dev = next(self.parameters()).device
        bad = torch.zeros(self.g, device=dev)
        for name, p in self.named_parameters():
            gid = self.gids(dev)[name]
            on = gid >= 0
            bad.index_add_(0, gid[on], (~torch.isfinite(p.detach()[on])).float())
        return bad > 0

    def parameter_count(self) -> int:
        """Trainable parameters of ONE group's network (what a single learner would have)."""
        return sum(int((gid == 0).sum()) for gid in self._gid.values())

    def _flat(self, x: torch.Tensor) -> torch.Tensor:
        b, t, g, d = x.shape
        return x.reshape(b, t, g * d)  # (B, T, G*d_in)

    def states(self, x: torch.Tensor) -> torch.Tensor:
        """Hidden states (B, T, G, H)."""
        b, t = x.shape[:2]
        if self.kind == "feedforward":
            h = torch.tanh(self.body(self._flat(x)))  # (B, T, G*H): each step on its own
        else:
            h, _ = self.body(self._flat(x))  # (B, T, G*H)
        return h.reshape(b, t, self.g, self.hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        if self.kind == "feedforward":
            last = torch.tanh(self.body(self._flat(x[:, -1:])))[:, 0]  # (B, G*H): sees only the current step
        else:
            out, _ = self.body(self._flat(x))  # (B, T, G*H)
            last = out[:, -1]  # (B, G*H)
        return self.readout(last).reshape(b, self.g, self.n_out)  # (B, G, C)

    def grad_masks(self, alive: torch.Tensor) -> list[tuple[nn.Parameter, torch.Tensor, torch.Tensor]]:
        """(parameter, drop, group) per parameter: drop (bool, its shape) marks the entries whose gradient
        is zeroed (off-block, or in a dead group), group (long, its shape) the group of each entry
        (off-block entries: 0, harmless as they are dropped). Computed when `alive` (G,) changes, not
        every step."""
        out = []
        for name, p in self.named_parameters():
            gid = self.gids(p.device)[name]
            group = gid.clamp(min=0)
            out.append((p, ~((gid >= 0) & alive[group]), group))
        return out

    def mask_and_clip_(self, clip: float, masks: list[tuple[nn.Parameter, torch.Tensor, torch.Tensor]]) -> torch.Tensor:
        """Zero off-block and dead-group gradients; clip each group's gradient norm to `clip`
        (0 = no clipping), like torch.nn.utils.clip_grad_norm_ applied to every network alone.
        `masks` comes from grad_masks(alive). Returns the per-group gradient norms before clipping (G,)."""
        sq = torch.zeros(self.g, device=masks[0][0].device)
        for p, drop, group in masks:
            if p.grad is None:
                continue
            p.grad.masked_fill_(drop, 0.0)  # NaN-safe, unlike multiplying by a 0/1 mask
            sq.index_add_(0, group.flatten(), p.grad.flatten().square())
        norm = sq.sqrt()  # (G,)
        if clip > 0:
            scale = (clip / (norm + 1e-6)).clamp(max=1.0)  # (G,)
            for p, _, group in masks:
                if p.grad is not None:
                    p.grad.mul_(scale[group])
        return norm
