"""Training the backprop twin to a loss criterion before the interference stream.

The study schedule gives the twin only a few optimizer steps per item. The autoencoder then recalls the first
items at about 0.5-0.8, and even one or two epochs that lift its recall above 0.95 leave it far from
convergence: twenty massed steps on one new item then wipe the old ones out. Catastrophic interference is
only worth showing in a net that knew the items, so before the stream the twin is trained offline on the
items learned so far, in interleaved epochs (each item once per epoch, in order, `steps` optimizer steps at
the page's learning rate), until its mean training loss on them is at most the criterion, or for at most
a stated number of epochs. The brain-like net gets no extra presentations.

Each seed stops at its own epoch. With plain SGD (no optimizer state) the seeds train batched and a seed
that has met the criterion gets loss weight 0, so exactly zero steps; with a stateful optimizer (momentum,
Adam: one step count per tensor) each seed trains as a one-seed copy (`nets.SeedSlices`), and the batched
optimizer starts afresh afterwards. Either way a seed's epochs and weights never depend on the other seeds.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Criterion:
    """What training to criterion did in one seed."""

    epochs: int  # epochs trained (0: the criterion held after study)
    loss_before: float  # mean training loss on the items right after study
    loss_reached: float  # mean training loss after the last epoch
    met: bool  # loss_reached <= the criterion


def _epochs(net, items: torch.Tensor, threshold: float, max_epochs: int) -> list[Criterion]:
    """Interleaved epochs over items (S, M, N) of a batched net, each seed until its mean loss is at most
    `threshold` or `max_epochs` epochs have run; a seed that stopped trains with loss weight 0."""
    before = loss = net.mean_loss(items)
    active = loss > threshold
    epochs = torch.zeros(items.shape[0], dtype=torch.long)
    while bool(active.any()) and int(epochs.max()) < max_epochs:
        weight = active.to(items.dtype).to(items.device)
        for m in range(items.shape[1]):
            net.train(items[:, m], weight)
        epochs += active.cpu()
        loss = torch.where(active, net.mean_loss(items), loss)
        active &= (loss > threshold) & (epochs < max_epochs).to(active.device)
    return [Criterion(int(e), float(b), float(r), float(r) <= threshold) for e, b, r in zip(epochs, before, loss)]


def train_to_criterion(net, items: torch.Tensor, threshold: float, max_epochs: int) -> list[Criterion]:
    """Train the batched net on items (S, M, N) to the loss criterion, each seed on its own (module doc)."""
    if net.optimizer == "sgd":  # stateless: a zero-weight step leaves a seed exactly as it was
        out = _epochs(net, items, threshold, max_epochs)
    else:
        out = []
        for s in range(items.shape[0]):
            one = net.single(s)
            out += _epochs(one, items[s : s + 1], threshold, max_epochs)
            net.put(s, one)
    net.restart_optimizer()
    return out
