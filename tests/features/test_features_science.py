"""The page's claims over seeds, with the defaults' settings: Oja's unit finds the first principal component
(Oja 1982), Sanger's rows the first four in order (Sanger 1989), a linear autoencoder the top-k subspace
(Baldi & Hornik 1989); and labels shape what backprop's first layer keeps."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from brainsim import datasets
from brainsim.features import backprop as bp
from brainsim.features import hebbian as hb
from brainsim.features import reference as ref
from brainsim.features.experiment import FeaturesConfig, run

SEEDS = range(5)
CFG = FeaturesConfig()


@pytest.fixture(scope="module")
def digits():
    d = datasets.digits(0.75, 0)
    x = torch.tensor(d.x_train)
    return x - x.mean(0), ref.principal_components(d.x_train, 6)


def test_oja_finds_the_first_principal_component(digits):
    xc, pcs = digits
    cos = [
        ref.abs_cos(hb.train_oja(xc, CFG.hebb_lr, CFG.hebb_epochs, CFG.batch_size, s).w.numpy(), pcs)[0] for s in SEEDS
    ]
    assert min(cos) >= 0.98, cos


def test_oja_weight_length_goes_to_one(digits):
    xc, _ = digits
    w = hb.train_oja(xc, CFG.hebb_lr, CFG.hebb_epochs, CFG.batch_size, 0).w
    assert float(w.norm()) == pytest.approx(1.0, abs=0.02)


def test_sanger_finds_the_first_four_components_in_order(digits):
    xc, pcs = digits
    for s in SEEDS:
        w = hb.train_sanger(xc, 4, CFG.hebb_lr, CFG.hebb_epochs, CFG.batch_size, s).w.numpy()
        cos = ref.abs_cos(w, pcs)
        assert (cos >= 0.95).all(), (s, cos)
        # in order: unit i matches component i better than any other component
        full = np.abs((w / np.linalg.norm(w, axis=1, keepdims=True)) @ pcs.T)
        assert (full.argmax(1) == np.arange(4)).all(), (s, full)


def test_sanger_needs_its_training_an_untrained_unit_is_far_from_the_components(digits):
    xc, pcs = digits
    w = hb.train_sanger(xc, 4, CFG.hebb_lr, CFG.hebb_epochs, CFG.batch_size, 0).history[0][1].numpy()
    assert (ref.abs_cos(w, pcs) < 0.6).all()


@pytest.mark.slow
def test_linear_autoencoder_spans_the_top_k_pca_subspace(digits):
    xc, pcs = digits
    k = 4
    for s in SEEDS:
        f = bp.train_autoencoder(xc, k, "linear", CFG.lr, CFG.epochs, CFG.batch_size, s)
        angles = ref.angles_deg(f.net.span().numpy(), pcs[:k])
        assert angles.max() <= 10.0, (s, angles)
        # but its units are not the components themselves: the code is a rotated mixture
        assert ref.abs_cos(f.net.span().numpy(), pcs).min() < 0.95


@pytest.mark.slow
def test_the_run_reports_the_claims_and_a_probe_per_learner():
    res = run(FeaturesConfig(seeds=2))
    a = res["alignment"]
    last = a[a["epoch"] == a["epoch"].max()]
    assert last[last["learner"] == "oja"]["abs_cos"].min() >= 0.98
    assert last[last["learner"] == "sanger"]["abs_cos"].min() >= 0.95
    s = res["subspace"]
    for learner in ("sanger", "autoencoder"):
        part = s[s["learner"] == learner]
        assert part[part["epoch"] == part["epoch"].max()]["degrees"].max() <= 10.0
    p = res["probe"].groupby("learner")["test_accuracy"].mean()
    assert set(p.index) >= {"oja", "sanger", "competitive", "backprop mlp", "cnn", "autoencoder", "pca (reference)"}
    # the same 4-dimensional subspace reads out the same; labels buy backprop's features far more
    assert abs(p["sanger"] - p["pca (reference)"]) < 0.03 and abs(p["autoencoder"] - p["pca (reference)"]) < 0.03
    assert p["backprop mlp"] > p["sanger"] + 0.08 and p["cnn"] > p["sanger"] + 0.08
    assert p["oja"] < 0.5 < p["competitive"]  # one component is not enough; prototypes are
    assert res["feature_maps"]["panel"].nunique() == FeaturesConfig().filters + 1
