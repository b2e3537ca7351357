"""ch6-mnist recipe: Listing 6-4's CNN on the embedded digits (quick configuration) through the
CLI, its artefacts and metrics; the --data readers (Kaggle CSV, IDX folder) and their errors."""
import csv
import gzip
import json

import numpy as np
import pytest

from ember import cli
from ember.recipes import RecipeError, ch6_mnist


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch6mnist")
    assert cli.main(["run", "ch6-mnist", "--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "metrics.json").read_text())


def test_quick_run_learns_and_writes_artefacts(result):
    out, m = result
    for name in ("metrics.json", "history.csv", "best_model.pt", "confusion_matrix.png",
                 "samples.png", "learning_curves.png"):
        assert (out / name).stat().st_size > 0, name
    assert any((out / "tensorboard").iterdir())
    assert m["train_size"] == 600 and m["val_size"] == 200
    assert m["val_accuracy"] >= 0.7, m["val_accuracy"]         # chance is 0.1
    hist = m["history"]
    assert len(hist) == 2 and hist[-1]["loss"] < hist[0]["loss"]
    cm = np.array(m["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 200
    assert np.trace(cm) / 200 == pytest.approx(m["val_accuracy"])
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert set(rows[0]) == {"epoch", "loss", "val_loss", "val_accuracy"}


def test_best_checkpoint_reloads(result):
    import ember
    from ember.recipes._cnn import DigitCNN
    out, _ = result
    model = DigitCNN(10)
    model.load_state_dict(ember.load(str(out / "best_model.pt")))
    model.eval()
    with ember.no_grad():
        y = model(ember.zeros(2, 1, 28, 28))
    assert y.shape == (2, 10)
    assert np.allclose(y.exp().sum(1).numpy(), 1.0, atol=1e-5)     # log_softmax output


def test_split_shuffles_the_sorted_digits():
    labels = np.repeat(np.arange(10), 50)
    images = np.arange(500)[:, None].repeat(784, 1)
    xtr, ytr, xva, yva = ch6_mnist.split(images, labels, 100, 0, seed=0)
    assert len(yva) == 100 and len(ytr) == 400
    assert len(set(yva.tolist())) == 10                 # not just the last digits
    assert not set(xva[:, 0]) & set(xtr[:, 0])
    with pytest.raises(RecipeError, match="--val-size"):
        ch6_mnist.split(images, labels, 500, 0, seed=0)


def _digits(n=30):
    from ember.datasets import load_mnist
    images, labels = load_mnist()
    idx = np.random.RandomState(0).choice(len(labels), n, replace=False)
    return images[idx], labels[idx]


def test_kaggle_csv_and_idx_folder(tmp_path):
    images, labels = _digits()
    path = tmp_path / "train.csv"
    with open(path, "w") as f:
        f.write("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
        for x, y in zip(images, labels):
            f.write(f"{y}," + ",".join(map(str, x)) + "\n")
    xi, yi, src = ch6_mnist.load_data(str(path))
    assert np.array_equal(xi, images) and np.array_equal(yi, labels) and "CSV" in src

    raw = tmp_path / "idx" / "MNIST" / "raw"
    raw.mkdir(parents=True)
    n = len(labels)
    with gzip.open(raw / "train-images-idx3-ubyte.gz", "wb") as f:
        f.write((0x803).to_bytes(4, "big") + b"".join(v.to_bytes(4, "big") for v in (n, 28, 28))
                + images.astype(np.uint8).tobytes())
    with gzip.open(raw / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write((0x801).to_bytes(4, "big") + n.to_bytes(4, "big")
                + labels.astype(np.uint8).tobytes())
    xi, yi, src = ch6_mnist.load_data(str(tmp_path / "idx"))
    assert np.array_equal(xi, images) and np.array_equal(yi, labels) and "IDX" in src


def test_run_on_a_csv_end_to_end(tmp_path):
    images, labels = _digits(60)
    path = tmp_path / "train.csv"
    with open(path, "w") as f:
        f.write("label," + ",".join(f"pixel{i}" for i in range(784)) + "\n")
        for x, y in zip(images, labels):
            f.write(f"{y}," + ",".join(map(str, x)) + "\n")
    out = tmp_path / "out"
    assert cli.main(["run", "ch6-mnist", "--quick", "--epochs", "1", "--data", str(path),
                     "--val-size", "20", "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["train_size"] == 40 and m["val_size"] == 20 and "CSV" in m["data"]


@pytest.mark.parametrize("kind, message", [
    ("missing", "no such file or folder"),
    ("emptydir", "no MNIST IDX files"),
    ("testcsv", "no 'label' column"),
    ("badcsv", "expected 784 pixel columns"),
])
def test_data_errors_are_one_line(tmp_path, capsys, kind, message):
    path = tmp_path / "d"
    if kind == "emptydir":
        path.mkdir()
    elif kind == "testcsv":
        path.write_text(",".join(f"pixel{i}" for i in range(784)) + "\n" + ",".join("0" * 784)
                        + "\n")
    elif kind == "badcsv":
        path.write_text("label,a,b\n1,2,3\n")
    code = cli.main(["run", "ch6-mnist", "--data", str(path), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0], err
