"""Interaction latency of every page (issue 19), server side, through Streamlit's AppTest:

- first: the page opened with its defaults (the run itself, figures, widgets);
- cached: the same page rerun with nothing changed (the run comes from st.cache_data, the figures from
  the figure cache in brainsim.ui.results);
- rebuilt: the same rerun with brainsim.ui.results' caches emptied first (figures, the figures a worker built,
  headline numbers, Arrow tables): what every cached rerun cost before they were cached (the reference
  measured in the same run; the ratio is cached / rebuilt);
- payload: the bytes of the page's plotly specs (what a render sends to the browser, the bulk of it).

Targets: a cached rerun <= 0.15 s of script time; no page over 5 MB.

Then the browser side, in a real Chromium (Playwright) against `streamlit run app.py` on loopback, started
the way tests/test_browser.py does (its streamlit_server, chromium_path and settling rule are imported):

- server start: the home page opened first on a fresh server (imports, navigation, the page itself);
- open: each page opened from the sidebar navigation for the first time (its run is computed then);
- back: the same page opened again from the navigation after the home page (run and figures cached);
- home: the navigation to the home page just before (text and links, no chart, no widget but the seed and
  device): the reference measured in the same run, what any Streamlit page costs this browser to draw;
- fresh / cached: the sidebar's seed changed to a new value (a fresh run) and back (a cached rerun).

Each is the time from the navigation to a settled page: the script has finished and no skeleton is left
(wait_until_idle's rule; the moment it first held, confirmed by a further second of quiet). Each is printed
with its ratio to the AppTest script time of the same page measured above (first or cached), and back and
cached with their ratio to home. Targets: back and cached <= 0.5 s; the first page after a server start
<= 3 s. Skipped (with a line saying so) without Playwright.

First of all, cold runs: every page's default run in a prepared process, with one thread per run and with
brainsim.parallel's default, against the target of <= 2 s (cold_runs).

    python -m benchmarks latency
    python benchmarks/bench_latency.py [--no-browser] [--no-cold] [--cold-only] [NAME ...]
"""

from __future__ import annotations

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository root

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
        results._prepared.clear()
        with results._OFFERED_LOCK:  # a worker's prebuilt figures too: the server builds every one again
            results._OFFERED.clear()
        rebuilt.append(_timed_run(at))
    payload = sum(len(chart.proto.spec) for chart in at.get("plotly_chart"))
    return {"first_s": first, "cached_s": cached, "rebuilt_s": min(rebuilt), "payload_mb": payload / 1e6}


COLD_TARGET_S = 2.0


def cold_runs(names: list[str]) -> None:
    """Each page's default run as a prepared worker runs a config it has not seen (imports, data sets and the
    kernels' first calls done beforehand by a run at seed 7): wall and CPU seconds with one thread per run
    (BRAINSIM_RUN_THREADS=1, the reference) and with the default (brainsim.parallel), the best of two runs each,
    in the order 1, default, default, 1. Target: <= 2 s."""
    from brainsim import config as cfgmod
    from brainsim import parallel, prepare

    prepare.prepare()
    print(f"\ncold runs, defaults (target <= {COLD_TARGET_S:.0f} s wall; 1 thread is the reference)")
    head = ("page", 16), ("1 thread s", 11), ("cpu s", 8), ("default s", 11), ("cpu s", 8), ("threads", 9)
    print("".join(f"{h:<{w}}" if h == "page" else f"{h:>{w}}" for h, w in head) + f"{'ratio':>8}{'target':>8}")
    saved = os.environ.get(parallel.RUN_THREADS_ENV)
    try:
        for name in names:
            exp = registry.get(name)
            exp.run(cfgmod.make(exp.config, {"seed": 7}))  # warm: imports, data sets, kernels' first calls
            cfg = cfgmod.make(exp.config, {})
            timed, count = {"1": [], saved: []}, 1
            for threads in ("1", saved, saved, "1"):  # alternated: a process's later runs tend to be faster
                if threads is None:
                    os.environ.pop(parallel.RUN_THREADS_ENV, None)
                else:
                    os.environ[parallel.RUN_THREADS_ENV] = threads
                count = count if threads == "1" else parallel.run_threads()
                wall, cpu = time.perf_counter(), time.process_time()
                exp.run(cfg)
                timed[threads].append((time.perf_counter() - wall, time.process_time() - cpu))
            (one, one_cpu), (default, cpu) = min(timed["1"]), min(timed[saved])  # the best of two each
            verdict = "met" if default <= COLD_TARGET_S else "not met"
            print(
                f"{name:<16}{one:>11.2f}{one_cpu:>8.2f}{default:>11.2f}{cpu:>8.2f}{count:>9d}"
                f"{default / one:>8.2f}{verdict:>8}",
                flush=True,
            )
    finally:
        if saved is None:
            os.environ.pop(parallel.RUN_THREADS_ENV, None)
        else:
            os.environ[parallel.RUN_THREADS_ENV] = saved


def main(names: list[str] | None = None, browser: bool = True, cold: bool = True) -> None:
    runtime.configure()
    names = names or registry.names()
    if cold:
        cold_runs(names)
        print()
    print(f"{'page':<16}{'first s':>9}{'cached s':>10}{'rebuilt s':>11}{'cached/rebuilt':>16}{'payload MB':>12}")
    server = {}
    for name in names:
        m = server[name] = measure(name)
        ratio = m["cached_s"] / m["rebuilt_s"]
        print(
            f"{name:<16}{m['first_s']:>9.2f}{m['cached_s']:>10.3f}{m['rebuilt_s']:>11.3f}{ratio:>16.2f}"
            f"{m['payload_mb']:>12.2f}",
            flush=True,
        )
    if browser:
        browser_side(names, server)


SETTLE_POLL_S, QUIET_S = 0.03, 1.0


def _settled(page, start: float, timeout_s: float = 600) -> float:
    """Seconds from `start` to the moment the page settled by wait_until_idle's rule (script not running, no
    skeleton), that state then held for QUIET_S; polled finer than wait_until_idle so the moment is exact."""
    deadline, quiet_since = time.time() + timeout_s, None
    app = page.locator("[data-testid='stApp']")
    while time.time() < deadline:
        busy = app.get_attribute("data-test-script-state") != "notRunning"
        busy = busy or page.locator("[data-testid='stSkeleton']").count() > 0
        now = time.perf_counter()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET_S:
            return quiet_since - start
        time.sleep(SETTLE_POLL_S)
    raise AssertionError(f"the page did not settle in {timeout_s} s")


def _navigate(page, label: str, heading: str | None = None) -> float:
    """Click `label` in the sidebar navigation; seconds until the page titled `heading` (default: the label)
    has settled."""
    start = time.perf_counter()
    page.locator("[data-testid='stSidebarNav']").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=heading or label, level=1).first.wait_for(timeout=600_000)
    return _settled(page, start)


def _set_seed(page, value: str) -> float:
    """Type `value` into the sidebar's seed box and press Enter; seconds until the page has settled."""
    box = page.get_by_role("spinbutton", name=re.compile(r"^seed"))
    box.fill(value)
    start = time.perf_counter()
    box.press("Enter")
    return _settled(page, start)


def browser_side(names: list[str], server: dict[str, dict[str, float]]) -> None:
    """The browser-side table (see the module docstring); `server` holds the AppTest figures of this run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("browser side skipped: Playwright is not installed (make chromium)")
        return
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from test_browser import chromium_path, streamlit_server, wait_until_idle

    with streamlit_server() as url, sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        start = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name="brainsim", level=1).wait_for(timeout=600_000)
        home_s = _settled(page, start)
        wait_until_idle(page)
        print(
            f"\nbrowser (Chromium, streamlit run on loopback): first page after server start (home) {home_s:.2f} s"
            " (target <= 3 s)"
        )
        print(
            f"{'page':<16}{'open s':>8}{'open/first':>12}{'back s':>8}{'back/cached':>13}{'home s':>8}"
            f"{'back/home':>11}{'fresh s':>9}{'cached s':>10}{'cached/home':>13}  targets: back, cached <= 0.5 s"
        )
        for name in names:
            title = registry.get(name).title
            open_s = _navigate(page, title)
            home_s = _navigate(page, "Home", "brainsim")
            back_s = _navigate(page, title)
            seed = page.get_by_role("spinbutton", name=re.compile(r"^seed")).input_value()
            fresh_s = _set_seed(page, str(int(seed) + 1))
            cached_s = _set_seed(page, seed)
            m = server[name]
            print(
                f"{name:<16}{open_s:>8.2f}{open_s / m['first_s']:>12.2f}{back_s:>8.2f}{back_s / m['cached_s']:>13.1f}"
                f"{home_s:>8.2f}{back_s / home_s:>11.2f}{fresh_s:>9.2f}{cached_s:>10.2f}{cached_s / home_s:>13.2f}",
                flush=True,
            )
        b.close()


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM_ARGS = [  # as tests/test_browser.py's browser fixture launches it
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


if __name__ == "__main__":
    args = sys.argv[1:]
    flags = ("--no-browser", "--no-cold", "--cold-only")
    pages = [a for a in args if a not in flags] or None
    if "--cold-only" in args:
        runtime.configure()
        cold_runs(pages or registry.names())
    else:
        main(pages, browser="--no-browser" not in args, cold="--no-cold" not in args)
