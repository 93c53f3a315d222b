"""Sequential training of every learner on every seed's task stream, as one batch of networks.

Network i = l·S + s is learner l on seed s: all start from seed s's weights and see seed s's minibatches of
the current task (tasks.batch_order); learners.py says what each one adds. One optimizer step moves every
network at once (every operation is per network, so a network's numbers never depend on the others).
Test accuracy on every task is measured at EVALS_PER_TASK points during each task, and after each task it
fills the accuracy matrix R[i, j] (test accuracy on task j after training task i).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from brainsim.continual import learners as L
from brainsim.continual import network
from brainsim.continual.tasks import Stream, batch_order
from brainsim.torchkit import make_optimizer

EVALS_PER_TASK = 5


@dataclass
class Trained:
    """Every learner's results over seeds S and tasks T."""

    names: list[str]
    matrix: np.ndarray  # (L, S, T, T): R[l, s, i, j]
    curve: list[tuple] = field(default_factory=list)  # (learner, seed index, step, training task, task, accuracy)
    diverged: np.ndarray | None = None  # (L, S) bool
    steps: int = 0
    train_s: float = 0.0
    eval_s: float = 0.0
    consolidate_s: float = 0.0


def steps_per_epoch(n: int, batch: int) -> int:
    return n // batch


class Runner:
    """The state of all L × S networks and what each learner keeps."""

    def __init__(self, cfg, stream: Stream, seeds: list[int], names: list[str], init):
        self.cfg, self.stream, self.seeds, self.names = cfg, stream, seeds, names
        s, t, n = stream.x_train.shape[:3]
        self.S, self.T, self.n, nl = s, t, n, len(names)
        dev = init[0].device
        self.params = [torch.cat([p] * nl) for p in init]  # (L·S, ...)
        self.opt = make_optimizer(cfg.optimizer, self.params, cfg.lr)
        self.seed_of = torch.arange(nl * s, device=dev) % s  # (N,)
        self.xflat = stream.x_train.reshape(s, t * n, -1)
        self.yflat = stream.y_train.reshape(s, t * n)
        self.sl = {name: slice(i * s, (i + 1) * s) for i, name in enumerate(names)}
        self.quad = any(k in names for k in ("ewc", "online ewc", "synaptic intelligence"))
        if self.quad:
            self.a = [torch.zeros_like(p) for p in self.params]
            self.b = [torch.zeros_like(p) for p in self.params]
        if "synaptic intelligence" in names:
            sl = self.sl["synaptic intelligence"]
            self.omega = [torch.zeros_like(p[sl]) for p in self.params]
            self.big_omega = [torch.zeros_like(p[sl]) for p in self.params]
            self.start = [p[sl].clone() for p in self.params]
        if "multi-timescale synapses" in names:
            self.chain = L.chain_step_matrix(cfg.chain_tau, cfg.chain_stages, init[0].dtype, dev)
            sl = self.sl["multi-timescale synapses"]
            self.deep = [p[sl].unsqueeze(0).repeat(cfg.chain_stages - 1, *[1] * p.dim()) for p in self.params]
        self.gate_all = None
        if "context gating" in names:
            g = torch.ones((nl * s, t, cfg.hidden), device=dev)
            g[self.sl["context gating"]] = torch.as_tensor(
                np.stack([L.gates(sd, t, cfg.hidden, cfg.gate_keep) for sd in seeds]), device=dev
            )
            self.gate_all = g
        self.buffers = [L.Reservoir(sd, cfg.buffer_size) for sd in seeds] if "replay" in names else []
        m = stream.x_test.shape[2]
        self.test_x = stream.x_test.reshape(s, t * m, -1)[self.seed_of]  # (N, T·m, D)
        self.test_y = stream.y_test.reshape(s, t * m)[self.seed_of]
        self.test_tid = torch.arange(t, device=dev).repeat_interleave(m).expand(nl * s, -1)
        self.test_shape = (nl, s, t, m)

    def gate(self, tid: torch.Tensor) -> torch.Tensor | None:
        if self.gate_all is None:
            return None
        return self.gate_all[torch.arange(tid.shape[0], device=tid.device).unsqueeze(1), tid]

    def evaluate(self) -> np.ndarray:
        """Test accuracy of every network on every task: (L, S, T)."""
        with torch.no_grad():
            guess = network.predict(
                self.params,
                self.test_x,
                self.stream.masks[self.test_tid],
                self.gate(self.test_tid),
                self.cfg.activation,
            )
            right = (guess == self.test_y).float().reshape(self.test_shape)
        return right.mean(-1).cpu().numpy()

    def epoch_batches(self, t: int, e: int):
        """Every network's minibatches of one epoch as (flat example index, task), each (N, k, B), and the
        replay learner's buffered minibatches (S, k, B) (None before the buffer holds anything)."""
        b = self.cfg.batch_size
        k = steps_per_epoch(self.n, b)
        base = np.stack([batch_order(sd, t, e, self.n, b) for sd in self.seeds])  # (S, k, B)
        tids, exs = [], []
        for name in self.names:
            tid, ex = np.full_like(base, t), base
            if name == "joint":
                drawn = [L.joint_batches(sd, t, e, self.n, k, b) for sd in self.seeds]
                tid, ex = np.stack([d[0] for d in drawn]), np.stack([d[1] for d in drawn])
            tids.append(tid)
            exs.append(ex)
        replay = None
        if self.buffers and t > 0:
            drawn = [buf.draw(t, e, k, b) for buf in self.buffers]
            replay = self._flat(np.stack([d[0] for d in drawn]), np.stack([d[1] for d in drawn]))
        return self._flat(np.concatenate(tids), np.concatenate(exs)), replay

    def _flat(self, tid: np.ndarray, ex: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        tid_t = torch.as_tensor(tid, device=self.xflat.device)
        return tid_t * self.n + torch.as_tensor(ex, device=self.xflat.device), tid_t

    def _grads(self, flat: torch.Tensor, tid: torch.Tensor, rows: torch.Tensor, params) -> list[torch.Tensor]:
        x, y = self.xflat[rows, flat], self.yflat[rows, flat]
        return network.grads(params, x, y, self.stream.masks[tid], self.gate(tid), self.cfg.activation)[0]

    def step(self, batch: tuple[torch.Tensor, torch.Tensor], replay: tuple[torch.Tensor, torch.Tensor] | None) -> None:
        """One optimizer step of every network on its minibatch (flat, tid: (N, B)); the replay learner's
        gradient is the mean of its current and its buffered minibatch's."""
        g = self._grads(*batch, self.seed_of.unsqueeze(1), self.params)
        if replay is not None:
            sl = self.sl["replay"]
            g_old = self._grads(*replay, self.seed_of[sl].unsqueeze(1), [p[sl] for p in self.params])
            for gi, go in zip(g, g_old):
                gi[sl] = (gi[sl] + go) / 2
        old = [p.clone() for p in self.params] if hasattr(self, "omega") else None
        for i, p in enumerate(self.params):
            p.grad = g[i] + self.a[i] * p - self.b[i] if self.quad else g[i]
        self.opt.step()
        if old is not None:  # SI's path integral, on the task loss's gradient alone
            sl = self.sl["synaptic intelligence"]
            for om, p, o, gi in zip(self.omega, self.params, old, g):
                om.sub_(gi[sl] * (p[sl] - o[sl]))
        if hasattr(self, "deep"):
            sl = self.sl["multi-timescale synapses"]
            for p, deep in zip(self.params, self.deep):
                u = torch.einsum("kl,l...->k...", self.chain, torch.cat([p[sl].unsqueeze(0), deep]))
                p[sl] = u[0]
                deep.copy_(u[1:])

    def end_task(self, t: int) -> None:
        """Consolidate: Fisher for (online) EWC, importance for SI, the task into the replay buffer."""
        cfg, p = self.cfg, self.params
        for name in ("ewc", "online ewc"):
            if name in self.sl:
                sl = self.sl[name]
                x = self.stream.x_train[:, t]  # (S, n, D)
                mask = self.stream.masks[t].expand(x.shape[0], x.shape[1], -1)
                f = network.fisher([q[sl] for q in p], x, mask, None, cfg.activation)
                for i in range(len(p)):
                    if name == "ewc":
                        self.a[i][sl], self.b[i][sl] = L.ewc_update(
                            self.a[i][sl], self.b[i][sl], f[i], p[i][sl], cfg.ewc_lambda
                        )
                    else:
                        self.a[i][sl], self.b[i][sl] = L.online_ewc_update(
                            self.a[i][sl], self.b[i][sl], f[i], p[i][sl], cfg.ewc_lambda, cfg.ewc_gamma
                        )
        if hasattr(self, "omega"):
            sl = self.sl["synaptic intelligence"]
            for i in range(len(p)):
                self.big_omega[i], self.a[i][sl], self.b[i][sl] = L.si_update(
                    self.big_omega[i], self.omega[i], p[i][sl], self.start[i], cfg.si_c, cfg.si_xi
                )
                self.start[i] = p[i][sl].clone()
                self.omega[i].zero_()
        for buf in self.buffers:
            buf.push_task(t, self.n)


def train_all(cfg, stream: Stream, seeds: list[int], names: list[str], init, report=None) -> Trained:
    """Train every learner through the task sequence; `report(fraction, rows)` at every test pass, rows
    (learner, step, mean test accuracy over all tasks) for each seed."""
    r = Runner(cfg, stream, seeds, names, init)
    nl, s, t_all = len(names), r.S, r.T
    out = Trained(names, np.zeros((nl, s, t_all, t_all)), diverged=np.zeros((nl, s), dtype=bool))
    k = steps_per_epoch(r.n, cfg.batch_size)
    per_task = k * cfg.epochs
    every = max(1, per_task // EVALS_PER_TASK)

    def log(step: int, task: int) -> np.ndarray:
        t0 = time.perf_counter()
        acc = r.evaluate()
        out.curve.extend(
            (li, i, step, task, j, float(acc[li, i, j])) for li in range(nl) for i in range(s) for j in range(t_all)
        )
        out.eval_s += time.perf_counter() - t0
        if report:
            mean = acc.mean(-1)
            report(
                step / (per_task * t_all), [(names[li], step, float(mean[li, i])) for li in range(nl) for i in range(s)]
            )
        return acc

    log(0, 0)
    step = 0
    with torch.no_grad():
        for t in range(t_all):
            for e in range(cfg.epochs):
                t0 = time.perf_counter()
                (flat, tid), replay = r.epoch_batches(t, e)
                for j in range(k):
                    r.step((flat[:, j], tid[:, j]), None if replay is None else (replay[0][:, j], replay[1][:, j]))
                    step += 1
                    if (step - t * per_task) % every == 0 and step - t * per_task < per_task:
                        out.train_s += time.perf_counter() - t0
                        log(step, t)
                        t0 = time.perf_counter()
                out.train_s += time.perf_counter() - t0
            out.matrix[:, :, t] = log(step, t)
            t0 = time.perf_counter()
            r.end_task(t)
            out.consolidate_s += time.perf_counter() - t0
            finite = torch.stack([torch.isfinite(p.reshape(nl * s, -1)).all(1) for p in r.params]).all(0)
            out.diverged |= ~finite.cpu().numpy().reshape(nl, s)
    out.steps = step
    return out
