"""Training networks (a PackedNet; the run trains them one at a time, G = 1): backpropagation through
time on the last-step cross-entropy, with torch.optim (brainsim.torchkit's vocabulary), per-group
gradient clipping, a learning-rate schedule over the budget, and divergence handled per group (a
group that blows up stops, the others go on)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from brainsim.torchkit import make_optimizer
from brainsim.working_memory.recurrent import PackedNet

# "sgd" is plain SGD, "momentum" SGD with momentum 0.9 (brainsim.torchkit): all elementwise, so packed blocks never mix.
OPTIMIZERS = ("adam", "sgd", "momentum")
SCHEDULES = ("constant", "cosine")


@dataclass
class TrainResult:
    """What a training run returns: per-group curves and final state; the model is trained in place."""

    curve: list[dict] = field(default_factory=list)  # rows: step, samples, group, loss, accuracy, diverged
    diverged: torch.Tensor | None = None  # bool (G,)
    diverged_step: torch.Tensor | None = None  # int (G,), -1 when it never diverged
    wall_s: float = 0.0
    steps_done: int = 0


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fraction correct per group: logits (B, G, C), y (B, G) -> (G,)."""
    return (logits.argmax(-1) == y).float().mean(0)


def group_losses(model: PackedNet, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean last-step cross-entropy of every group: x (B, T, G, d_in), y (B, G) -> (G,)."""
    logits = model(x)  # (B, G, C)
    return F.cross_entropy(logits.reshape(-1, model.n_out), y.reshape(-1), reduction="none").reshape(y.shape).mean(0)


def make_schedule(name: str, opt: torch.optim.Optimizer, steps: int) -> torch.optim.lr_scheduler.LRScheduler:
    """torch.optim's learning-rate schedule over the budget: constant, or cosine annealing from lr to 0
    at the last step (Loshchilov & Hutter 2017), lr_s = lr (1 + cos(pi s / steps)) / 2."""
    if name == "constant":
        return torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, steps))
    raise ValueError(f"unknown learning-rate schedule {name!r}")


def train(
    model: PackedNet,
    batch: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
    steps: int,
    lr: float,
    clip: float = 1.0,
    evaluate: Callable[[PackedNet], tuple[torch.Tensor, torch.Tensor]] | None = None,
    eval_every: int = 0,
    callback: Callable[[int, int], None] | None = None,
    optimizer: str = "adam",
    schedule: str = "constant",
    watch: Callable[[list[dict]], None] | None = None,
) -> TrainResult:
    """BPTT on the last-step cross-entropy with torch.optim (`optimizer`, a brainsim.torchkit name),
    one independent network per group.

    batch(step) -> (x (B, T, G, d_in), y (B, G)); evaluate(model) -> (loss (G,), accuracy (G,)) on a
    held-out set, recorded at step 0 and every `eval_every` steps; callback(step, steps) reports
    progress; schedule names the learning-rate schedule over the `steps` (make_schedule); watch(rows) sees
    each evaluation's new curve rows (a live view). A group whose loss turns NaN/inf is frozen and marked
    diverged; the others go on.
    """
    opt = make_optimizer(optimizer, model.parameters(), lr)
    sched = make_schedule(schedule, opt, steps)
    alive = torch.ones(model.g, dtype=torch.bool, device=next(model.parameters()).device)
    masks = model.grad_masks(alive)
    died = torch.full((model.g,), -1, dtype=torch.long)  # step at which each group diverged
    res = TrainResult()
    t0 = time.perf_counter()
    _record(res, model, evaluate, died, 0, 0, watch)
    for step in range(1, steps + 1):
        x, y = batch(step)
        per_group = group_losses(model, x, y)  # (G,)
        if bool((~torch.isfinite(per_group) & alive).any()):
            per_group = _stop_diverged(model, opt, x, y, per_group, alive, died, step)
            masks = model.grad_masks(alive)
        if not bool(alive.any()):
            break
        opt.zero_grad(set_to_none=False)
        per_group.sum().backward()  # groups are independent, so the sum's gradient is each group's own
        model.mask_and_clip_(clip, masks)
        opt.step()
        sched.step()
        res.steps_done = step
        if eval_every and (step % eval_every == 0 or step == steps):
            _record(res, model, evaluate, died, step, step * x.shape[0], watch)
        if callback is not None:
            callback(step, steps)
    res.wall_s = time.perf_counter() - t0
    res.diverged = died >= 0
    res.diverged_step = died
    return res


def _stop_diverged(
    model: PackedNet,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    per_group: torch.Tensor,
    alive: torch.Tensor,
    died: torch.Tensor,
    step: int,
) -> torch.Tensor:
    """Stop the groups whose loss is NaN/inf (updating `alive` and `died` in place) and return the
    step's losses recomputed without them (dead groups count 0)."""
    while bool((~torch.isfinite(per_group) & alive).any()):
        # the culprits are groups whose weights blew up; their NaNs reach the other blocks through
        # 0 * NaN in the shared matmuls, so only they are stopped, then the step is recomputed
        bad = model.nonfinite_groups() & alive
        if not bool(bad.any()):
            bad = ~torch.isfinite(per_group) & alive
        died[bad.cpu()] = step
        alive &= ~bad
        model.freeze(~alive)
        _reset_dead_moments(opt, model, alive)
        per_group = group_losses(model, x, y) * alive  # dead blocks are zero now
    return per_group


def _record(
    res: TrainResult,
    model: PackedNet,
    evaluate: Callable[[PackedNet], tuple[torch.Tensor, torch.Tensor]] | None,
    died: torch.Tensor,
    step: int,
    n_samples: int,
    watch: Callable[[list[dict]], None] | None = None,
) -> None:
    """Append every group's held-out loss and accuracy at `step` to the curve (and show watch the new rows)."""
    if evaluate is None:
        return
    with torch.no_grad():
        loss, acc = evaluate(model)
    for g in range(model.g):
        res.curve.append(
            dict(
                step=step,
                samples=n_samples,
                group=g,
                loss=float(loss[g]),
                accuracy=float(acc[g]),
                diverged=bool(died[g] >= 0),
            )
        )
    if watch is not None:
        watch(res.curve[-model.g :])


def _reset_dead_moments(opt: torch.optim.Optimizer, model: PackedNet, alive: torch.Tensor) -> None:
    """Clear the optimizer's moments of dead groups so their (zeroed) parameters stay put."""
    for name, p in model.named_parameters():
        state = opt.state.get(p)
        if not state:
            continue
        gid = model.gids(p.device)[name]
        dead = (gid >= 0) & ~alive[gid.clamp(min=0)]
        for key in ("exp_avg", "exp_avg_sq", "momentum_buffer"):
            if key in state:
                state[key][dead] = 0.0
