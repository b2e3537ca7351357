"""ember.tune.search: grid / random / TPE search on Optuna with a real scikit-learn dataset
(breast cancer, shipped with scikit-learn), pruning, the results table and the saved JSON."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F


@pytest.fixture(scope="module")
def tune():
    pytest.importorskip("optuna")
    import ember.tune as tune
    return tune


@pytest.fixture(scope="module")
def cancer():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(y))
    X, y = X[order], y[order]
    tr, va = slice(0, 400), slice(400, None)
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = ((X - mu) / sd).astype(np.float32)
    y = y.astype(np.float32)[:, None]
    return (ember.tensor(X[tr]), ember.tensor(y[tr])), (ember.tensor(X[va]), ember.tensor(y[va]))


def _train(data, lr, weight_decay, epochs=8, trial=None, seed=None):
    """A tiny training loop: a 30-8-1 MLP, mini-batch SGD, validation loss and accuracy."""
    (Xtr, ytr), (Xva, yva) = data
    if seed is not None:
        ember.manual_seed(seed)
    model = nn.Sequential(nn.Linear(30, 8), nn.Tanh(), nn.Linear(8, 1))
    opt = ember.optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    for epoch in range(epochs):
        for i in range(0, Xtr.shape[0], 50):
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(Xtr[i:i + 50]), ytr[i:i + 50])
            loss.backward()
            opt.step()
        with ember.no_grad():
            logits = model(Xva)
            val_loss = F.binary_cross_entropy_with_logits(logits, yva).item()
        if trial is not None:
            trial.prune_if_needed(val_loss, epoch)
    acc = ((logits > 0).float() == yva).float().mean().item()
    return {"val_loss": val_loss, "val_acc": acc}


def test_grid_2x2_lr_weight_decay_returns_best_by_validation(tune, cancer, tmp_path):
    space = {"lr": [0.01, 0.3], "weight_decay": [0.0, 0.3]}
    calls = []

    def train_fn(config):
        calls.append(dict(config))
        return _train(cancer, config["lr"], config["weight_decay"], seed=0)

    res = tune.search(train_fn, space, method="grid", seed=0, monitor="val_loss",
                      direction="minimize", save_path=tmp_path / "best.json")
    assert len(calls) == 4 and len(res) == 4
    assert sorted((c["lr"], c["weight_decay"]) for c in calls) == \
        [(0.01, 0.0), (0.01, 0.3), (0.3, 0.0), (0.3, 0.3)]
    # the same trainings run directly: the search picks the lowest validation loss
    direct = {(lr, wd): _train(cancer, lr, wd, seed=0)["val_loss"]
              for lr in space["lr"] for wd in space["weight_decay"]}
    best = min(direct, key=direct.get)
    assert res.best_params == {"lr": best[0], "weight_decay": best[1]}
    assert res.best_value == pytest.approx(direct[best], rel=1e-6)
    assert [r["rank"] for r in res.results] == [1, 2, 3, 4]
    vals = [r["val_loss"] for r in res.results]
    assert vals == sorted(vals)                                   # sorted by the metric
    for r in res.results:
        assert r["val_loss"] == pytest.approx(direct[(r["lr"], r["weight_decay"])], rel=1e-6)
        assert r["state"] == "COMPLETE" and set(r["metrics"]) == {"val_loss", "val_acc"}
    assert res.best_trial["metrics"]["val_acc"] > 0.9             # it learned
    # the table: a header, a rule, one line per trial, best first
    lines = res.table().splitlines()
    assert lines[0].split() == ["rank", "trial", "lr", "weight_decay", "val_loss", "val_acc",
                                "state", "steps"]
    assert len(lines) == 6 and lines[2].split()[0] == "1"
    assert str(res) == res.table()
    saved = json.loads((tmp_path / "best.json").read_text())
    assert saved["best_params"] == res.best_params
    assert saved["monitor"] == "val_loss" and len(saved["trials"]) == 4
    assert tune.load_best(tmp_path / "best.json") == res.best_params


def test_random_search_with_seed_is_reproducible(tune, cancer):
    space = {"lr": tune.loguniform(1e-3, 0.5), "weight_decay": tune.uniform(0.0, 0.01),
             "epochs": tune.integer(2, 4)}

    def train_fn(config):     # no seeding here: search seeds ember before each trial
        return _train(cancer, config["lr"], config["weight_decay"], epochs=config["epochs"])

    runs = [tune.search(train_fn, space, method="random", n_trials=4, seed=7,
                        monitor="val_loss", direction="minimize", pruner=None)
            for _ in range(2)]
    a, b = ([(r["trial"], r["lr"], r["weight_decay"], r["epochs"], r["val_loss"])
             for r in run.results] for run in runs)
    assert a == b
    assert len({row[1] for row in a}) == 4                        # distinct samples
    for row in a:
        assert 1e-3 <= row[1] <= 0.5 and 0 <= row[2] <= 0.01 and row[3] in (2, 3, 4)
    other = tune.search(train_fn, space, method="random", n_trials=4, seed=8,
                        monitor="val_loss", direction="minimize")
    assert sorted(r["lr"] for r in other.results) != sorted(row[1] for row in a)


def test_tpe_search_finds_the_optimum_and_is_reproducible(tune):
    import optuna

    def f(config):
        return (config["x"] - 0.3) ** 2 + 0.1 * abs(config["k"] - 3)

    space = {"x": tune.uniform(-2.0, 2.0), "k": tune.integer(0, 6)}
    r1 = tune.search(f, space, method="tpe", n_trials=30, seed=3, direction="minimize")
    r2 = tune.search(f, space, method="tpe", n_trials=30, seed=3, direction="minimize")
    assert isinstance(r1.study.sampler, optuna.samplers.TPESampler)
    assert r1.best_params == r2.best_params and r1.best_value == r2.best_value
    assert r1.best_value < 0.1
    assert r1.best_value == min(r["value"] for r in r1.results)
    assert r1.results[0]["value"] == r1.best_value


def test_pruning_from_the_training_loop(tune, cancer):
    import optuna
    # a trial whose validation loss is still above 0.6 after an epoch is stopped there
    space = {"lr": [1e-4, 0.3], "weight_decay": [0.0]}

    def train_fn(config, trial):
        return _train(cancer, config["lr"], config["weight_decay"], trial=trial, seed=0)

    res = tune.search(train_fn, space, method="grid", seed=0, monitor="val_loss",
                      direction="minimize", pruner=optuna.pruners.ThresholdPruner(upper=0.6))
    states = {r["lr"]: r["state"] for r in res.results}
    assert states == {0.3: "COMPLETE", 1e-4: "PRUNED"}
    pruned = res.results[-1]
    assert pruned["state"] == "PRUNED" and pruned["steps"] == 0 and pruned["val_loss"] > 0.6
    assert res.best_params == {"lr": 0.3, "weight_decay": 0.0}
    assert "PRUNED" in res.table().splitlines()[-1]


def test_pruning_callback_in_fit(tune, cancer):
    import optuna
    from ember.train import fit
    (Xtr, ytr), val = cancer
    epochs_run = {}

    def train_fn(config, trial):
        ember.manual_seed(0)
        model = nn.Sequential(nn.Linear(30, 8), nn.Tanh(), nn.Linear(8, 1))
        opt = ember.optim.SGD(model.parameters(), lr=config["lr"])
        hist = fit(model, (Xtr, ytr), val_data=val, loss_fn=nn.BCEWithLogitsLoss(),
                   optimizer=opt, epochs=4, batch_size=50, verbose=0,
                   callbacks=[trial.callback("val_loss")])
        epochs_run[config["lr"]] = len(hist.epoch)
        return hist.history["val_loss"][-1]

    res = tune.search(train_fn, {"lr": [1e-4, 0.3]}, method="grid", seed=0,
                      monitor="val_loss", direction="minimize",
                      pruner=optuna.pruners.ThresholdPruner(upper=0.6))
    assert {r["lr"]: r["state"] for r in res.results} == {0.3: "COMPLETE", 1e-4: "PRUNED"}
    assert epochs_run == {0.3: 4}            # the pruned run never finished fit
    assert res.results[0]["steps"] == 3      # reported each epoch (0-based)
    assert isinstance(tune.PruningCallback(None, "x"), ember.train.Callback)


def test_trials_logged_for_tensorboard_hparams(tune, tmp_path):
    pytest.importorskip("tensorboardX")
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    res = tune.search(lambda c: {"acc": c["a"] / 10, "loss": 1 - c["a"] / 10},
                      {"a": [1, 2], "act": ["relu"]}, method="grid", monitor="acc",
                      log_dir=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["trial_0", "trial_1"]
    for r in res.results:
        ea = EventAccumulator(str(tmp_path / f"trial_{r['trial']}")).Reload()
        assert ea.Scalars("hparam/acc")[0].value == pytest.approx(r["a"] / 10)
        assert ea.Scalars("hparam/loss")[0].value == pytest.approx(1 - r["a"] / 10)


def test_errors(tune):
    f = lambda c: 0.0  # noqa: E731
    with pytest.raises(ValueError, match="method"):
        tune.search(f, {"a": [1]}, method="bayes")
    with pytest.raises(ValueError, match="grid search needs a list"):
        tune.search(f, {"a": tune.uniform(0, 1)}, method="grid")
    with pytest.raises(ValueError, match="direction"):
        tune.search(f, {"a": [1]}, direction="max")
    with pytest.raises(ValueError, match="non-empty"):
        tune.search(f, {})
    with pytest.raises(KeyError, match="monitored 'acc'"):
        tune.search(lambda c: {"loss": 1.0}, {"a": [1]}, monitor="acc")
    with pytest.raises(ValueError, match="loguniform"):
        tune.loguniform(0, 1)
    with pytest.raises(RuntimeError, match="boom"):           # failures surface by default
        tune.search(lambda c: (_ for _ in ()).throw(RuntimeError("boom")), {"a": [1]})
    res = tune.search(lambda c: 1 / c["a"], {"a": [0, 2]}, catch=(ZeroDivisionError,))
    assert [r["state"] for r in res.results] == ["COMPLETE", "FAIL"]
    assert res.best_params == {"a": 2}


def test_grid_over_integer_range_and_choice(tune):
    seen = []
    res = tune.search(lambda c: seen.append(c) or c["n"] * (1 if c["act"] == "relu" else 2),
                      {"n": tune.integer(1, 3), "act": tune.choice(["relu", "tanh"])},
                      method="grid", direction="minimize")
    assert len(seen) == 6 and res.best_params == {"n": 1, "act": "relu"}
    assert res.best_value == 1.0


def test_without_optuna_core_imports_and_hint_is_one_line():
    code = """
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "optuna":
            raise ImportError("No module named " + repr(name))
sys.meta_path.insert(0, _Block())
import ember, ember.tune
space = {"lr": ember.tune.loguniform(1e-4, 1e-1)}    # building a space needs no optuna
try:
    ember.tune.search(lambda c: 0.0, space, method="random")
except ImportError as e:
    print("HINT:" + str(e))
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert [l for l in r.stdout.splitlines() if l.startswith("HINT:")] == \
        ["HINT:ember.tune needs optuna: pip install 'ember[tune]'"]
