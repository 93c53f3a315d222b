"""Units of the overfitting package against hand-computed answers and torch references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from brainsim import config as C
from brainsim import registry, runtime
from brainsim.overfitting import data, nets, tables, training


def _gens(k, stream=0):
    return [runtime.torch_generator(s, stream) for s in range(k)]


def test_corrupt_flips_about_the_noise_fraction_and_always_to_another_class():
    y = np.arange(20_000) % 10
    noisy = data.corrupt(y, 0.3, runtime.rng(0))
    flipped = noisy != y
    assert abs(flipped.mean() - 0.3) < 0.015
    assert noisy.min() >= 0 and noisy.max() <= 9
    assert (data.corrupt(y, 0.0, runtime.rng(0)) == y).all()


def test_split_sets_are_disjoint_and_training_sets_nest():
    small = data.seed_split(3, 50, 100, 200, 0.2)
    large = data.seed_split(3, 120, 100, 200, 0.2)
    assert np.array_equal(large[0][:50], small[0]) and np.array_equal(large[5], small[5])  # nested; same test
    assert np.array_equal(small[6], large[6])


def test_shifted_copies_hold_the_image_and_its_one_pixel_shifts():
    x = torch.arange(64, dtype=torch.float32).reshape(1, 64)
    s = data.shifted_copies(x)  # (9, 1, 64)
    img = s.reshape(9, 8, 8)
    assert torch.equal(img[4], x.reshape(8, 8))
    assert torch.equal(img[0][1:, 1:], x.reshape(8, 8)[:-1, :-1]) and (img[0][0] == 0).all()


def test_cnn_equals_conv2d_relu_maxpool_linear():
    """The im2col convolution and the window-ordered pooling equal torch.nn's Conv2d + MaxPool2d."""
    model = nets.CNN(_gens(3))
    x = torch.rand(3, 5, 64, generator=torch.Generator().manual_seed(1))
    got = model(model.inputs(x))
    for m in range(3):
        w = model.conv.weight[m].T.reshape(nets.CNN_CHANNELS, 1, 3, 3)
        a = F.conv2d(x[m].reshape(5, 1, 8, 8), w, model.conv.bias[m, 0], padding=1)
        h = F.max_pool2d(torch.relu(a), 2)  # (5, C, 4, 4)
        flat = h.permute(0, 2, 3, 1).reshape(5, -1)  # window-major, channels last
        want = flat @ model.out.weight[m] + model.out.bias[m]
        torch.testing.assert_close(got[m], want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("arch", ["mlp", "cnn"])
def test_a_member_computes_the_same_whatever_is_batched_beside_it(arch):
    gens = _gens(4)
    x = torch.rand(4, 7, 64, generator=torch.Generator().manual_seed(2))
    many = nets.MLP(gens, 16) if arch == "mlp" else nets.CNN(gens)
    one = nets.MLP(_gens(4)[2:3], 16) if arch == "mlp" else nets.CNN(_gens(4)[2:3])
    assert torch.equal(many(many.inputs(x))[2], one(one.inputs(x[2:3]))[0])


def test_weight_decay_equals_torch_optims_coupled_weight_decay():
    torch.manual_seed(0)
    w = torch.randn(2, 3, 4)
    lam = torch.tensor([0.0, 0.1])
    a = torch.nn.Parameter(w.clone())
    b = [torch.nn.Parameter(w[i].clone()) for i in range(2)]
    opt_a = torch.optim.Adam([a], lr=0.01)
    opts = [torch.optim.Adam([b[i]], lr=0.01, weight_decay=float(lam[i])) for i in range(2)]
    for _ in range(3):
        (a**3).sum().backward()
        training.add_weight_decay([a], lam)
        opt_a.step()
        opt_a.zero_grad()
        for i in range(2):
            (b[i] ** 3).sum().backward()
            opts[i].step()
            opts[i].zero_grad()
    torch.testing.assert_close(a.detach(), torch.stack([p.detach() for p in b]))


def test_dropout_zeroes_about_p_and_keeps_the_mean():
    h = torch.ones(2, 1000, 50)
    out = nets.dropout(h, torch.tensor([0.0, 0.4]), [None, torch.Generator().manual_seed(0)])
    assert torch.equal(out[0], h[0])
    assert abs((out[1] == 0).float().mean().item() - 0.4) < 0.01 and abs(out[1].mean().item() - 1) < 0.02


def test_early_stopping_picks_the_earliest_best_validation_epoch():
    val = np.array([[0.1, 0.5], [0.6, 0.5], [0.6, np.nan], [0.2, 0.4]])
    assert tables.stop_epochs(val).tolist() == [1, 0]


@pytest.mark.parametrize(
    "values, word",
    [
        ({"learners": []}, "learners"),
        ({"n_train": 1200, "n_test": 500, "n_val": 300}, "add up"),
        ({"sweep": "training set size", "sweep_sizes": [1200], "n_test": 500}, "add up"),
        ({"sweep": "width", "sweep_widths": []}, "sweep_widths"),
        ({"seeds": 10, "epochs": 400, "n_train": 1000}, "million images"),
    ],
)
def test_impossible_settings_are_refused_with_one_sentence(values, word):
    with pytest.raises(C.ConfigError, match=word):
        C.make(registry.get("overfitting").config, values)
