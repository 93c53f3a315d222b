"""The forgetting laws (brainsim.memory.forgetting): the fits recover known parameters, and on Ebbinghaus'
(1885) seven savings the power and log laws beat one exponential, as the page says."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brainsim.memory import forgetting as fg
from brainsim.memory.tables import EBB_SOURCE, EBBINGHAUS, MODEL_RECALL, MODEL_STRENGTH, forgetting_tables

TRUTH = {
    "exponential": (0.8, 30.0),
    "two-exponential": (0.4, 1.0, 0.3, 1200.0),
    "power law": (0.5, 0.2),
    "power-exponential": (0.9, 2.0, 0.3, 500.0),
    "log law": (1.84, 1.25),
}
T = np.geomspace(0.3, 800.0, 12)  # hours


@pytest.mark.parametrize("law", fg.LAWS, ids=fg.LAW_NAMES)
def test_fits_recover_known_parameters(law):
    exact = fg.fit(law, T, law(T, TRUTH[law.name]))
    assert np.allclose(exact.params, TRUTH[law.name], rtol=1e-3) and exact.sse < 1e-12
    noise = np.random.default_rng(0).normal(0.0, 0.002, len(T))
    noisy = fg.fit(law, T, law(T, TRUTH[law.name]) + noise)
    assert noisy.sse <= float(noise @ noise)  # at least as good as the truth
    assert np.allclose(noisy(T), law(T, TRUTH[law.name]), atol=0.004)


def test_a_law_needs_three_points_more_than_parameters_and_aic_counts_them():
    two = fg.LAWS[fg.LAW_NAMES.index("two-exponential")]
    assert fg.fit(two, T[:6], two(T[:6], TRUTH["two-exponential"])) is None  # AICc needs 4 + 3 points
    f = fg.fit(fg.LAWS[0], T, fg.LAWS[0](T, TRUTH["exponential"]) + 0.01 * np.cos(T))
    n, k = len(T), 3  # two parameters and the residual variance
    assert f.aic == pytest.approx(n * np.log(f.sse / n) + 2 * k)
    assert f.aicc == pytest.approx(f.aic + 2 * k * (k + 1) / (n - k - 1))


def _ebbinghaus_fits() -> pd.DataFrame:
    _, fits = forgetting_tables(pd.DataFrame(columns=["learner", "condition", "delay_s", "recall", "strength"]))
    return fits.set_index("model")


def test_on_ebbinghaus_the_power_and_log_laws_beat_one_exponential():
    fits = _ebbinghaus_fits()
    assert set(fits["source"]) == {EBB_SOURCE} and (fits["n_points"] == len(EBBINGHAUS)).all()
    sse = fits["sse"]
    assert sse["power law"] < sse["exponential"] / 10 and sse["log law"] < sse["exponential"] / 10
    assert sse["log law"] < sse["power law"] < sse["two-exponential"]  # with two parameters, not four
    assert sse["exponential"] == pytest.approx(0.058, abs=0.002)
    assert sse["two-exponential"] == pytest.approx(0.0047, abs=0.0002)
    assert sse["power law"] == pytest.approx(0.0029, abs=0.0001)
    assert sse["log law"] == pytest.approx(0.0022, abs=0.0001)
    assert fits["delta_aicc"].idxmin() == "log law" and fits.loc["log law", "delta_aicc"] == 0.0
    # the log law's constants come out near Ebbinghaus' own k = 1.84, c = 1.25
    k, c = (float(p.split("=")[1]) for p in fits.loc["log law", "parameters"].split(","))
    assert k == pytest.approx(1.84, rel=0.05) and c == pytest.approx(1.25, rel=0.05)


def test_the_model_curves_are_fitted_beside_ebbinghaus():
    ret = pd.DataFrame(
        dict(
            learner="two-timescale synapse",
            condition="consolidation on",
            delay_s=np.repeat([1200.0, 3600.0, 86400.0, 7 * 86400.0, 31 * 86400.0], 2),
            recall=np.repeat([1.0, 0.95, 0.9, 0.8, 0.6], 2),
            strength=np.repeat([2.0, 1.8, 1.5, 1.2, 0.9], 2),
        )
    )
    curves, fits = forgetting_tables(ret)
    assert list(dict.fromkeys(fits["source"])) == [EBB_SOURCE, MODEL_RECALL, MODEL_STRENGTH]
    strength = curves[(curves.source == MODEL_STRENGTH) & (curves.model == "data")]
    assert np.allclose(strength["value"], [1.0, 0.9, 0.75, 0.6, 0.45])  # relative to the first delay
    assert set(fits[fits.source == MODEL_RECALL]["model"]) == {"exponential", "power law", "log law"}  # 5 points
