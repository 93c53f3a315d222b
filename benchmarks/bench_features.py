"""The receptive-field page's default run: cold (a fresh process: imports, torch.optim's first-step imports,
the run) and warm (the same run again in this process), with its share per learner; and the CNN's training
images per second in the page's loop (brainsim.features.backprop.fit: seeded order, learning-rate schedule,
weight snapshots) against a plain torch.nn + torch.optim loop on the same network, measured in the same run.
Target: the default run under 5 s cold on 2 cores; the page's loop no slower than 0.8x the plain one.

    python -m benchmarks.bench_features        (or: python benchmarks/bench_features.py)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from brainsim import datasets, runtime  # noqa: E402
from brainsim.features import backprop as bp  # noqa: E402
from brainsim.features.experiment import EXPERIMENT, FeaturesConfig  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLD = (
    "import time; t = time.perf_counter(); from brainsim import runtime; runtime.configure(); "
    "from brainsim.features.experiment import EXPERIMENT as e; e.run(e.config()); "
    "print(time.perf_counter() - t)"
)
EPOCHS = 5


def cold_seconds() -> float:
    """Wall seconds of `import + default run` in a fresh interpreter."""
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    return float(out.stdout.strip().splitlines()[-1])


def plain_loop(x: torch.Tensor, y: torch.Tensor, cfg: FeaturesConfig) -> float:
    """Seconds for EPOCHS of the same CNN trained by a bare torch.nn + torch.optim.Adam loop."""
    net = bp.CNN((8, 8), cfg.filters, cfg.kernel, 10)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    g = torch.Generator().manual_seed(0)
    t0 = time.perf_counter()
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), cfg.batch_size):
            idx = order[i : i + cfg.batch_size]
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


def main() -> None:
    runtime.configure()
    cfg = FeaturesConfig()
    print(f"threads {runtime.threads()}; default run: {cfg.seeds} seeds, {len(cfg.learners)} learners")
    print(f"default run, cold (fresh process, imports included): {cold_seconds():.2f} s (target < 5 s)")
    EXPERIMENT.run(cfg)  # warm the process
    t0 = time.perf_counter()
    res = EXPERIMENT.run(cfg)
    print(f"default run, warm: {time.perf_counter() - t0:.2f} s")
    share = res["timing"].groupby("learner", sort=False)["wall_s"].sum()
    print("  per learner (s, all seeds, probe included): " + ", ".join(f"{k} {v:.2f}" for k, v in share.items()))
    d = datasets.digits(0.75, 0)
    x, y = torch.tensor(d.x_train), torch.tensor(d.y_train)
    plain = plain_loop(x, y, cfg)
    t0 = time.perf_counter()
    bp.train_cnn(x, y, (8, 8), cfg.filters, cfg.kernel, 10, cfg.lr, EPOCHS, cfg.batch_size, seed=0)
    ours = time.perf_counter() - t0
    images = EPOCHS * len(x)
    print(
        f"CNN training, {EPOCHS} epochs of {len(x)} images, batch {cfg.batch_size}: page loop {images / ours:,.0f} "
        f"images/s, plain torch loop {images / plain:,.0f} images/s, ratio {plain / ours:.2f} (target >= 0.8)"
    )


if __name__ == "__main__":
    main()
