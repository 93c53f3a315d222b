"""The Sweep page through streamlit's AppTest: a one-field line, a two-field heatmap, a refused large sweep."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from brainsim import workers


def page_script():
    from brainsim import runtime
    from brainsim.ui import sweep_page

    runtime.configure()
    sweep_page.page()


def clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.slow
def test_sweep_page_draws_a_line_a_heatmap_and_refuses_a_large_sweep(monkeypatch):
    # points on threads of this process, in a pool of this test's own: the module's pool is restored after, so a
    # later test in this pytest worker still gets worker processes
    for attr in ("_POOL", "_MODE", "_SINK", "_CANCELLED"):
        monkeypatch.setattr(workers, attr, getattr(workers, attr))
    monkeypatch.setattr(workers, "_POOL", None)
    monkeypatch.setenv(workers.WORKERS_ENV, "0")
    at = AppTest.from_function(page_script, default_timeout=240).run()
    clean(at)
    assert at.title[0].value == "Sweeps" and at.info
    at.text_area(key="sweep.xor.set").set_value("epochs=5\nseeds=1")
    at.number_input(key="sweep.xor.seeds").set_value(2)
    at.multiselect(key="sweep.xor.f").set_value(["hidden"]).run()
    at.number_input(key="sweep.xor.hidden.n").set_value(2).run()
    clean(at)
    assert len(at.get("plotly_chart")) == 1
    downloads = [b.proto.label for b in at.get("download_button")]
    assert {"Download CSV: curves", "Download CSV: summary", "Download sweep.json"} <= set(downloads)
    at.multiselect(key="sweep.xor.f").set_value(["hidden", "lr"]).run()
    at.number_input(key="sweep.xor.lr.n").set_value(2).run()
    clean(at)
    assert len(at.get("plotly_chart")) == 1
    at.number_input(key="sweep.xor.seeds").set_value(20)
    at.number_input(key="sweep.xor.lr.n").set_value(12).run()
    assert not at.exception and len(at.error) == 1 and "python -m brainsim sweep xor" in at.error[0].value
