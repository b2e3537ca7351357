"""The callback protocol and each callback of ember.train.callbacks."""
import csv
import io
import sys

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.train import (Callback, CSVLogger, EarlyStopping, LambdaCallback,
                         LearningRateMonitor, ModelCheckpoint, ProgressBar, fit,
                         load_checkpoint)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    x = (rng.normal(size=(200, 5)) + 1.5 * y[:, None]).astype(np.float32)
    return x[:150], y[:150], x[150:], y[150:]


def _model(seed=0):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2))


def _fit(model, data, **kw):
    xtr, ytr, xva, yva = data
    kw.setdefault("optimizer", ember.optim.SGD(model.parameters(), lr=0.1))
    kw.setdefault("verbose", 0)
    return fit(model, (xtr, ytr), (xva, yva), loss_fn=nn.CrossEntropyLoss(), **kw)


class _FakeTrainer:
    def __init__(self, model):
        self.model = model
        self.stop_training = False


def _drive(cb, values, key="val_loss", model=None):
    """Feed one value per epoch to a callback; returns the epochs run."""
    model = model or _model()
    cb.set_trainer(_FakeTrainer(model))
    cb.on_train_begin({})
    run = 0
    for epoch, v in enumerate(values):
        run += 1
        cb.on_epoch_end(epoch, {key: v})
        if cb.trainer.stop_training:
            break
    cb.on_train_end({})
    return run


def test_early_stopping_patience_min_delta_and_modes():
    assert _drive(EarlyStopping(patience=2), [5, 4, 4.5, 4.2, 1]) == 4
    es = EarlyStopping(patience=2, min_delta=0.5)
    assert _drive(es, [5, 4.8, 4.6, 1]) == 3 and es.best == 5 and es.best_epoch == 0
    es = EarlyStopping(monitor="val_acc", patience=1)   # auto -> max for accuracy
    assert es.mode == "max"
    assert _drive(es, [0.5, 0.7, 0.6, 0.9], key="val_acc") == 3 and es.best == 0.7
    assert EarlyStopping(monitor="val_f1").mode == "max"
    assert EarlyStopping(monitor="loss").mode == "min"
    es = EarlyStopping(monitor="val_loss", mode="max", patience=0)
    assert _drive(es, [1, 2, 1.5]) == 3
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_early_stopping_warns_on_missing_key_and_restores_weights():
    es = EarlyStopping(monitor="val_auc")
    with pytest.warns(RuntimeWarning, match="val_auc"):
        _drive(es, [1.0], key="val_loss")
    model = _model()
    es = EarlyStopping(patience=1, restore_best_weights=True)
    es.set_trainer(_FakeTrainer(model))
    es.on_train_begin({})
    w0 = model[0].weight.detach().numpy().copy()
    es.on_epoch_end(0, {"val_loss": 1.0})
    with ember.no_grad():
        model[0].weight.add_(1.0)
    es.on_epoch_end(1, {"val_loss": 2.0})
    assert es.trainer.stop_training
    es.on_train_end({})
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), w0)


def test_protocol_order_and_logs(blobs):
    events = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: events.append("train_begin"),
        on_epoch_begin=lambda e, logs: events.append(("epoch_begin", e)),
        on_batch_begin=lambda b, logs: events.append(("batch_begin", b)),
        on_batch_end=lambda b, logs: events.append(("batch_end", b, sorted(logs))),
        on_epoch_end=lambda e, logs: events.append(("epoch_end", e, sorted(logs))),
        on_train_end=lambda logs: events.append("train_end"))
    _fit(_model(), blobs, epochs=2, batch_size=64, callbacks=[cb])
    per_epoch = [("epoch_begin", 0)] + [x for b in range(3) for x in
                                        (("batch_begin", b), ("batch_end", b, ["loss", "size"]))]
    per_epoch.append(("epoch_end", 0, ["loss", "lr", "val_loss"]))
    second = [(e[0], 1, *e[2:]) if e[0].startswith("epoch") else e for e in per_epoch]
    assert events == ["train_begin"] + per_epoch + second + ["train_end"]
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


def test_callback_can_stop_training_and_sees_trainer(blobs):
    seen = {}

    class Stopper(Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["trainer"] = (self.trainer.epochs, self.trainer.num_batches,
                               self.trainer.step, self.model is self.trainer.model)
            if epoch == 1:
                self.trainer.stop_training = True

    h = _fit(_model(), blobs, epochs=10, batch_size=50, callbacks=[Stopper()])
    assert len(h.history["loss"]) == 2
    assert seen["trainer"] == (10, 3, 6, True)


def test_model_checkpoint_best_only_holds_best_epoch_weights(blobs, tmp_path):
    snaps = []
    record = LambdaCallback(on_epoch_end=lambda e, logs: snaps.append(
        {k: v.numpy().copy() for k, v in model.state_dict().items()}))
    model = _model()
    mc = ModelCheckpoint(tmp_path / "ck", monitor="val_loss", save_best_only=True)
    opt = ember.optim.SGD(model.parameters(), lr=2.0)   # large steps: val loss goes up and down
    h = _fit(model, blobs, epochs=8, batch_size=10, optimizer=opt, callbacks=[mc, record])
    best = int(np.argmin(h.history["val_loss"]))
    assert mc.best_model_path == str(tmp_path / "ck" / "best.pt")
    assert mc.best == h.history["val_loss"][best]
    fresh = _model(seed=99)
    ck = load_checkpoint(mc.best_model_path, fresh)
    assert ck["epoch"] == best + 1 and ck["batch"] == 0
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), snaps[best][k])


def test_model_checkpoint_every_epoch_with_formatted_names(blobs, tmp_path):
    mc = ModelCheckpoint(tmp_path, filename="e{epoch:02d}-{val_loss:.3f}.pt")
    h = _fit(_model(), blobs, epochs=3, callbacks=[mc])
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"e{i + 1:02d}-{v:.3f}.pt" for i, v in enumerate(h.history["val_loss"])]
    assert mc.last_model_path.endswith(names[-1])


def test_csv_logger_rows_equal_history(blobs, tmp_path):
    path = tmp_path / "log.csv"
    h = _fit(_model(), blobs, epochs=3, callbacks=[CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for key in ("loss", "val_loss", "lr"):
        assert [float(r[key]) for r in rows] == h.history[key]
    _fit(_model(), blobs, epochs=2, callbacks=[CSVLogger(path, append=True)])
    with open(path, newline="") as f:
        assert len(list(csv.DictReader(f))) == 5
    _fit(_model(), blobs, epochs=1, callbacks=[CSVLogger(path)])   # overwrite
    with open(path, newline="") as f:
        assert len(list(csv.DictReader(f))) == 1


def test_learning_rate_monitor_per_epoch_and_step(blobs):
    model = _model()
    opt = ember.optim.SGD([{"params": model[0].parameters()},
                           {"params": model[2].parameters(), "lr": 0.01}], lr=0.1)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    by_epoch, by_step = LearningRateMonitor(), LearningRateMonitor("step")
    h = _fit(model, blobs, epochs=2, batch_size=75, optimizer=opt, scheduler=sched,
             callbacks=[by_epoch, by_step])
    np.testing.assert_allclose(by_epoch.lrs, [[0.1, 0.01], [0.01, 0.001]])
    np.testing.assert_allclose(by_step.lrs, [[0.1, 0.01]] * 2 + [[0.01, 0.001]] * 2)
    np.testing.assert_allclose(h.history["lr_group1"], [0.01, 0.001])
    np.testing.assert_allclose(h.history["lr"], [0.1, 0.01])
    with pytest.raises(ValueError):
        LearningRateMonitor("batch")


class _TTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal_draws_tqdm(blobs):
    pytest.importorskip("tqdm")
    out = _TTY()
    _fit(_model(), blobs, epochs=2, batch_size=30, callbacks=[ProgressBar(file=out, mininterval=0)])
    text = out.getvalue()
    assert "Epoch 1/2" in text and ("batch/s" in text or "s/batch" in text)
    assert "loss=" in text   # running loss in the bar
    lines = [ln for ln in text.replace("\r", "\n").splitlines() if " - loss: " in ln]
    assert len(lines) == 2 and "val_loss: " in lines[0]


def test_progress_bar_quiet_off_terminal_and_with_verbose_0(blobs):
    out = io.StringIO()
    _fit(_model(), blobs, epochs=2, callbacks=[ProgressBar(file=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Epoch 2/2 - ")
    assert "batch/s" not in out.getvalue()
    out = _TTY()
    _fit(_model(), blobs, epochs=2, callbacks=[ProgressBar(verbose=0, file=out)])
    assert out.getvalue() == ""


def test_progress_bar_without_tqdm_prints_hint_once(blobs, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    out = _TTY()
    _fit(_model(), blobs, epochs=3, callbacks=[ProgressBar(file=out)])
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and "install tqdm" in lines[0] and "ember[book]" in lines[0]
    assert all(ln.startswith(f"Epoch {i}/3") for i, ln in enumerate(lines[1:], 1))


def test_fit_adds_a_progress_bar_when_verbose(blobs, capsys):
    _fit(_model(), blobs, epochs=2, verbose=1)
    err = capsys.readouterr().err
    assert err.count("Epoch ") == 2
    _fit(_model(), blobs, epochs=2, verbose=0)
    assert capsys.readouterr().err == ""
