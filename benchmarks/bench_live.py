"""Live-curve overhead (issue 17): the default xor and arena runs with a live callback, which takes the rows
brainsim.live.report sends and buffers them as the app's worker does (batched at most every LIVE_S, kept up to
MAX_LIVE_ROWS), against the same run with a plain progress callback and with none. Best of 3 each, interleaved
so that a busy machine slows every variant alike; the ratio live / plain is the figure issue 17 bounds (<= 1.2)."""

from __future__ import annotations

import time

from brainsim import config as C
from brainsim import registry, workers

NAMES = ("xor", "arena")
REPEATS = 3


def worker_like_callback():
    """A progress callback shaped like workers' (live = True): rows buffered, flushed in batches into a list
    (standing in for the queue to the server), message formatted and fraction clamped as there."""
    sent, due, last, inside = [], [], [0.0, -1.0], [0.0]

    def progress(fraction, message, rows=None):
        t0 = time.perf_counter()
        fraction = min(max(float(fraction), 0.0), 1.0)
        if rows:
            due.extend(rows)
        now = time.perf_counter()
        if fraction - last[1] >= 0.01 or fraction >= 1.0 or (due and now - last[0] >= workers.LIVE_S):
            last[0], last[1] = now, fraction
            if len(sent) < workers.MAX_LIVE_ROWS:
                sent.extend(due[: workers.MAX_LIVE_ROWS - len(sent)])
            _ = str(message)[:200]
            due.clear()
        inside[0] += time.perf_counter() - t0

    progress.live = True
    progress.sent = sent
    progress.inside = inside
    return progress


def plain_callback(fraction, message):
    """The CLI-style callback: no rows taken."""
    min(max(float(fraction), 0.0), 1.0)


def timed(run, cfg, *progress) -> float:
    t0 = time.perf_counter()
    run(cfg, *progress)
    return time.perf_counter() - t0


def main() -> None:
    for name in NAMES:
        exp = registry.get(name)
        cfg = C.make(exp.config, {})
        exp.run(cfg)  # warm-up (imports, allocator, caches)
        best = {"live": float("inf"), "plain": float("inf"), "none": float("inf")}
        rows, inside = 0, float("inf")
        for _ in range(REPEATS):
            cb = worker_like_callback()
            best["live"] = min(best["live"], timed(exp.run, cfg, cb))
            rows, inside = len(cb.sent), min(inside, cb.inside[0])
            best["plain"] = min(best["plain"], timed(exp.run, cfg, plain_callback))
            best["none"] = min(best["none"], timed(exp.run, cfg))
        print(
            f"{name} default run, best of {REPEATS}: live {best['live']:.2f} s ({rows} live rows), "
            f"plain callback {best['plain']:.2f} s, no callback {best['none']:.2f} s; "
            f"overhead ratio live/plain {best['live'] / best['plain']:.3f}, live/none "
            f"{best['live'] / best['none']:.3f} (target <= 1.2); time inside the live callback {1e3 * inside:.1f} ms "
            f"({inside / best['live']:.1%} of the live run: a live/plain gap beyond it is the machine's noise)",
            flush=True,
        )


if __name__ == "__main__":
    main()
