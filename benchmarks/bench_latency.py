"""Interaction latency of every page (issue 19), server side, through Streamlit's AppTest:

- first: the page opened with its defaults (the run itself, figures, widgets);
- cached: the same page rerun with nothing changed (the run comes from st.cache_data, the figures from
  the figure cache in brainsim.ui.results);
- rebuilt: the same rerun with the figure cache emptied first: what every cached rerun cost before the
  figures were cached (the reference measured in the same run; the ratio is cached / rebuilt);
- payload: the bytes of the page's plotly specs (what a render sends to the browser, the bulk of it).

Targets: a cached rerun <= 0.15 s of script time; no page over 5 MB. The browser-side times (action to a
settled page in Chromium) are measured by tests/test_browser.py's fixtures, not here.

    python -m benchmarks latency        (or: python benchmarks/bench_latency.py [NAME ...])
"""

from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from streamlit.testing.v1 import AppTest  # noqa: E402

from brainsim import registry, runtime  # noqa: E402

REPEATS = 3  # best of, for the reruns


def _page() -> None:
    import streamlit as st

    from brainsim import runtime, ui

    runtime.configure()
    ui.experiment_page(st.session_state["bench.page"])


def _timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run(timeout=600)
    return time.perf_counter() - start


def measure(name: str) -> dict[str, float]:
    from brainsim.ui import results

    at = AppTest.from_function(_page, default_timeout=600)
    at.session_state["bench.page"] = name
    first = _timed_run(at)
    assert not at.exception, [e.message for e in at.exception]
    cached = min(_timed_run(at) for _ in range(REPEATS))
    rebuilt = []
    for _ in range(REPEATS):
        results._figure.clear()
        rebuilt.append(_timed_run(at))
    payload = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
    return {"first_s": first, "cached_s": cached, "rebuilt_s": min(rebuilt), "payload_mb": payload / 1e6}


def main(names: list[str] | None = None) -> None:
    runtime.configure()
    print(f"{'page':<16}{'first s':>9}{'cached s':>10}{'rebuilt s':>11}{'cached/rebuilt':>16}{'payload MB':>12}")
    for name in names or registry.names():
        m = measure(name)
        ratio = m["cached_s"] / m["rebuilt_s"]
        print(
            f"{name:<16}{m['first_s']:>9.2f}{m['cached_s']:>10.3f}{m['rebuilt_s']:>11.3f}{ratio:>16.2f}"
            f"{m['payload_mb']:>12.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:] or None)
