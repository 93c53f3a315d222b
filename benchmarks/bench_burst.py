"""Many users at once: 8 browser sessions open 8 pages with small runs at the same moment (Playwright
contexts against `streamlit run` on loopback); then, while one session computes a long run, a page whose
run is cached is opened. Prints each session's time to settle, the server's memory (its process and its
worker processes) and the ratio of the burst to the same runs made one after another in this process.
tests/test_many_users.py asserts the same figures with margins.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass

from brainsim import config as cfgmod
from brainsim import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (experiment, link query): different pages and settings, each a run of about 0.3-3 s on one core
BURST = (
    ("xor", {"task": "and", "seeds": "3", "epochs": "150"}),
    ("xor", {"task": "xor", "seeds": "4", "epochs": "200", "seed": "1"}),
    ("arena", {"task": "moons", "epochs": "15"}),
    ("arena", {"task": "circles", "seed": "2"}),
    ("memory", {"seeds": "2"}),
    ("hopfield", {"seeds": "2", "n_loads": "5"}),
    ("hopfield", {"patterns": "digits", "seeds": "2", "n_loads": "4"}),
    ("working_memory", {"learners": "feedforward,rnn,fast weights", "steps": "60", "seeds": "1"}),
)
LONG = ("working_memory", {"steps": "600", "seeds": "3", "learners": "rnn,gru,lstm"})  # about 30-60 s
CACHED = ("xor", {"task": "or", "seeds": "2", "epochs": "50"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict | None = None, start_s: float = 90):
    """`streamlit run app.py` on a free loopback port; yields (base URL, process)."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url, deadline = f"http://127.0.0.1:{port}", time.time() + start_s
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit did not start")
    try:
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the app and its workers), MB."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration):
            continue
    return total


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> tuple[float, float]:
    """(own CPU seconds, CPU seconds of its children that have ended and been reaped) of a process."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    return (int(f[11]) + int(f[12])) / _TICK, (int(f[13]) + int(f[14])) / _TICK


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, living or ended (reaped children count)."""
    own, reaped = _cpu(pid)
    return own + reaped + sum(_tree_cpu(c) for c in _children(pid))


def cpu_split(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the app's own process, of its worker processes, and of every Chromium (the
    browsers share the machine's cores with the server in these measurements)."""
    own = _cpu(server_pid)[0]
    roots = []
    for p in (int(d) for d in os.listdir("/proc") if d.isdigit()):
        try:
            with open(f"/proc/{p}/comm") as fh:
                comm = fh.read().strip()
            with open(f"/proc/{p}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{parent}/comm") as fh:
                parent_comm = fh.read().strip()
        except (OSError, ValueError, IndexError):
            continue
        if comm.startswith("chrom") and not parent_comm.startswith("chrom"):
            roots.append(p)
    return {"server": own, "workers": _tree_cpu(server_pid) - own, "chromium": sum(_tree_cpu(r) for r in roots)}


def address(url: str, name: str, query: dict) -> str:
    return f"{url}/{registry.card(name).url_path}?" + urllib.parse.urlencode({"exp": name, **query})


def launch(browser):
    """Chromium as the browser tests start it."""
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
    return browser.launch(executable_path=_chromium(), headless=True, args=args)


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Session:
    name: str
    query: dict
    page: object
    started: float
    settled: float | None = None  # seconds from opening to a finished script (steady for a second)
    quiet_since: float | None = None
    started_wall: float = 0.0  # time.time() at opening, to compare with the page's own clock
    served: float | None = None  # seconds from opening to the last message the server sent the page


# Stamps the arrival of every websocket message in the page (Date.now(), the same clock as time.time()), so
# the moment the server finished sending a page is known apart from the browser's drawing of it afterwards.
_STAMP_MESSAGES = """(() => { const Base = window.WebSocket; window.__lastMessageAt = 0;
  window.WebSocket = class extends Base { constructor(...args) { super(...args);
    this.addEventListener("message", () => { window.__lastMessageAt = Date.now(); }); } }; })();"""


def _busy(page) -> bool:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:  # short wait: the app element can vanish between the caller's count() and this read (a reconnect)
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state", timeout=2000)
    except PlaywrightTimeout:
        return True  # not there yet: not settled
    return state != "notRunning" or page.locator("[data-testid='stSkeleton']").count() > 0


def settle(sessions: list[Session], timeout_s: float) -> None:
    """Poll every session until each page's script has finished and stayed finished for a second."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline and any(s.settled is None for s in sessions):
        for s in sessions:
            if s.settled is not None:
                continue
            now = time.perf_counter()
            if s.page.locator("[data-testid='stApp']").count() == 0 or _busy(s.page):
                s.quiet_since = None
            elif s.quiet_since is None:
                s.quiet_since = now
            elif now - s.quiet_since > 1.0:
                s.settled = s.quiet_since - s.started
                last = s.page.evaluate("window.__lastMessageAt || 0")
                s.served = last / 1000 - s.started_wall if last else None
        time.sleep(0.1)


def open_sessions(browser, url: str, runs, timeout_s: float = 240) -> list[Session]:
    """One browser context per run, all opened at once; returns them settled (or with settled None)."""
    sessions = []
    for name, query in runs:
        context = browser.new_context(viewport={"width": 1300, "height": 2000}, accept_downloads=True)
        context.add_init_script(_STAMP_MESSAGES)
        page = context.new_page()
        wall, started = time.time(), time.perf_counter()
        page.goto(address(url, name, query), wait_until="commit")
        sessions.append(Session(name, query, page, started, started_wall=wall))
    settle(sessions, timeout_s)
    return sessions


def download_first_table(session: Session, folder: str) -> tuple[str, bytes]:
    """(file name, CSV bytes) of the session's first 'Download CSV' button whose table is not 'timing'."""
    page = session.page
    buttons = page.get_by_role("button", name=__import__("re").compile(r"Download CSV"))
    for i in range(buttons.count()):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=180_000) as info:  # generous: a loaded CI machine, 8 tabs open
            button.click()
        file_name = info.value.suggested_filename  # <experiment>_<table>[_<config hash>].csv
        if not file_name.startswith(f"{session.name}_timing"):
            path = os.path.join(folder, f"{id(session)}_{file_name}")
            info.value.save_as(path)
            with open(path, "rb") as fh:
                return file_name, fh.read()
    raise AssertionError(f"{session.name}: no CSV download besides timing")


def cli_bytes(name: str, query: dict, file_name: str) -> tuple[str, bytes]:
    """(table, bytes) that `python -m brainsim run` writes for the config a link sets (same function, this
    process), for the table a downloaded file is named after (the longest table name that prefixes it)."""
    from brainsim.export import csv_bytes

    exp = registry.get(name)
    tables = exp.execute(cfgmod.make(exp.config, query))
    table = max((t for t in tables if file_name.startswith(f"{name}_{t}")), key=len)
    return table, csv_bytes(tables[table])


def burst(browser, url: str, proc, check=None, timeout_s: float = 240) -> dict:
    """The 8-session burst, then a cached page opened while one long run computes; returns the figures.
    `check(session)` runs on each burst session (a test's assertions) before its page is closed; `timeout_s`
    bounds the burst and each cached page (a session not settled by then has `settled` None)."""
    before = cpu_split(proc.pid)
    sessions = open_sessions(browser, url, BURST, timeout_s)
    after = cpu_split(proc.pid)
    figures = {"settle_s": [s.settled for s in sessions], "rss_burst_mb": rss_mb(proc.pid)}
    figures["served_s"] = [s.served for s in sessions]
    figures["cpu_burst_s"] = {k: after[k] - before[k] for k in after}
    for s in sessions:
        if check is not None:
            check(s)
        s.page.context.close()
    open_sessions(browser, url, [CACHED], timeout_s)[0].page.context.close()  # fills the cache
    idle = open_sessions(browser, url, [CACHED], timeout_s)[0]  # a cached page on an idle server
    long = open_sessions(browser, url, [LONG], timeout_s=0)[0]  # starts computing, not waited for
    time.sleep(3.0)
    again = open_sessions(browser, url, [CACHED], timeout_s)[0]
    figures["cached_idle_s"], figures["cached_during_long_s"] = idle.settled, again.settled
    figures["cached_idle_served_s"], figures["cached_during_long_served_s"] = idle.served, again.served
    figures["long_still_running"] = _busy(long.page)
    figures["rss_after_mb"] = rss_mb(proc.pid)
    figures["sessions"] = sessions
    return figures


def prepared(url: str, proc, quiet_s: float = 3.0, limit_s: float = 180.0) -> float:
    """Open the home page once (a first visitor: the app then prepares itself and its workers, brainsim.prepare)
    and wait until the server and its workers have used under 5 % of a core for `quiet_s`: the state a class
    finds after the teacher has opened the app. Returns the seconds that took."""
    import asyncio

    start = time.perf_counter()
    asyncio.run(_script_done(url, None, {}))
    quiet_since, last = time.perf_counter(), _tree_cpu(proc.pid)
    while time.perf_counter() - start < limit_s:
        time.sleep(1.0)
        now = _tree_cpu(proc.pid)
        if now - last > 0.05:
            quiet_since = time.perf_counter()
        last = now
        if time.perf_counter() - quiet_since >= quiet_s:
            break
    return time.perf_counter() - start


def _protocol():
    """Streamlit's message classes and a websocket client. Imported before any clock starts: the first import
    takes about 3 s, which once counted in the burst (8 sessions started at once waited for it)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    return BackMsg, ForwardMsg, connect


async def _script_done(url: str, name: str | None, query: dict) -> float:
    """Open `name`'s page with the link `query` the way the frontend does, over the app's websocket with no
    browser (Streamlit's own BackMsg/ForwardMsg protocol); seconds until the server's script has finished: the
    server's whole part of showing that page (a link's page runs twice: the link's values are applied, then
    the page reruns with them)."""
    BackMsg, ForwardMsg, connect = _protocol()
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.SetInParent()  # the home page sets no field of it
        if name is not None:  # None: the home page
            msg.rerun_script.query_string = urllib.parse.urlencode({"exp": name, **query})
            msg.rerun_script.page_name = registry.card(name).url_path  # the card, read from the source
        start = time.perf_counter()
        await ws.send(msg.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await ws.recv())
            if forward.WhichOneof("type") == "script_finished":
                if forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    return time.perf_counter() - start


def server_side(url: str, runs=BURST, long_run=LONG, repeats: int = 3) -> dict:
    """The server's part of the burst and of "a cached page while another session's long run computes",
    without browsers (websocket sessions, _script_done): seconds until every one of the burst's 8 sessions,
    opened at the same moment, has its script finished; a cached page's script seconds on the idle server and
    while a long run computes (its live curve drawn), with whether that run was still in flight each time."""
    import asyncio

    _protocol()

    async def measure() -> dict:
        start = time.perf_counter()
        sessions = await asyncio.gather(*(_script_done(url, name, query) for name, query in runs))
        burst_s = time.perf_counter() - start
        await _script_done(url, *CACHED)  # fills the cache
        idle = [await _script_done(url, *CACHED) for _ in range(repeats)]
        long = asyncio.ensure_future(_script_done(url, *long_run))
        await asyncio.sleep(3.0)
        during, in_flight = [], []
        for _ in range(repeats):
            during.append(await _script_done(url, *CACHED))
            in_flight.append(not long.done())
        long_s = await long
        return {
            "burst_s": burst_s,
            "session_s": sessions,
            "idle_s": idle,
            "during_s": during,
            "in_flight": in_flight,
            "long_s": long_s,
        }

    return asyncio.run(measure())


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def cpu_text(cpu: dict[str, float]) -> str:
    """Where the burst's CPU went: on one 2-core machine the wall time cannot be under the total / 2."""
    total = sum(cpu.values())
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in cpu.items())
    return f"CPU during the burst: {parts}; total {total:.0f} CPU s = at least {total / 2:.0f} s on 2 cores"


def server_side_report(fresh: bool, runs=BURST, long_run=LONG) -> str:
    """server_side() on a fresh server (the burst is its first visit) or a prepared one (prepared()), as a line."""
    with server() as (url, proc):
        label = "a fresh server (the burst is its first visit)"
        if not fresh:
            label = f"a prepared server (home page opened, idle after {prepared(url, proc):.0f} s)"
        cpu = cpu_split(proc.pid)
        side = server_side(url, runs, long_run)
        used = {k: v - cpu[k] for k, v in cpu_split(proc.pid).items() if k != "chromium"}
        rss = rss_mb(proc.pid)
    return (
        f"server side (websocket sessions, no browser), {label}: the {len(runs)} sessions' scripts finished in "
        f"{side['burst_s']:.1f} s (target <= 15 s; per session s: "
        + ", ".join(f"{x:.1f}" for x in side["session_s"])
        + "); cached page "
        + ", ".join(f"{x:.2f}" for x in side["idle_s"])
        + " s idle, "
        + ", ".join(f"{x:.2f}" for x in side["during_s"])
        + f" s during another session's long run ({side['long_s']:.0f} s; in flight: {all(side['in_flight'])})"
        f" (target <= 2 s); RSS after {rss:.0f} MB; CPU s over all of it: "
        + ", ".join(f"{k} {v:.0f}" for k, v in used.items())
    )


def main() -> None:
    from playwright.sync_api import sync_playwright

    for label, env in (
        ("worker processes", {}),
        ("one process, BRAINSIM_WORKERS=0 (as before)", {"BRAINSIM_WORKERS": "0"}),
    ):
        with server(env) as (url, proc), sync_playwright() as pw:
            browser = launch(pw.chromium)
            figures = burst(browser, url, proc)
            settled = [s for s in figures["settle_s"] if s is not None]
            print(f"{label}: 8-session burst settles in {max(settled, default=float('nan')):.1f} s (target <= 15 s); ")
            print("  per session s: " + ", ".join(f"{s:.1f}" if s else "timeout" for s in figures["settle_s"]))
            print("  of which the server had sent the page by s: " + ", ".join(_num(s) for s in figures["served_s"]))
            print(
                f"  cached page: {_num(figures['cached_idle_s'])} s on an idle server, "
                f"{_num(figures['cached_during_long_s'])} s while a long run computes (target <= 2 s); "
                f"server RSS with 8 sessions {figures['rss_burst_mb']:.0f} MB, after {figures['rss_after_mb']:.0f} MB"
            )
            print(
                f"  cached page sent by the server in {_num(figures['cached_idle_served_s'])} s idle, "
                f"{_num(figures['cached_during_long_served_s'])} s during the long run (the rest is the browser)"
            )
            print("  " + cpu_text(figures["cpu_burst_s"]))
            browser.close()
    for fresh in (True, False):
        print(server_side_report(fresh))
    start = time.perf_counter()
    for name, query in BURST:
        exp = registry.get(name)
        exp.execute(cfgmod.make(exp.config, query))
    print(f"reference: the 8 runs one after another in this process: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    from brainsim import runtime

    runtime.configure()
    main()
