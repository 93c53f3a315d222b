"""Issue 17 in a real browser: the live curve appears while a run is in flight and goes when it ends;
the timeline's slider changes the figure. Reuses test_browser's server and Chromium fixtures."""

from __future__ import annotations

import os
import time

import pytest
from test_browser import (  # noqa: F401 (fixtures)
    SHOTS,
    assert_no_exception,
    browser,
    open_fold,
    server,
    wait_until_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Long enough (a few seconds) to be seen in flight; a seed no other test runs, so the run is not cached.
LIVE_URL = "/single_neuron?exp=xor&epochs=1500&seeds=2&seed=7171"
TIMELINE_URL = "/single_neuron?exp=xor&epochs=200&seeds=1&seed=7272"

PLOT_Z = """(title) => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')]
    .find(g => g.layout && g.layout.title && String(g.layout.title.text).includes(title));
  if (!gd) return null;
  return JSON.stringify(gd.data.filter(t => t.type === 'heatmap').map(t => t.z));
}"""

ACTIVE = """(title) => {
  const gd = [...document.querySelectorAll('.js-plotly-plot')]
    .find(g => g.layout && g.layout.title && String(g.layout.title.text).includes(title));
  return gd._fullLayout.sliders[0].active;
}"""


def _open(browser, url: str):  # noqa: F811 (the fixture)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(240_000)
    page.goto(url)
    return page


def test_live_curve_draws_while_the_run_is_in_flight_then_gives_way_to_the_results(server, browser):  # noqa: F811
    page = _open(browser, server + LIVE_URL)
    try:
        live = page.locator(".gtitle", has_text="live")
        live.first.wait_for(timeout=120_000)
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
        assert state == "running", f"a live curve was drawn but the script is {state}"
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, "live_curve_in_flight.png"), full_page=False)
        wait_until_idle(page)
        assert_no_exception(page)
        assert page.locator(".gtitle", has_text="live").count() == 0, "the live curve stayed after the run"
        assert page.locator(".gtitle", has_text="Training accuracy").count() >= 1
    finally:
        page.close()


def test_timeline_slider_changes_the_decision_regions(server, browser):  # noqa: F811
    page = _open(browser, server + TIMELINE_URL)
    try:
        wait_until_idle(page)
        assert_no_exception(page)
        open_fold(page, "Timeline: decision regions while training")
        open_fold(page, "Timeline: the network")
        title = "Decision regions while training"
        plot = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text=title)).first
        plot.scroll_into_view_if_needed()
        before = page.evaluate(PLOT_Z, title)
        assert before is not None, "no timeline figure"
        assert page.evaluate(ACTIVE, title) == 49  # the slider starts at the last snapshot (epoch 200)
        rail = plot.locator(".slider-rail-touch-rect").first
        box = rail.bounding_box()
        page.mouse.click(box["x"] + 3, box["y"] + box["height"] / 2)  # the slider's first step: epoch 0
        deadline = time.time() + 60  # generous: CI draws while the suite's other worker holds a core
        while time.time() < deadline and page.evaluate(PLOT_Z, title) == before:
            time.sleep(0.2)
        after = page.evaluate(PLOT_Z, title)
        assert after != before, "moving the slider did not change the figure"
        assert page.evaluate(ACTIVE, title) == 0
        os.makedirs(SHOTS, exist_ok=True)
        plot.screenshot(path=os.path.join(SHOTS, "timeline_epoch0.png"))
        net = page.locator(".js-plotly-plot", has=page.locator(".gtitle", has_text="The network while training")).first
        net.scroll_into_view_if_needed()
        net.screenshot(path=os.path.join(SHOTS, "network_final.png"))
    finally:
        page.close()
