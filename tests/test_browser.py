"""A person's view: a real Chromium (through Playwright) against `streamlit run` on a loopback port.

Opens every page at its address (the registry's url_path), waits until the script has finished,
asserts no exception is shown, clicks every "Download CSV" button and parses the file, and saves a
screenshot per page under artifacts/.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pandas as pd
import pytest
from conftest import EXPERIMENTS, ROOT

from brainsim import registry

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = os.path.join(ROOT, "artifacts", "screenshots")


def chromium_path() -> str | None:
    """Debian's chromium when installed; otherwise None lets Playwright use its own download."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server():
    """`streamlit run app.py` on a free loopback port; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        exe = chromium_path()
        b = pw.chromium.launch(
            executable_path=exe,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield b
        b.close()


def wait_until_idle(page, timeout_s: float = 240) -> None:
    """Wait until the script run has finished (stApp's data-test-script-state is "notRunning")
    and the lazily loaded elements have replaced their skeletons, steadily for a second."""
    page.wait_for_selector("[data-testid='stApp']", timeout=timeout_s * 1000)
    deadline = time.time() + timeout_s
    quiet_since = None
    while time.time() < deadline:
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
        busy = state != "notRunning" or page.locator("[data-testid='stSkeleton']").count() > 0
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.0:
            return
        time.sleep(0.2)
    raise AssertionError(f"the page's script did not finish in {timeout_s} s")


FOLDED = "[data-testid='stExpander'] details:not([open]) > summary"


def open_fold(page, title: str) -> None:
    """Click the folded chart or section titled `title` open and wait for its rerun to settle."""
    page.locator(FOLDED, has_text=title).first.click()
    wait_until_idle(page)


def open_every_fold(page) -> None:
    """Open every folded expander (a chart's fold reruns the script to draw its chart): one click at a time, each
    as soon as the last fold has opened, then settle. A click landing while a rerun redraws the page can be
    undone by it (seen under load), so the round is repeated for any fold left closed."""
    folded = page.locator(FOLDED)
    for _ in range(4):
        for _ in range(60):
            n = folded.count()
            if n == 0:
                break
            folded.first.click()
            page.wait_for_function(f'n => document.querySelectorAll("{FOLDED}").length < n', arg=n, timeout=60_000)
        wait_until_idle(page)
        if folded.count() == 0:
            return
    raise AssertionError(f"{folded.count()} folds stayed closed after 4 rounds")


def assert_no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, page.locator(
        "[data-testid='stException']"
    ).first.inner_text()


def test_home_page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="brainsim").count() == 1
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "home.png"), full_page=True)
    page.close()


def test_page_address_opened_first_on_a_fresh_server_gets_the_app_navigation(browser):
    """The first request a new server sees is a page's address: it runs that page inside app.py's
    navigation (a pages/ folder beside app.py would make Streamlit answer 'Page not found' here)."""
    exp = registry.get("xor")
    with streamlit_server() as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/{exp.url_path}")
        wait_until_idle(page)
        assert_no_exception(page)
        assert page.get_by_text("Page not found").count() == 0
        assert page.get_by_role("heading", name=exp.title).count() >= 1
        nav = page.locator("[data-testid='stSidebarNav']")
        for title in ["Home"] + [registry.get(n).title for n in EXPERIMENTS]:
            assert nav.get_by_text(title, exact=True).count() == 1, title
        page.close()


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_page_renders_and_every_csv_downloads(server, browser, name, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 2400}, accept_downloads=True)
    page.goto(f"{server}/{registry.get(name).url_path}")
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator(".js-plotly-plot").count() >= 1
    charts = page.locator(".js-plotly-plot").count()
    open_every_fold(page)  # every chart drawn, every table's button shown
    assert page.locator(".js-plotly-plot").count() > charts  # the folded charts were not drawn before
    buttons = page.get_by_role("button", name=re.compile(r"^Download CSV"))
    n = buttons.count()
    assert n >= 1
    for i in range(n):
        button = buttons.nth(i)
        button.scroll_into_view_if_needed()
        with page.expect_download(timeout=60_000) as info:
            button.click()
        path = tmp_path / f"{i}.csv"
        info.value.save_as(path)
        df = pd.read_csv(io.BytesIO(path.read_bytes()))
        assert len(df) > 0 and len(df.columns) > 1, f"download {i} on {name} is empty"
    assert_no_exception(page)
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)
    page.close()


def test_link_restores_settings_in_the_browser(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/single_neuron?exp=xor&task=or&seeds=2&epochs=50")
    wait_until_idle(page)
    assert_no_exception(page)
    wait_until_idle(page)
    assert "task=or" in page.url
    # OR is linearly separable: with the link's task the single neuron's headline reads 100%
    metric = page.locator("[data-testid='stMetric']").filter(has_text="single neuron (delta)")
    assert "100%" in metric.first.inner_text()
    page.close()


# --------------------------------------------------------------------------- what a newcomer hits (issue 11)


def _open(browser, url: str, width: int = 1400, height: int = 1000, **kwargs):
    page = browser.new_page(viewport={"width": width, "height": height}, **kwargs)
    page.goto(url)
    wait_until_idle(page)
    assert_no_exception(page)
    return page


def _choose(page, label: str, option: str) -> None:
    """Pick `option` in the sidebar selectbox whose label starts with `label`."""
    box = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").filter(
        has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}"))
    )
    box.locator("input, [role='combobox']").first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_until_idle(page)


def _commit(box, text: str) -> None:
    box.fill(text)
    box.press("Enter")


def test_global_seed_and_device_survive_navigation_in_the_browser(server, browser):
    page = _open(browser, server)
    seed = page.get_by_role("spinbutton", name=re.compile(r"^seed"))
    _commit(seed, "5")
    wait_until_idle(page)
    _choose(page, "device", "cpu")
    assert "seed=5" in page.url and "device=cpu" in page.url
    title = registry.get("xor").title
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.get_by_role("heading", name=title).count() >= 1
    assert "seed=5" in page.url and "device=cpu" in page.url, page.url
    assert page.get_by_role("spinbutton", name=re.compile(r"^seed")).input_value() == "5"
    page.locator("[data-testid='stSidebarNav']").get_by_text("Home", exact=True).click()
    wait_until_idle(page)
    assert "seed=5" in page.url and "device=cpu" in page.url, page.url
    page.close()


def test_number_box_refuses_empty_and_out_of_range_entries(server, browser):
    page = _open(browser, f"{server}/{registry.get('xor').url_path}")
    box = page.get_by_role("spinbutton", name=re.compile(r"^MLP learning rate \(0\.0001 to 100\)"))
    errors = page.locator("[data-testid='stSidebar'] [data-testid='stAlertContentError']")
    before = box.input_value()
    _commit(box, "")
    wait_until_idle(page)
    assert "was left empty" in errors.first.inner_text() and "0.0001 to 100" in errors.first.inner_text()
    assert box.input_value() == before
    _commit(box, "500")
    wait_until_idle(page)
    assert "cannot be 500" in errors.first.inner_text()
    assert box.input_value() == before and "lr=0.05" in page.url
    page.close()


_CUT = """() => [...document.querySelectorAll("[data-testid='stMetric'] *")]
    .filter(el => el.children.length === 0 && el.scrollWidth > el.clientWidth + 1)
    .map(el => el.textContent)"""


def test_headline_numbers_are_not_cut_at_lecture_widths(server, browser):
    """No metric label or value is cut with an ellipsis at 1024 or 1500 px: each page is opened once and
    resized (the metrics' widths are CSS, no rerun), with a screenshot of its top at each width."""
    os.makedirs(SHOTS, exist_ok=True)
    for name in EXPERIMENTS:
        page = _open(browser, f"{server}/{registry.get(name).url_path}", width=1024, height=1200)
        for width in (1024, 1500):
            page.set_viewport_size({"width": width, "height": 1200})
            page.wait_for_timeout(300)  # the columns reflow
            assert page.locator("[data-testid='stMetric']").count() >= 2, name
            assert page.evaluate(_CUT) == [], (name, width)
            page.screenshot(path=os.path.join(SHOTS, f"{name}_{width}.png"))
        page.close()


def test_own_data_box_sits_under_the_task_choice(server, browser):
    page = _open(browser, f"{server}/{registry.get('arena').url_path}")
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("noise (0 to 1)", exact=True).count() == 1
    _choose(page, "task", "csv text")
    box = sidebar.get_by_label("CSV text", exact=True)
    assert box.is_visible()  # not folded away in Advanced
    assert sidebar.get_by_text(re.compile(r"up to 200,000 characters")).count() == 1
    assert sidebar.get_by_text("noise (0 to 1)", exact=True).count() == 0  # 2-D settings hidden for own data
    error = page.locator("[data-testid='stAlertContentError']").first.inner_text()
    assert "the box 'CSV text' under the task" in error
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "arena_csv_text.png"))
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}" for i in range(80))
    box.fill("a,b,label\n" + rows)
    box.press("Control+Enter")
    wait_until_idle(page)
    assert_no_exception(page)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator(".js-plotly-plot").count() >= 1
    page.close()


def test_downloads_carry_the_config_hash_and_the_zip_holds_every_table(server, browser, tmp_path):
    import zipfile

    page = _open(
        browser, f"{server}/{registry.get('arena').url_path}?exp=arena&task=moons&seed=7", accept_downloads=True
    )
    labels = [b.inner_text() for b in page.get_by_role("button", name=re.compile(r"^Download CSV")).all()]
    assert len(labels) == len(set(labels)), labels  # one button per table
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download CSV: curves").click()
    name = info.value.suggested_filename
    assert re.fullmatch(r"arena_curves_[0-9a-f]{6}\.csv", name), name
    info.value.save_as(tmp_path / name)
    curves = (tmp_path / name).read_bytes()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name=re.compile(r"Download all \(zip\)")).click()
    assert info.value.suggested_filename == name.replace("curves", "all").replace(".csv", ".zip")
    info.value.save_as(tmp_path / "all.zip")
    with zipfile.ZipFile(tmp_path / "all.zip") as zf:
        files = {n.split("/", 1)[1]: zf.read(n) for n in zf.namelist()}
    assert {"config.json", "curves.csv", "summary.csv", "boundary.csv"} <= set(files)
    assert files["curves.csv"] == curves
    assert '"seed": 7' in files["config.json"].decode() and '"task": "moons"' in files["config.json"].decode()
    page.close()
