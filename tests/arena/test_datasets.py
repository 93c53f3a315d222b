"""Data sets (brainsim.datasets): seeded generators, the embedded digits, and local IDX / npz loading."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from brainsim import datasets
from brainsim.config import ConfigError


@pytest.mark.parametrize("name", datasets.TASKS_2D)
def test_2d_tasks_are_seeded_and_split(name):
    a = datasets.task_2d(name, n=120, noise=0.1, train_fraction=0.75, seed=3)
    b = datasets.task_2d(name, n=120, noise=0.1, train_fraction=0.75, seed=3)
    c = datasets.task_2d(name, n=120, noise=0.1, train_fraction=0.75, seed=4)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert a.x_train.dtype == np.float32 and a.y_train.dtype == np.int64
    assert len(a.x_train) == 90 and len(a.x_test) == 30 and a.n_features == 2
    assert set(np.unique(a.y_train)) == set(range(a.n_classes))


def test_logic_tables():
    for gate, expected in [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0])]:
        x, y = datasets.logic_table(gate)
        assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == expected


def test_noisy_logic_labels_follow_the_nearest_corner():
    x, y = datasets.noisy_logic("xor", 400, 0.05, seed=1)
    corner = (x > 0.5).astype(int)
    assert np.array_equal(y, corner[:, 0] ^ corner[:, 1])


def test_digits_embedded():
    d = datasets.digits(train_fraction=0.75, seed=0)
    assert d.n_classes == 10 and d.image_shape == (8, 8) and d.n_features == 64
    assert len(d.x_train) + len(d.x_test) == 1797 and 0.0 <= d.x_train.min() and d.x_train.max() <= 1.0
    assert abs(len(d.x_test) / 1797 - 0.25) < 0.01


def _mnist_like(tmp_path, n=60, gz=False):
    r = np.random.default_rng(0)
    images = r.integers(0, 256, size=(n, 6, 5), dtype=np.uint8)
    labels = (np.arange(n) % 3).astype(np.uint8)
    ip, lp = tmp_path / "images.idx", tmp_path / "labels.idx"
    datasets.write_idx(str(ip), images)
    datasets.write_idx(str(lp), labels)
    if gz:
        for p in (ip, lp):
            p.write_bytes(gzip.compress(p.read_bytes()))
    return images, labels, str(ip), str(lp)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip_and_local_dataset(tmp_path, gz):
    images, labels, ip, lp = _mnist_like(tmp_path, gz=gz)
    assert np.array_equal(datasets.load_idx(ip), images)
    d = datasets.load_local(ip, lp, train_fraction=0.5, seed=0)
    assert d.image_shape == (6, 5) and d.n_features == 30 and d.n_classes == 3
    assert len(d.x_train) == 30 and d.x_train.max() <= 1.0


def test_npz_loader_and_subsampling(tmp_path):
    r = np.random.default_rng(1)
    p = tmp_path / "data.npz"
    np.savez(p, x=r.random((500, 4, 4)).astype(np.float32), y=r.integers(0, 4, 500))
    d = datasets.load_local(str(p), train_fraction=0.8, seed=0, max_samples=100)
    assert len(d.x_train) + len(d.x_test) == 100 and d.n_features == 16


def test_pickled_npz_is_refused(tmp_path):
    p = tmp_path / "evil.npz"
    np.savez(p, x=np.array([{"a": 1}], dtype=object), y=np.array([0]))
    with pytest.raises(ConfigError, match="never unpickled"):
        datasets.load_local(str(p))


@pytest.mark.parametrize(
    "payload, fragment",
    [
        (b"\x01\x02\x03", "does not start with an IDX header"),
        (b"\x00\x00\x08\x02\x00\x00", "truncated"),
        (b"\x00\x00\x08\x02\x00\x00\x00\x01\x00\x00\x00\x05\x01\x02", "promises"),
        (b"\x00\x00\x08\x03\xff\xff\xff\xff\x00\x00\x00\x05\x00\x00\x00\x05", "negative size"),
        (b"\x00\x00\x08\x03\x7f\xff\xff\xff\x00\x00\x10\x00\x00\x00\x10\x00", "rows of 16777216 values"),
        (b"\x00\x00\x08\x09" + b"\x00\x00\x00\x01" * 9, "does not start with an IDX header"),
    ],
)
def test_malformed_idx(tmp_path, payload, fragment):
    p = tmp_path / "bad.idx"
    p.write_bytes(payload)
    with pytest.raises(ConfigError, match=fragment):
        datasets.load_idx(str(p))


def test_missing_and_mismatched_files(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        datasets.load_local(str(tmp_path / "none.npz"))
    images, _, ip, _ = _mnist_like(tmp_path)
    lp = tmp_path / "short.idx"
    datasets.write_idx(str(lp), np.zeros(7, dtype=np.uint8))
    with pytest.raises(ConfigError, match="do not match"):
        datasets.load_local(ip, str(lp))
    with pytest.raises(ConfigError, match="labels file"):
        datasets.load_local(ip, "")


def test_npz_in_the_shapes_people_save(tmp_path):
    """Keras' key names, a compressed archive, Fortran order and big-endian floats all load the same pixels."""
    r = np.random.default_rng(2)
    x = r.integers(0, 256, size=(90, 7, 5), dtype=np.uint8)
    y = np.arange(90) % 3
    plain = tmp_path / "plain.npz"
    np.savez(plain, x=x, y=y)
    keras = tmp_path / "keras.npz"
    np.savez_compressed(keras, x_train=np.asfortranarray(x.astype(">f4")), y_train=y.astype(np.uint8), x_test=x[:3])
    a = datasets.load_local(str(plain), seed=1)
    b = datasets.load_local(str(keras), seed=1)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test) and b.image_shape == (7, 5)


@pytest.mark.parametrize(
    "x, y, fragment",
    [
        (np.full((40, 4), np.nan, np.float32), np.arange(40) % 2, "NaN or infinite"),
        (np.zeros((40, 4), np.float32), -(np.arange(40) % 2), "non-negative integers"),
        (np.zeros((40, 4), np.float32), (np.arange(40) % 2).astype(np.float32), "non-negative integers"),
        (np.zeros((40, 4), np.float32), np.zeros(40, np.int64), "at least two classes"),
        (np.zeros((200, 4), np.float32), np.arange(200), f"200 classes; at most {datasets.MAX_CLASSES}"),
    ],
)
def test_bad_image_data_is_one_sentence_naming_the_file(tmp_path, x, y, fragment):
    p = tmp_path / "data.npz"
    np.savez(p, x=x, y=y)
    with pytest.raises(ConfigError) as err:
        datasets.load_local(str(p))
    assert fragment in str(err.value) and str(err.value).startswith("File '")


def test_a_folder_or_a_file_of_another_kind_is_named_as_such(tmp_path):
    """Issue 11: not 'An IDX images file needs its IDX labels file too' for a folder or a text file."""
    with pytest.raises(ConfigError, match="is a folder") as err:
        datasets.load_local(str(tmp_path))
    assert "labels" not in str(err.value)
    text = tmp_path / "notes.txt"
    text.write_text("hello, world\n")
    with pytest.raises(ConfigError, match="neither an .npz archive nor an IDX file") as err:
        datasets.load_local(str(text))
    assert "labels" not in str(err.value)
    _, _, ip, _ = _mnist_like(tmp_path)
    with pytest.raises(ConfigError, match="is an IDX images file; it needs its IDX labels file too"):
        datasets.load_local(ip, "")
