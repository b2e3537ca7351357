"""ch3-optimizers recipe: the chapter's 64-256-1024-1 network on make_blobs data trained with
RMSprop, Adam and SGD, run end to end (--quick) through the CLI."""
import csv
import json
import math
import re

import numpy as np
import pytest

import ember
from ember import cli
from ember.recipes import ch3_optimizers as ch3

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch3")
    import contextlib
    import io
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli.main(["run", "ch3-optimizers", "--quick", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "metrics.json").read_text()), buf.getvalue()


def test_artefacts(result):
    out, m, _ = result
    assert m["optimizers"] == ["rmsprop", "adam", "sgd"]
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    for n in m["optimizers"]:
        assert [float(r[f"{n}_loss"]) for r in rows] == pytest.approx(m["loss"][n], rel=1e-8)
    state = ember.load(out / "best_model.pt")
    assert sorted(state) == sorted(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                    "out.weight", "out.bias"])
    net = ch3.build_net(0)()
    net.load_state_dict(state)
    x = ember.from_numpy(np.zeros((2, 64), dtype=np.float32))
    assert tuple(net(x).shape) == (2, 1)
    if m["tensorboard"] is not None:
        assert any(p.name.startswith("events.out.tfevents") for p in
                   (out / "tensorboard").iterdir())
    pytest.importorskip("matplotlib")
    assert (out / "losses.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_book_lines_and_metrics(result):
    _, m, printed = result
    lines = re.findall(r"^Epoch: (\d+) - Loss:(\S+)$", printed, re.M)
    assert [int(e) for e, _ in lines] == [1, 2] * 3
    got = [float(v) for _, v in lines]
    want = [round(v, 4) for n in m["optimizers"] for v in m["loss"][n]]
    assert got == pytest.approx(want, abs=1e-4)
    assert m["parameters"] == 280833
    assert m["samples"] == 400 and m["n_train"] == 320 and m["n_test"] == 80
    assert all(math.isfinite(v) for n in m["optimizers"] for v in m["loss"][n])
    # Adam learns these well-separated blobs quickly, its loss falling
    adam = m["loss"]["adam"]
    assert adam[1] < adam[0] and adam[1] < 1.0
    assert m["test_accuracy"]["adam"] >= 0.95
    assert max(m["test_accuracy"].values()) == m["test_accuracy"][m["best"]]
    for acc in m["test_accuracy"].values():
        assert 0.0 <= acc <= 1.0


def test_network_is_the_chapter_one_and_seeded_in_init():
    Net = ch3.build_net(2020)
    a, b = Net(), Net()
    assert [type(c).__name__ for c in a.children()] == ["Linear", "ReLU", "Linear", "ReLU",
                                                        "Linear", "Sigmoid"]
    for p, q in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    c = ch3.build_net(1)()
    assert not np.array_equal(a.fc1.weight.detach().numpy(), c.fc1.weight.detach().numpy())


def test_optimizer_settings():
    params = list(ch3.build_net(0)().parameters())
    rms = ch3.make_optimizer("rmsprop", params).param_groups[0]
    assert (rms["lr"], rms["alpha"], rms["eps"], rms["weight_decay"], rms["momentum"],
            rms["centered"]) == (0.01, 0.9, 1e-08, 0.1, 0.1, True)
    assert ch3.make_optimizer("adam", params).param_groups[0]["lr"] == 0.001
    sgd = ch3.make_optimizer("sgd", params).param_groups[0]
    assert (sgd["lr"], sgd["momentum"]) == (0.01, 0.9)
    assert ch3.make_optimizer("sgd", params, lr=0.5).param_groups[0]["lr"] == 0.5


def test_train_loop_sums_batch_losses():
    # a one-weight model: the epoch loss is the sum of batch mean losses times batch sizes
    lin = ember.nn.Linear(1, 1)
    with ember.no_grad():
        lin.weight.fill_(0.0)
        lin.bias.fill_(0.0)
    model = ember.nn.Sequential(lin, ember.nn.Sigmoid())
    x = ember.ones(5, 1)
    y = ember.ones(5, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.0)      # lr 0: the loss stays log(2)
    logged = []
    losses = ch3.train(model, ember.nn.BCELoss(), opt, x, y, 2, 2, log=logged.append)
    assert losses == pytest.approx([5 * math.log(2)] * 2, rel=1e-6)
    assert logged == [f"Epoch: {e} - Loss:{5 * math.log(2):.4f}" for e in (1, 2)]


@pytest.mark.parametrize("opts, message", [
    (["--optimizers", "adam,lbfgs"], "unknown optimizer 'lbfgs'"),
    (["--optimizers", "adam,adam"], "lists an optimizer twice"),
    (["--optimizers", ","], "--optimizers names no optimizer"),
    (["--epochs", "0"], "--epochs must be at least 1"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
    (["--samples", "5"], "--samples must be at least 10"),
    (["--lr", "-1"], "--lr must be a positive number"),
])
def test_user_errors_are_one_line(tmp_path, capsys, opts, message):
    code = cli.main(["run", "ch3-optimizers", *opts, "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert message in err and "\n" not in err and "Traceback" not in err


def test_missing_sklearn_is_one_line(tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    code = cli.main(["run", "ch3-optimizers", "--quick", "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert "optional package 'sklearn'" in err and "pip install scikit-learn" in err
    assert "\n" not in err
