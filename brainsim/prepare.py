"""Preparing the app's processes: what a first run and its figures would load lazily, loaded while the app is idle.

A fresh worker's first run was slow for three reasons: it imported the experiment (1.9 s for xor), torch.optim's
first step imports torch._dynamo (2.4 s), and plotly loads each trace type's validators on first use (about 1 s).
xor's first run with its figures took 7.4 s in a fresh process, 1.8 s in a prepared one. The app calls
`everywhere()` once, on a background thread, with its first page; every page script calls `note_activity()`."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import time

from brainsim import registry, runtime, workers

IDLE_S = 3.0  # seconds without a page script starting before a preparation step
_LAST_ACTIVITY = [0.0]  # time.monotonic() when a page script last started (note_activity)


def note_activity() -> None:
    """A page's script has started: preparation steps wait."""
    _LAST_ACTIVITY[0] = time.monotonic()


def _idle() -> bool:
    return not workers.busy() and time.monotonic() - _LAST_ACTIVITY[0] >= IDLE_S


def everywhere() -> None:
    """Prepare this process and every worker, one step at a time (steps()) and only while the app is idle (no
    run in flight, no page script started for IDLE_S). A page opened meanwhile waits at most for one step (the
    torch step, about 2.5 s, the longest), most of which it would have done itself; a burst of runs, or a
    visitor clicking on at once, holds the preparation off until they are done. Memory: every experiment's
    modules, about 100 MB more per process.

    The server runs no model when runs go to worker processes, so it skips the torch step (2.4 s of its one
    interpreter lock, importing torch._dynamo). Last, every process freezes what it has loaded (settle()). The
    worker processes start with the first step, once the first page has been sent: spawning them, each importing
    torch, cost the home page 0.5 s of the two cores."""
    for step in [*steps(), "settle"]:
        while not _idle():
            time.sleep(0.2)
        try:  # the first step starts the worker processes (a visitor's first run starts them if it comes sooner)
            cf.wait(workers.on_every_worker(prepare, step))
        except (cf.process.BrokenProcessPool, RuntimeError):
            return  # a pool broken or shut down: its replacement starts unprepared, as it always did
        if step != "torch" or workers.mode() == "threads":
            prepare(step)


def settle() -> None:
    """Move every object alive now (the modules of torch, plotly, pandas, streamlit and brainsim: about 450,000
    objects) out of the garbage collector's reach: they live as long as the process, yet each full collection
    walked all of them (0.45 s here, and Python starts one every so often as sessions allocate)."""
    gc.collect()
    gc.freeze()


def steps() -> list[str]:
    """torch first (every run needs it), then plotly (every page), then each experiment in navigation order."""
    return ["torch", "plotly", *registry.names()]


def prepare(step: str | None = None) -> None:
    """One step, or all of them: "torch" takes one torch.optim step, "plotly" builds a small figure
    (brainsim.figspecs.warm_up), an experiment's name imports it, "settle" calls settle()."""
    if step is None:
        for each in steps():
            prepare(each)
        return
    runtime.configure()
    if step == "torch":
        import torch

        weight = torch.zeros(2, requires_grad=True)
        optimizer = torch.optim.Adam([weight])
        (weight * weight).sum().backward()
        optimizer.step()  # its first call imports torch._dynamo
    elif step == "settle":
        settle()
    elif step == "plotly":
        from brainsim import figspecs

        figspecs.warm_up()
    else:
        registry.get(step)
