"""ember.train.fit / evaluate / predict on real data and against hand-written loops."""
import warnings

import numpy as np
import pytest

import ember
import ember.metrics as M
import ember.nn as nn
from ember.train import EarlyStopping, fit, evaluate, predict
from ember.utils.data import DataLoader, TensorDataset

sklearn_datasets = pytest.importorskip("sklearn.datasets")


@pytest.fixture(scope="module")
def cancer():
    """breast_cancer, standardised with the training split's statistics (float32)."""
    x, y = sklearn_datasets.load_breast_cancer(return_X_y=True)
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    x, y = x[idx], y[idx]
    xtr, xva = x[:400], x[400:]
    mu, sd = xtr.mean(0), xtr.std(0)
    xtr, xva = ((xtr - mu) / sd).astype(np.float32), ((xva - mu) / sd).astype(np.float32)
    return xtr, y[:400].astype(np.int64), xva, y[400:].astype(np.int64)


def _mlp(seed=0, hidden=16, dropout=0.0):
    ember.manual_seed(seed)
    layers = [nn.Linear(30, hidden), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers, nn.Linear(hidden, 2))


def _weights(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def test_fit_learns_real_data_and_logs_every_key(cancer):
    xtr, ytr, xva, yva = cancer
    model = _mlp()
    opt = ember.optim.Adam(model.parameters(), lr=0.01)
    h = fit(model, (xtr, ytr), (xva, yva), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
            epochs=6, metrics={"acc": M.Accuracy(), "f1": M.f1_score, "auc": M.roc_auc_score},
            seed=0, verbose=0)
    hist = h.history
    assert set(hist) == {"loss", "acc", "f1", "auc", "val_loss", "val_acc", "val_f1", "val_auc",
                         "lr"}
    assert all(len(v) == 6 for v in hist.values()) and h.epoch == list(range(6))
    assert hist["loss"][-1] < 0.5 * hist["loss"][0]
    assert hist["val_acc"][-1] > 0.93 and hist["val_f1"][-1] > 0.93
    assert hist["lr"] == [0.01] * 6
    # the last epoch's validation numbers are those of evaluate on the final model
    res = evaluate(model, (xva, yva), nn.CrossEntropyLoss(),
                   {"acc": M.accuracy_score, "f1": M.F1()})
    assert res["loss"] == pytest.approx(hist["val_loss"][-1], rel=1e-12)
    assert res["acc"] == hist["val_acc"][-1] and res["f1"] == pytest.approx(hist["val_f1"][-1])
    out = predict(model, xva)
    assert M.accuracy_score(yva, out.numpy().argmax(1)) == res["acc"]
    prob = ember.softmax(out, dim=1).numpy()[:, 1]
    assert hist["val_auc"][-1] == pytest.approx(M.roc_auc_score(yva, prob))
    assert hist["val_auc"][-1] > 0.95


def test_early_stopping_restores_best_epoch_on_real_data(cancer):
    """Acceptance 2: the returned model's validation loss is the best epoch's, and training
    stopped `patience` epochs after it."""
    xtr, ytr, xva, yva = cancer
    patience = 3
    model = _mlp(hidden=64)
    opt = ember.optim.Adam(model.parameters(), lr=0.03)   # overfits 400 samples quickly
    es = EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    h = fit(model, (xtr[:120], ytr[:120]), (xva, yva), loss_fn=nn.CrossEntropyLoss(),
            optimizer=opt, epochs=200, callbacks=[es], seed=1, batch_size=16, verbose=0)
    val = h.history["val_loss"]
    best = int(np.argmin(val))
    assert len(val) < 200, "training should have stopped early"
    assert len(val) - 1 - best == patience
    assert es.best_epoch == best and es.stopped_epoch == len(val) - 1
    got = evaluate(model, (xva, yva), nn.CrossEntropyLoss(), batch_size=16)["loss"]
    assert got == val[best]
    assert got < val[-1]


def test_tensor_pairs_and_dataloader_train_identically(cancer):
    xtr, ytr, _, _ = cancer
    m1, m2 = _mlp(), _mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.1, momentum=0.9)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.1, momentum=0.9)
    fit(m1, (ember.from_numpy(xtr), ember.from_numpy(ytr)), loss_fn=nn.CrossEntropyLoss(),
        optimizer=o1, epochs=2, batch_size=50, shuffle=False, verbose=0)
    loader = DataLoader(TensorDataset(ember.from_numpy(xtr), ember.from_numpy(ytr)),
                        batch_size=50, shuffle=False)
    fit(m2, loader, loss_fn=nn.CrossEntropyLoss(), optimizer=o2, epochs=2, verbose=0)
    _assert_same_weights(_weights(m1), _weights(m2))


def _manual_loop(model, opt, x, y, batch, l1=0.0, clip=None):
    loss_fn = nn.CrossEntropyLoss()
    params = list(model.parameters())
    for i in range(0, len(y), batch):
        xb, yb = ember.from_numpy(x[i:i + batch]), ember.from_numpy(y[i:i + batch])
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        if l1:
            loss = loss + l1 * sum(p.abs().sum() for p in params)
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(params, clip)
        opt.step()


@pytest.mark.parametrize("l1,clip", [(1e-3, None), (0.0, 0.05)])
def test_l1_penalty_and_grad_clip_match_the_book_loop(cancer, l1, clip):
    xtr, ytr, _, _ = cancer
    m1, m2 = _mlp(), _mlp()
    o1 = ember.optim.SGD(m1.parameters(), lr=0.1)
    o2 = ember.optim.SGD(m2.parameters(), lr=0.1)
    _manual_loop(m1, o1, xtr, ytr, 64, l1=l1, clip=clip)
    fit(m2, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(), optimizer=o2, batch_size=64,
        shuffle=False, l1=l1, grad_clip=clip, verbose=0)
    _assert_same_weights(_weights(m1), _weights(m2))
    m3 = _mlp()   # and the options do change the result
    fit(m3, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(),
        optimizer=ember.optim.SGD(m3.parameters(), lr=0.1), batch_size=64, shuffle=False,
        verbose=0)
    assert not np.array_equal(_weights(m3)["0.weight"], _weights(m2)["0.weight"])


def test_seed_makes_shuffled_runs_repeatable(cancer):
    xtr, ytr, _, _ = cancer
    runs = []
    for seed in (5, 5, 6):
        m = _mlp(dropout=0.3)
        fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(),
            optimizer=ember.optim.Adam(m.parameters(), 1e-2), epochs=2, seed=seed, verbose=0)
        runs.append(_weights(m))
    _assert_same_weights(runs[0], runs[1])
    assert not np.array_equal(runs[0]["0.weight"], runs[2]["0.weight"])


def test_epoch_scheduler_and_plateau_scheduler(cancer):
    xtr, ytr, xva, yva = cancer
    m = _mlp()
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    h = fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, epochs=3,
            scheduler=sched, verbose=0)
    assert h.history["lr"] == [0.1, 0.05, 0.025]
    assert opt.param_groups[0]["lr"] == 0.0125
    m = _mlp()
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    plateau = ember.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    h = fit(m, (xtr, ytr), (xva, yva), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
            epochs=4, scheduler=plateau, verbose=0)
    assert plateau.best == min(h.history["val_loss"])   # it was fed val_loss


def test_float64_arrays_are_cast_to_the_model_dtype(cancer):
    xtr, ytr, _, _ = cancer
    m = _mlp()
    fit(m, (xtr.astype(np.float64), ytr), loss_fn=nn.CrossEntropyLoss(),
        optimizer=ember.optim.SGD(m.parameters(), lr=0.1), verbose=0)
    assert m[0].weight.dtype == ember.float32
    assert predict(m, xtr.astype(np.float64)).dtype == ember.float32


def test_regression_with_metric_functions():
    x, y = sklearn_datasets.load_diabetes(return_X_y=True)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    y = ((y - y.mean()) / y.std()).astype(np.float32).reshape(-1, 1)
    ember.manual_seed(0)
    m = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
    h = fit(m, (x[:350], y[:350]), (x[350:], y[350:]), loss_fn=nn.MSELoss(),
            optimizer=ember.optim.Adam(m.parameters(), lr=0.01), epochs=15,
            metrics={"mse": M.mean_squared_error, "r2": M.r2_score, "mae": M.MAE()},
            seed=0, verbose=0)
    hist = h.history
    assert hist["val_mse"] == pytest.approx(hist["val_loss"], rel=1e-5)
    assert hist["val_r2"][-1] > 0.35
    pred = predict(m, x[350:]).numpy()
    assert hist["val_mae"][-1] == pytest.approx(M.mean_absolute_error(y[350:], pred),
                                                 rel=1e-6)


def test_predict_and_evaluate_use_eval_mode_without_grad(cancer):
    xtr, ytr, _, _ = cancer
    m = _mlp(dropout=0.5)
    m.train()
    p1, p2 = predict(m, xtr), predict(m, (xtr, ytr))
    np.testing.assert_array_equal(p1.numpy(), p2.numpy())   # no dropout: eval mode
    np.testing.assert_allclose(predict(m, xtr, batch_size=7).numpy(), p1.numpy(), rtol=1e-5,
                               atol=1e-6)
    assert not p1.requires_grad and p1.shape == (400, 2)
    assert m.training   # mode restored
    loader = DataLoader(TensorDataset(ember.from_numpy(xtr), ember.from_numpy(ytr)),
                        batch_size=32)
    np.testing.assert_array_equal(predict(m, loader).numpy(), p1.numpy())
    with ember.no_grad():
        m.eval()
        direct = m(ember.from_numpy(xtr)).numpy()
    np.testing.assert_allclose(p1.numpy(), direct, rtol=1e-6, atol=1e-6)


def test_nonfinite_loss_names_epoch_and_step(cancer):
    xtr, ytr, _, _ = cancer
    x = xtr.copy()
    x[2 * 16 + 5, 3] = np.nan    # in the third batch of 16
    m = _mlp()
    with pytest.raises(RuntimeError, match=r"Loss is nan at epoch 1, step 3\b.*detect_anomaly"):
        fit(m, (x, ytr), loss_fn=nn.CrossEntropyLoss(),
            optimizer=ember.optim.SGD(m.parameters(), lr=0.1), batch_size=16, shuffle=False,
            verbose=0)


class _LogNet(nn.Module):
    """A model whose log of a linear output turns NaN once the output goes negative."""

    def __init__(self):
        super().__init__()
        ember.manual_seed(0)
        self.lin = nn.Linear(30, 2)

    def forward(self, x):
        return ember.log(self.lin(x).abs() + 1.0) - ember.sqrt(self.lin(x) + 0.5)


def test_detect_anomaly_names_the_op_in_the_fit_error(cancer):
    xtr, ytr, _, _ = cancer
    m = _LogNet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as err:
                fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(),
                    optimizer=ember.optim.SGD(m.parameters(), lr=0.1), verbose=0)
    msg = str(err.value)
    assert "Loss is nan at epoch 1, step 1" in msg
    assert "SqrtBackward0" in msg and "test_fit.py" in msg


def test_argument_errors(cancer):
    xtr, ytr, _, _ = cancer
    m = _mlp()
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="loss_fn"):
        fit(m, (xtr, ytr), optimizer=opt, verbose=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        fit(m, (xtr, ytr[:10]), loss_fn=nn.CrossEntropyLoss(), optimizer=opt, verbose=0)
    with pytest.raises(TypeError, match="DataLoader"):
        fit(m, 3, loss_fn=nn.CrossEntropyLoss(), optimizer=opt, verbose=0)
    with pytest.raises(TypeError, match="metrics must be a dict"):
        fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(), optimizer=opt,
            metrics=[M.Accuracy()], verbose=0)


class _SqrtZeroNet(nn.Module):
    """Finite outputs (zeros) whose gradients are NaN: d sqrt(u)/du at u = 0 times 0."""

    def __init__(self):
        super().__init__()
        ember.manual_seed(0)
        self.lin = nn.Linear(30, 2)

    def forward(self, x):
        return ember.sqrt(self.lin(x) * 0.0)


def test_nonfinite_gradient_with_grad_clip_names_epoch_and_step(cancer):
    xtr, ytr, _, _ = cancer
    m = _SqrtZeroNet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match=r"Gradient norm is nan at epoch 1, step 1\b"):
            fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(), grad_clip=1.0,
                optimizer=ember.optim.SGD(m.parameters(), lr=0.1), verbose=0)
        # with anomaly detection the backward names the op, and fit adds where it happened
        with ember.autograd.detect_anomaly():
            with pytest.raises(RuntimeError, match=r"(?s)Function 'MulBackward0' returned nan "
                                                   r"values in its 0th output.*epoch 1, step 1"):
                fit(m, (xtr, ytr), loss_fn=nn.CrossEntropyLoss(),
                    optimizer=ember.optim.SGD(m.parameters(), lr=0.1), verbose=0)
