"""Units of the receptive-field package against hand-computed answers and known references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from brainsim import config as C
from brainsim.features import charts as fc
from brainsim.features import hebbian as hb
from brainsim.features import reference as ref
from brainsim.features.experiment import FeaturesConfig
from brainsim.rules.hebbian import oja


def test_sanger_equals_the_hand_computed_update():
    x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])  # (B = 2, d = 2)
    w = torch.tensor([[0.5, 0.0], [0.0, 1.0]])  # (k = 2, d)
    y = x @ w.T  # [[0.5, 2], [0, -1]]
    # y xᵀ summed: [[0.5, 1], [2, 5]]; y yᵀ summed: [[0.25, 1], [1, 5]] -> lower triangle [[0.25, 0], [1, 5]]
    expected = 0.1 * (torch.tensor([[0.5, 1.0], [2.0, 5.0]]) - torch.tensor([[0.25, 0.0], [1.0, 5.0]]) @ w) / 2
    assert torch.allclose(hb.sanger(x, y, w, 0.1), expected)


def test_sanger_with_one_unit_is_ojas_rule():
    g = torch.Generator().manual_seed(0)
    x, w = torch.randn(16, 5, generator=g), torch.randn(1, 5, generator=g)
    assert torch.allclose(hb.sanger(x, x @ w.T, w, 0.3), oja(x, x @ w.T, w, 0.3), atol=1e-6)


def test_cosines_and_angles_know_identical_and_orthogonal_subspaces():
    eye = np.eye(6)
    assert ref.abs_cos(-2 * eye[:3], eye[:3]) == pytest.approx([1, 1, 1])
    assert ref.angles_deg(eye[[1, 0]] + eye[[0, 1]], eye[:2]).max() == pytest.approx(0, abs=1e-6)
    assert ref.angles_deg(eye[2:4], eye[:2]) == pytest.approx([90, 90])
    w = np.array([[-1.0, 0, 0], [0, 2.0, 0]])
    assert (ref.aligned(w, np.eye(3)[:2]) >= 0).all()


def test_pca_reference_is_ordered_and_orthonormal():
    r = np.random.default_rng(0)
    x = r.standard_normal((500, 4)) * np.array([3.0, 2.0, 1.0, 0.5])
    pcs = ref.principal_components(x, 3)
    assert np.allclose(pcs @ pcs.T, np.eye(3), atol=1e-8)
    assert np.allclose(np.abs(pcs), np.eye(4)[:3], atol=0.1)


def test_probe_separates_separable_classes_and_not_noise():
    g = torch.Generator().manual_seed(1)
    y = torch.arange(200) % 2
    f = torch.randn(200, 3, generator=g) + 4.0 * y[:, None]
    assert ref.linear_probe(f[:100], y[:100], f[100:], y[100:], 2)[1] == 1.0
    noise = torch.randn(200, 3, generator=g)
    assert ref.linear_probe(noise[:100], y[:100], noise[100:], y[100:], 2)[1] < 0.75


def test_competitive_units_start_on_training_images_and_stay_unit_length():
    x = torch.rand(50, 9)
    t = hb.train_competitive(x, 4, 0.2, 3, 10, seed=0)
    start = t.history[0][1]
    cos = start @ hb.unit_rows(x).T  # each start row is one image scaled to unit length
    assert torch.allclose(cos.max(1).values, torch.ones(4), atol=1e-6)
    assert torch.allclose(t.w.norm(dim=1), torch.ones(4), atol=0.05) and not t.diverged


def test_a_rule_that_blows_up_is_marked_diverged():
    x = torch.randn(40, 4) * 100
    assert hb.train_oja(x, 2.0, 3, 8, seed=0).diverged


def test_mosaic_tiles_every_unit_with_gaps():
    rows = [(u, r, c, float(u)) for u in (1, 2, 3) for r in range(2) for c in range(3)]
    import pandas as pd

    df = pd.DataFrame(rows, columns=["unit", "row", "col", "w"])
    pic, tile = fc.mosaic(df, "w", "unit")
    assert pic.shape == (2 * 3 - 1, 2 * 4 - 1)  # 2 x 2 tiles of 2 x 3 pixels, one-pixel gaps
    assert set(np.unique(tile)) == {0, 1, 2, 3} and np.isnan(pic[2]).all()


def test_config_refuses_empty_learners_and_a_missing_file():
    with pytest.raises(C.ConfigError, match="learners"):
        FeaturesConfig(learners=())
    with pytest.raises(C.ConfigError, match="file_path"):
        FeaturesConfig(data="local file")
