"""TensorBoardLogger: per-epoch scalars and, every histogram_freq epochs, histograms of layer
activations (forward hooks, training batches only), parameter gradients and weights."""
import types

import numpy as np
import pytest

import ember
import ember.nn as nn


@pytest.fixture
def reader():
    pytest.importorskip("tensorboardX")
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def read(log_dir):
        return EventAccumulator(str(log_dir), size_guidance={"scalars": 0,
                                                             "histograms": 0}).Reload()
    return read


def _data(n=64, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    w = rng.standard_normal((d, 1)).astype(np.float32)
    return X, (X @ w > 0).astype(np.float32)


def _model():
    ember.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1))


def test_fit_logs_scalars_and_histograms(tmp_path, reader):
    from ember.train import fit, TensorBoardLogger
    X, y = _data()
    Xv, yv = _data(40, seed=1)
    model = _model()
    opt = ember.optim.SGD(model.parameters(), lr=0.5)
    cb = TensorBoardLogger(tmp_path, histogram_freq=2)
    hist = fit(model, (X, y), val_data=(Xv, yv), loss_fn=nn.BCEWithLogitsLoss(), optimizer=opt,
               epochs=5, batch_size=16, callbacks=[cb], verbose=0, seed=0)
    ea = reader(tmp_path)
    tags = ea.Tags()
    assert {"loss", "val_loss", "lr"} <= set(tags["scalars"])
    assert [e.step for e in ea.Scalars("loss")] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([e.value for e in ea.Scalars("val_loss")],
                               hist.history["val_loss"], rtol=1e-6)
    assert ea.Scalars("loss")[-1].value < ea.Scalars("loss")[0].value      # it learned
    expected = {"activations/0", "activations/1", "activations/2",
                "gradients/0.weight", "gradients/0.bias", "gradients/2.weight",
                "gradients/2.bias", "weights/0.weight", "weights/0.bias", "weights/2.weight",
                "weights/2.bias"}
    assert set(tags["histograms"]) == expected
    for tag in expected:                                    # epochs 0, 2, 4 (freq 2)
        assert [e.step for e in ea.Histograms(tag)] == [0, 2, 4]
    # activations of the last *training* batch (16 rows), not of the 40-row validation pass
    assert ea.Histograms("activations/0")[0].histogram_value.num == 16 * 8
    assert ea.Histograms("activations/2")[0].histogram_value.num == 16
    assert ea.Histograms("gradients/0.weight")[0].histogram_value.num == 8 * 5
    w_last = ea.Histograms("weights/2.weight")[-1].histogram_value
    assert w_last.max == pytest.approx(float(model[2].weight.detach().numpy().max()), rel=1e-5)
    # every hook is gone after training
    assert not any(m._forward_hooks for m in model.modules())
    assert all(not p._hooks for p in model.parameters())


def test_histogram_values_are_the_last_batch(tmp_path, reader):
    """Drive the callback protocol by hand and compare with the values seen in the loop."""
    from ember.train.tensorboard_logger import TensorBoardLogger
    X, y = _data(32)
    model = _model()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    cb = TensorBoardLogger(tmp_path, histogram_freq=1, log_weights=False)
    cb.set_trainer(types.SimpleNamespace(model=model))
    cb.on_train_begin({})
    seen = {}
    for epoch in range(2):
        cb.on_epoch_begin(epoch, {})
        for b in range(2):
            cb.on_batch_begin(b, {})
            xb, yb = ember.tensor(X[b * 16:(b + 1) * 16]), ember.tensor(y[b * 16:(b + 1) * 16])
            opt.zero_grad()
            h = model[0](xb)
            loss = nn.functional.binary_cross_entropy_with_logits(model[2](model[1](h)), yb)
            loss.backward()
            seen[epoch] = (h.detach().numpy().copy(), model[0].weight.grad.numpy().copy())
            opt.step()
            cb.on_batch_end(b, {"loss": loss.item(), "size": 16})
        with ember.no_grad():
            model(ember.tensor(X) * 100)                  # a validation pass: not recorded
        cb.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1)})
    cb.on_train_end({})
    ea = reader(tmp_path)
    assert not any(t.startswith("weights/") for t in ea.Tags()["histograms"])
    for epoch in range(2):
        act, grad = seen[epoch]
        ha = ea.Histograms("activations/0")[epoch].histogram_value
        hg = ea.Histograms("gradients/0.weight")[epoch].histogram_value
        assert (ha.min, ha.max) == pytest.approx((act.min(), act.max()), rel=1e-6)
        assert ha.sum == pytest.approx(float(act.sum()), rel=1e-4, abs=1e-4)
        assert (hg.min, hg.max) == pytest.approx((grad.min(), grad.max()), rel=1e-6)
    assert [e.value for e in ea.Scalars("loss")] == [1.0, 0.5]


def test_histogram_freq_zero_logs_only_scalars(tmp_path, reader):
    from ember.train import fit, TensorBoardLogger
    X, y = _data()
    model = _model()
    fit(model, (X, y), loss_fn=nn.BCEWithLogitsLoss(),
        optimizer=ember.optim.SGD(model.parameters(), lr=0.1), epochs=2, verbose=0,
        callbacks=[TensorBoardLogger(tmp_path)])
    ea = reader(tmp_path)
    assert ea.Tags()["histograms"] == []
    assert len(ea.Scalars("loss")) == 2


def test_shared_writer_is_not_closed(tmp_path, reader):
    pytest.importorskip("tensorboardX")
    from ember.train.tensorboard_logger import TensorBoardLogger
    from ember.utils.tensorboard import SummaryWriter
    w = SummaryWriter(str(tmp_path))
    cb = TensorBoardLogger(writer=w)
    assert cb.log_dir == str(tmp_path)
    cb.set_trainer(types.SimpleNamespace(model=_model()))
    cb.on_epoch_begin(0, {})
    cb.on_epoch_end(0, {"acc": np.float32(0.5), "flag": True, "name": "x"})
    cb.on_train_end({})
    w.add_scalar("after", 1.0, 0)            # still open
    w.close()
    ea = reader(tmp_path)
    assert set(ea.Tags()["scalars"]) == {"acc", "after"}


def test_negative_histogram_freq():
    pytest.importorskip("tensorboardX")
    from ember.train.tensorboard_logger import TensorBoardLogger
    with pytest.raises(ValueError, match="histogram_freq"):
        TensorBoardLogger("unused", histogram_freq=-1)
