"""ch6-transfer recipe: pre-train on digits 0-4, freeze the conv units, fine-tune a new head on
50 digits 5-9 and compare with training from scratch (quick configuration); the VGG16 flow on a
generated image folder with a small VGG-shaped model standing in for the 138M-parameter one;
and the flow's one-line errors."""
import json

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember import cli
from ember.recipes import ch6_catsdogs, ch6_transfer
from ember.recipes._cnn import DigitCNN


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch6transfer")
    assert cli.main(["run", "ch6-transfer", "--quick", "--out", str(out)]) == 0
    return out, json.loads((out / "metrics.json").read_text())


def test_quick_transfer_beats_scratch(result):
    out, m = result
    for name in ("metrics.json", "history.csv", "best_model.pt", "pretrained_0-4.pt",
                 "samples.png"):
        assert (out / name).stat().st_size > 0, name
    assert m["flow"] == "mnist" and m["shots"] == 50 and m["test_size"] == 300
    assert m["transferred_accuracy"] >= 0.6, m                  # chance is 0.2
    assert m["transferred_accuracy"] > m["scratch_accuracy"], m
    # only the new head trains: fc1 (1568*128 + 128) + fc2 (128*5 + 5)
    assert m["trainable_parameters"] == 1568 * 128 + 128 + 128 * 5 + 5


def test_checkpoint_keeps_the_pretrained_convs(result):
    out, _ = result
    pre = ember.load(str(out / "pretrained_0-4.pt"))
    tuned = ember.load(str(out / "best_model.pt"))
    for k in pre:
        if k.startswith("conv_unit"):      # frozen: weights and batch-norm statistics unchanged
            assert np.array_equal(pre[k].numpy(), tuned[k].numpy()), k
    assert not np.array_equal(pre["fc2.bias"].numpy(), tuned["fc2.bias"].numpy())


def test_subset_per_class_is_balanced_and_disjoint():
    labels = np.repeat(np.arange(10), 20)
    rng = np.random.RandomState(0)
    a = ch6_transfer._subset_per_class(labels, (5, 6, 7, 8, 9), 50, rng)
    b = ch6_transfer._subset_per_class(labels, (5, 6, 7, 8, 9), 25, rng, exclude=a)
    assert np.bincount(labels[a], minlength=10)[5:].tolist() == [10] * 5
    assert np.bincount(labels[b], minlength=10)[5:].tolist() == [5] * 5
    assert not set(a.tolist()) & set(b.tolist())


class TinyVGG(nn.Module):
    """VGG16's layout (features, avgpool, a classifier of 7 with classifier[6] the last
    Linear) at a size a test can save and load."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(True),
                                      nn.MaxPool2d(2, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(16, 12), nn.ReLU(True), nn.Dropout(0.5),
                                        nn.Linear(12, 12), nn.ReLU(True), nn.Dropout(0.5),
                                        nn.Linear(12, 1000))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(ember.flatten(x, 1))


def test_vgg_flow_on_an_image_folder(tmp_path, monkeypatch):
    data = ch6_catsdogs.make_random_folder(str(tmp_path / "imgs"), per_class=6, size=24)
    weights = tmp_path / "vgg16.pth"
    ember.save(TinyVGG().state_dict(), str(weights))
    loaded = []

    def fake_vgg16(path):
        model = TinyVGG()
        model.load_state_dict(ember.load(path))
        loaded.append(path)
        return model
    monkeypatch.setattr(ch6_transfer, "_vgg16", fake_vgg16)
    out = tmp_path / "out"
    assert cli.main(["run", "ch6-transfer", "--quick", "--data", data, "--weights",
                     str(weights), "--batch-size", "4", "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert loaded == [str(weights)]
    assert m["flow"] == "vgg16" and m["classes"] == ["cat", "dog"]
    assert m["train_size"] == 12 and m["val_size"] == 6
    # only the new head trains: Linear(12, 256) and Linear(256, 1)
    assert m["trainable_parameters"] == 12 * 256 + 256 + 256 + 1
    assert len(m["history"]) == 2 and 0.0 <= m["val_accuracy"] <= 1.0
    for name in ("history.csv", "best_model.pt", "learning_curves.png"):
        assert (out / name).stat().st_size > 0, name
    head = ember.load(str(out / "best_model.pt"))
    assert tuple(head["6.0.weight"].shape) == (256, 12)


@pytest.mark.parametrize("case, message", [
    ("no-weights", "needs both --data FOLDER"),
    ("missing-weights", "no such file"),
    ("missing-folder", "no such folder"),
    ("not-vgg", "not a vgg16 state_dict"),
])
def test_vgg_flow_errors_are_one_line(tmp_path, capsys, case, message):
    data = tmp_path / "imgs"
    weights = tmp_path / "w.pth"
    if case != "missing-folder":
        ch6_catsdogs.make_random_folder(str(data), per_class=2, size=16)
    if case in ("missing-folder", "not-vgg"):
        ember.save(DigitCNN(5).state_dict(), str(weights))
    argv = ["run", "ch6-transfer", "--data", str(data), "--out", str(tmp_path / "o")]
    if case != "no-weights":
        argv += ["--weights", str(weights)]
    code = cli.main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and message in err[0] and "Traceback" not in err[0], err
