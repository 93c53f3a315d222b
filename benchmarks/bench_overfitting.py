"""CNN training throughput: the overfitting page's CNN (im2col convolution, every seed one member of one
batched network) against the same CNN written the plain way, torch.nn.Conv2d + MaxPool2d + Linear trained
with torch.optim.Adam one network at a time, on the same images, batches and epochs, measured in the same
run at the same thread count. Prints training images per second of each and their ratio (target: >= 1,
the page's CNN no slower than the plain loop).

    python -m benchmarks.bench_overfitting        (or: python benchmarks/bench_overfitting.py)
"""

from __future__ import annotations

import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import runtime  # noqa: E402
from brainsim.overfitting import data, nets, training  # noqa: E402
from brainsim.torchkit import make_optimizer  # noqa: E402

NETWORKS, N_TRAIN, BATCH, EPOCHS, LR = 5, 200, 32, 10, 0.01


def plain_cnn() -> torch.nn.Module:
    c = nets.CNN_CHANNELS
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, c, nets.KERNEL, padding=nets.KERNEL // 2),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(c * (data.SIDE // 2) ** 2, data.N_CLASSES),
    )


def time_plain(x: torch.Tensor, y: torch.Tensor, orders: list[torch.Tensor]) -> float:
    """Seconds to train NETWORKS plain CNNs one after another."""
    start = time.perf_counter()
    for m in range(NETWORKS):
        torch.manual_seed(m)
        net = plain_cnn()
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        images = x[m].reshape(-1, 1, data.SIDE, data.SIDE)
        for order in orders:
            for lo in range(0, N_TRAIN, BATCH):
                b = order[m, lo : lo + BATCH]
                loss = F.cross_entropy(net(images[b]), y[m, b])
                opt.zero_grad()
                loss.backward()
                opt.step()
    return time.perf_counter() - start


def time_batched(x: torch.Tensor, y: torch.Tensor, orders: list[torch.Tensor]) -> float:
    """Seconds to train the page's batched CNN holding NETWORKS members (inputs made once, as the run does)."""
    start = time.perf_counter()
    model = nets.CNN([runtime.torch_generator(m, 0) for m in range(NETWORKS)])
    opt = make_optimizer("adam", model.parameters(), LR)
    inputs = model.inputs(x)
    for order in orders:
        training.one_epoch(model, opt, inputs, y, order, BATCH)
    return time.perf_counter() - start


def main() -> None:
    split = data.make_split(list(range(NETWORKS)), N_TRAIN, 100, 200, 0.2, "cpu")
    x, y = split.x_train, split.y_train
    gen = torch.Generator().manual_seed(0)
    orders = [torch.stack([torch.randperm(N_TRAIN, generator=gen) for _ in range(NETWORKS)]) for _ in range(EPOCHS)]
    time_plain(x, y, orders[:1]), time_batched(x, y, orders[:1])  # warm-up
    plain = min(time_plain(x, y, orders) for _ in range(3))
    batched = min(time_batched(x, y, orders) for _ in range(3))
    images = NETWORKS * N_TRAIN * EPOCHS
    print(
        f"CNN training, {NETWORKS} networks x {N_TRAIN} images x {EPOCHS} epochs, batch {BATCH}, "
        f"{torch.get_num_threads()} thread(s):"
    )
    print(f"  plain torch.nn + torch.optim loop: {images / plain:10.0f} images/s")
    print(f"  overfitting page's batched CNN:    {images / batched:10.0f} images/s")
    print(f"  ratio (page / plain): {plain / batched:.2f}x  (target >= 1)")


if __name__ == "__main__":
    runtime.configure()
    main()
