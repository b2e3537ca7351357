"""ch6-catsdogs recipe: Listing 6-12's CNN on a generated ImageFolder tree (quick
configuration, small images), the fc1 size following the image size, and the one-line errors."""
import json
import shutil

import pytest

import ember
from ember import cli
from ember.recipes import ch6_catsdogs
from ember.recipes._cnn import CatsDogsCNN


def test_network_sizes():
    model = CatsDogsCNN(224)
    assert model.fc1.in_features == 25088
    assert sum(p.numel() for p in model.parameters()) == 3308961      # the book's count
    small = CatsDogsCNN(32)
    assert small.fc1.in_features == 128 * 2 * 2
    with ember.no_grad():
        y = small(ember.randn(3, 3, 32, 32))
    assert y.shape == (3, 1) and bool(((y > 0) & (y < 1)).all())
    with pytest.raises(ValueError, match="multiple of 16"):
        CatsDogsCNN(30)


def test_quick_run_on_a_folder(tmp_path):
    data = ch6_catsdogs.make_random_folder(str(tmp_path / "imgs"), per_class=10, size=40)
    out = tmp_path / "out"
    assert cli.main(["run", "ch6-catsdogs", "--quick", "--data", data, "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    for name in ("metrics.json", "history.csv", "best_model.pt", "confusion_matrix.png",
                 "samples.png", "learning_curves.png"):
        assert (out / name).stat().st_size > 0, name
    assert m["classes"] == ["cat", "dog"] and m["image_size"] == 32
    assert m["train_size"] == 20 and m["val_size"] == 10 and len(m["history"]) == 3
    assert m["val_accuracy"] >= 0.8, m          # dark cats vs bright dogs: easy
    assert sum(map(sum, m["confusion_matrix"])) == 10
    model = CatsDogsCNN(32)
    model.load_state_dict(ember.load(str(out / "best_model.pt")))


def test_flat_class_tree_is_split(tmp_path):
    data = ch6_catsdogs.make_random_folder(str(tmp_path / "imgs"), per_class=5, size=20)
    flat = tmp_path / "flat"
    shutil.copytree(tmp_path / "imgs" / "train", flat)
    out = tmp_path / "out"
    assert cli.main(["run", "ch6-catsdogs", "--quick", "--epochs", "1", "--data", str(flat),
                     "--image-size", "16", "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["train_size"] == 8 and m["val_size"] == 2 and m["image_size"] == 16
    assert data


@pytest.mark.parametrize("case, message", [
    ("no-data", "needs images: pass --data FOLDER"),
    ("missing", "no such folder"),
    ("three-classes", "expected 2 class folders"),
    ("no-class-folders", "class folder"),
    ("bad-size", "multiple of 16"),
])
def test_errors_are_one_line(tmp_path, capsys, case, message):
    argv = ["run", "ch6-catsdogs", "--out", str(tmp_path / "o")]
    data = tmp_path / "d"
    if case == "three-classes":
        ch6_catsdogs.make_random_folder(str(data), per_class=2, size=16)
        for split in ("train", "test"):
            (data / split / "bird").mkdir()
            shutil.copy(data / split / "cat" / "cat.0.png", data / split / "bird" / "b.png")
    elif case == "no-class-folders":
        data.mkdir()
        (data / "x.txt").write_text("x")
    if case != "no-data":
        argv += ["--data", str(data)]
    if case == "bad-size":
        argv += ["--image-size", "30"]
    code = cli.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0], err


def test_samples_alternate_classes_from_a_class_ordered_loader():
    # an ImageFolder loader lists every cat before any dog: the picture must still show both
    imgs = ember.arange(12 * 2, dtype=ember.float32).reshape(12, 2)
    labels = ember.tensor([0] * 9 + [1] * 3)
    loader = [(imgs[i:i + 4], labels[i:i + 4]) for i in range(0, 12, 4)]
    x, y = ch6_catsdogs._samples_of_each_class(loader, per_class=2)
    assert y.tolist() == [0, 1, 0, 1]
    assert x.tolist() == [imgs[0].tolist(), imgs[9].tolist(), imgs[1].tolist(), imgs[10].tolist()]
    x, y = ch6_catsdogs._samples_of_each_class(loader[:1], per_class=3)   # no dog at all
    assert y.tolist() == [0, 0, 0] and x.shape == (3, 2)
