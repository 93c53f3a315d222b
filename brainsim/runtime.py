"""Process set-up (`configure`), device choice, seeded generators and divergence checks shared by every
experiment.

torch is imported by the functions that use it, not with this module: the app's home page and navigation
import this module (through the worker pool) and need no torch, which takes seconds to import."""

from __future__ import annotations

import ctypes
import os
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

_configured = False


def configure() -> None:
    """Process-wide set-up, called once by each entry point (CLI, app, tests, benchmarks); later calls
    do nothing.

    One intra-op thread: brainsim's models are small, and on a shared 2-core machine extra torch
    threads spin-wait against other processes (measured 10-1000x slower per step under load);
    concurrency comes from sessions and pytest workers instead. A fixed count also keeps float sums,
    hence CSV bytes, reproducible; BRAINSIM_THREADS overrides it for a dedicated machine.
    Traces decayed over simulated days reach subnormal floats, 10-100x slower on CPUs and carrying no
    information: flush them to zero, process-wide, so the same config gives the same bytes whichever
    experiments a process runs."""
    global _configured
    if _configured:
        return
    import torch

    torch.set_num_threads(int(os.environ.get("BRAINSIM_THREADS", "1")))
    torch.set_flush_denormal(True)
    _keep_freed_memory_for_reuse()
    _configured = True


def configure_thread() -> None:
    """Set-up for a thread that runs part of a run (brainsim.parallel): flushing subnormal floats to zero
    is a setting of each CPU thread (MXCSR), not of the process, so every thread that computes sets it
    again; the intra-op thread count is process-wide and already set by configure."""
    import torch

    configure()
    torch.set_flush_denormal(True)


def _keep_freed_memory_for_reuse() -> None:
    """glibc returns every freed block above 128 KB to the OS (mmap/munmap) and page-faults it back on the
    next allocation: a fresh 2 MB temporary then costs more than the arithmetic on it (measured 3.7x on
    the memory page's row writes at N = 2000). Serve blocks up to 64 MB from the heap
    and keep up to 512 MB of freed heap for reuse. No-op where the C library is not glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 * 2**20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 512 * 2**20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def threads() -> int:
    """torch's intra-op thread count in this process: part of what a run's bytes depend on (float sums
    are split across threads), so config.json and every timing table record it."""
    import torch

    return torch.get_num_threads()


def resolve_device(name: str) -> torch.device:
    """'auto' -> CUDA when present, else CPU; 'cuda' without a GPU falls back to CPU."""
    import torch

    if name in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def rng(seed: int, *stream: int) -> np.random.Generator:
    """Independent numpy generator for (seed, stream...) - never global state."""
    return np.random.default_rng([seed, *stream])


def torch_generator(seed: int, *stream: int) -> torch.Generator:
    """CPU torch.Generator seeded from (seed, stream...): sample on CPU, then move to the device,
    so CPU and CUDA runs start from the same numbers."""
    import torch

    g = torch.Generator(device="cpu")
    g.manual_seed(int(np.random.SeedSequence([seed, *stream]).generate_state(1)[0]))
    return g


def is_finite(*tensors: torch.Tensor) -> bool:
    """False when any tensor holds NaN or inf: the caller stops that learner and marks it diverged."""
    import torch

    return all(bool(torch.isfinite(t).all()) for t in tensors)
