"""Training M members at once (seeds × regularisers of one architecture) and measuring every epoch.

A member is one network: its seed fixes its data, initial weights and mini-batch order (shared by every
regulariser of that seed, so they differ only in the regulariser); its own generators draw its dropout
masks and augmentation shifts."""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from brainsim import runtime
from brainsim.overfitting.data import Split, shifted_copies
from brainsim.overfitting.nets import CNN, MLP
from brainsim.torchkit import make_optimizer

# per epoch and member, in this order
METRICS = (
    "train_loss",
    "train_accuracy",
    "clean_train_accuracy",
    "noisy_fit",
    "val_loss",
    "val_accuracy",
    "test_loss",
    "test_accuracy",
)


@dataclass(frozen=True)
class Variant:
    """One learner: an architecture and its regularisers."""

    name: str
    arch: str  # "mlp" or "cnn"
    weight_decay: float = 0.0
    dropout: float = 0.0
    augment: bool = False


@dataclass(frozen=True)
class Member:
    seed: int
    seed_index: int  # row of the stacked Split
    variant: Variant


@dataclass
class Result:
    members: list[Member]
    history: torch.Tensor  # (epochs + 1, M, len(METRICS)); epoch 0 is before training
    n_parameters: int
    wall_s: float
    images: int  # training images processed (summed over members)
    steps: int
    predictions: torch.Tensor | None = None  # (epochs + 1, M, n_train + n_val + n_test) predicted classes, int8


def add_weight_decay(params, lam: torch.Tensor) -> None:
    """L2 regularisation / weight decay (Krogh & Hertz 1992) with a coefficient λ_m per member m:

        g ← ∇_θ L + λ_m θ,  i.e. the gradient of L + (λ_m / 2)·‖θ‖²

    the coupled weight decay torch.optim applies with `weight_decay=λ` (here λ differs between the members
    stacked in one tensor, so it is added to the gradient before the optimizer's step)."""
    for p in params:
        p.grad.add_(p.detach() * lam.view(-1, *([1] * (p.dim() - 1))))


def build(arch: str, members: list[Member], width: int) -> torch.nn.Module:
    inits = [runtime.torch_generator(m.seed, 16, 10 if arch == "mlp" else 11) for m in members]
    return MLP(inits, width) if arch == "mlp" else CNN(inits)


def _measure(logits, y, clean=None) -> list[torch.Tensor]:
    """Mean cross-entropy and accuracy per member from logits (M, n, 10) (and, for the training set, accuracy
    against the clean labels and the fraction of mislabelled images fitted to their wrong label)."""
    loss = F.cross_entropy(logits.transpose(1, 2), y, reduction="none").mean(1)
    pred = logits.argmax(-1)
    out = [loss, (pred == y).float().mean(1)]
    if clean is not None:
        wrong = (y != clean).float()
        fitted = ((pred == y).float() * wrong).sum(1) / wrong.sum(1).clamp(min=1)
        out += [(pred == clean).float().mean(1), torch.where(wrong.sum(1) > 0, fitted, torch.nan)]
    return out


@torch.no_grad()
def evaluate(model, d: dict, predictions: list | None = None) -> torch.Tensor:
    """Every metric of every member on its training, validation and test sets, in one forward pass; with a
    list `predictions`, the predicted class of every image is appended to it ((M, n_all) int8, for the
    timeline: a copy of the argmax the metrics take anyway)."""
    model.eval()
    n_tr, n_va = d["y_train"].shape[1], d["y_val"].shape[1]
    logits = model(d["x_all"])  # (M, n_train + n_val + n_test, 10)
    tr, va, te = logits[:, :n_tr], logits[:, n_tr : n_tr + n_va], logits[:, n_tr + n_va :]
    if predictions is not None:
        predictions.append(logits.argmax(-1).to(torch.int8).cpu())
    rows = _measure(tr, d["y_train"], d["clean"]) + _measure(va, d["y_val"]) + _measure(te, d["y_test"])
    model.train()
    return torch.stack(rows, 1).cpu()  # (M, len(METRICS))


def train(
    members: list[Member],
    split: Split,
    *,
    width: int,
    epochs: int,
    batch_size: int,
    optimizer: str,
    lr: float,
    progress=None,
) -> Result:
    """Train every member (all one architecture) with mini-batch `optimizer` for `epochs` epochs."""
    arch = members[0].variant.arch
    idx = torch.tensor([m.seed_index for m in members], device=split.x_train.device)
    d = {
        "x_train": split.x_train[idx],
        "y_train": split.y_train[idx],
        "clean": split.clean_train[idx],
        "x_val": split.x_val[idx],
        "y_val": split.y_val[idx],
        "x_test": split.x_test[idx],
        "y_test": split.y_test[idx],
    }
    model = build(arch, members, width).to(d["x_train"].device)
    d["x_all"] = model.inputs(torch.cat([d["x_train"], d["x_val"], d["x_test"]], 1))
    opt = make_optimizer(optimizer, model.parameters(), lr)
    lam = torch.tensor([m.variant.weight_decay for m in members], device=d["x_train"].device)
    decay = any(m.variant.weight_decay for m in members)
    rate = torch.tensor([m.variant.dropout for m in members])
    drop_gens = [
        runtime.torch_generator(m.seed, 16, 20, _code(m.variant)) if m.variant.dropout else None for m in members
    ]
    drop = (rate, drop_gens) if any(drop_gens) else None
    aug = [m.variant.augment for m in members]
    aug_gens = [runtime.torch_generator(m.seed, 16, 21, _code(m.variant)) for m in members]
    shifted = shifted_copies(d["x_train"]) if any(aug) else None  # (K, M, n, 64) pixels
    x_train = model.inputs(d["x_train"])
    seeds = sorted({m.seed for m in members})
    order_gens = {s: runtime.torch_generator(s, 16, 30) for s in seeds}
    n = split.n_train
    preds: list[torch.Tensor] = []
    history = [evaluate(model, d, preds)]
    steps, start = 0, time.perf_counter()
    for epoch in range(epochs):
        perms = {s: torch.randperm(n, generator=g) for s, g in order_gens.items()}
        order = torch.stack([perms[m.seed] for m in members]).to(idx.device)  # (M, n)
        x_epoch = x_train
        if shifted is not None:
            x_epoch = model.inputs(_augment(shifted, aug, aug_gens))
        steps += one_epoch(model, opt, x_epoch, d["y_train"], order, batch_size, drop, lam if decay else None)
        history.append(evaluate(model, d, preds))
        if progress is not None:  # progress(fraction, message, rows): rows (learner, epoch, test accuracy)
            test = history[-1][:, METRICS.index("test_accuracy")].tolist()
            rows = [(m.variant.name, epoch + 1, a) for m, a in zip(members, test)]
            progress((epoch + 1) / epochs, f"{arch}: epoch {epoch + 1} of {epochs}", rows)
    wall = time.perf_counter() - start
    work = epochs * n * len(members)
    return Result(members, torch.stack(history), _n_params(model), wall, work, steps, torch.stack(preds))


def one_epoch(model, opt, x, y, order, batch_size: int, drop=None, lam=None) -> int:
    """One pass of mini-batch training of every member: x (M, n, features) inputs, y (M, n) labels, order
    (M, n) each member's shuffle; the loss is the sum over members of their mean cross-entropy. Returns the
    number of optimizer steps."""
    steps = 0
    for lo in range(0, order.shape[1], batch_size):
        b = order[:, lo : lo + batch_size]  # (M, B)
        xb = torch.gather(x, 1, b.unsqueeze(-1).expand(-1, -1, x.shape[-1]))  # (M, B, features)
        logits = model(xb, drop)  # (M, B, 10)
        loss = F.cross_entropy(logits.transpose(1, 2), torch.gather(y, 1, b), reduction="none").mean(1).sum()
        opt.zero_grad(set_to_none=False)
        loss.backward()
        if lam is not None:
            add_weight_decay(model.parameters(), lam)
        opt.step()
        steps += 1
    return steps


def _n_params(model) -> int:
    return model.n_parameters()


def _code(v: Variant) -> int:
    """A stable number per learner name, for its generators' streams."""
    return sum(ord(c) * (i + 1) for i, c in enumerate(v.name)) % 100_003


def _augment(shifted: torch.Tensor, aug: list[bool], gens: list[torch.Generator]) -> torch.Tensor:
    """Each image of an augmenting member replaced by a random shift of itself (a fresh draw every epoch)."""
    k, m, n, _ = shifted.shape
    pick = [torch.randint(k, (n,), generator=g) if a else torch.full((n,), k // 2) for a, g in zip(aug, gens)]
    pick = torch.stack(pick).to(shifted.device)  # (M, n)
    return shifted[pick, torch.arange(m, device=shifted.device)[:, None], torch.arange(n, device=shifted.device)]
