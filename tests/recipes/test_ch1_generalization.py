"""ch1-generalization recipe: polynomial least squares of degree 1/2/8 and the ridge sweep, run
end to end through the CLI and checked against NumPy's own least-squares solvers."""
import csv
import json

import numpy as np
import pytest

import ember
from ember import cli
from ember.recipes import ch1_generalization as ch1


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch1")
    code = cli.main(["run", "ch1-generalization", "--quick", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "metrics.json").read_text())


def _numpy_data(seed=20):
    rng = np.random.RandomState(seed)
    x = np.linspace(-1, 1, 100)
    return x, 2 + x + 2 * x ** 2 + rng.normal(0, 0.1, 100)


def test_artefacts(result):
    out, m = result
    assert (out / "history.csv").is_file()
    pytest.importorskip("matplotlib")
    for name in ("polynomial_fits.png", "ridge_lambda.png"):
        data = (out / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert len(m["plots"]) == 2


def test_checkpoint_and_tensorboard(result):
    out, m = result
    state = ember.load(str(out / "best_model.pt"))
    assert sorted(state) == ["degree_1", "degree_2", "degree_8", "ridge", "ridge_lambda"]
    for d in ("1", "2", "8"):
        assert state[f"degree_{d}"].tolist() == m["polynomial"][d]["coefficients"]
    assert state["ridge_lambda"].item() == m["ridge"]["best_lambda"]
    assert state["ridge"].shape == (m["ridge"]["columns"],)
    pytest.importorskip("tensorboardX")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(m["tensorboard"])
    acc.Reload()
    test_rmse = [e.value for e in acc.Scalars("ridge/test_rmse")]
    assert test_rmse == pytest.approx(m["ridge"]["test_rmse"], rel=1e-6)


def test_generalisation_story(result):
    _, m = result
    p = m["polynomial"]
    assert set(p) == {"1", "2", "8"}
    # degree 1 underfits: far worse than the true degree on both sets
    assert p["1"]["train_rmse"] > 2 * p["2"]["train_rmse"]
    assert p["1"]["test_rmse"] > 5 * p["2"]["test_rmse"]
    # degree 2 generalises: both errors near the noise level 0.1
    assert 0.07 < p["2"]["train_rmse"] < 0.13 and 0.05 < p["2"]["test_rmse"] < 0.2
    # degree 8 fits the training set at least as well but extrapolates badly
    assert p["8"]["train_rmse"] <= p["2"]["train_rmse"]
    assert p["8"]["test_rmse"] > 10 * p["2"]["test_rmse"]
    # the degree-2 fit recovers y = 2 + x + 2x^2
    assert np.allclose(p["2"]["coefficients"], [2, 1, 2], atol=0.1)
    assert m["n_train"] == 80 and m["n_test"] == 20


def test_fits_match_numpy_least_squares(result):
    _, m = result
    x, y = _numpy_data()
    for d in (1, 2, 8):
        X = np.vander(x[:80], d + 1, increasing=True)
        w = np.linalg.lstsq(X, y[:80], rcond=None)[0]
        np.testing.assert_allclose(m["polynomial"][str(d)]["coefficients"], w, rtol=1e-6,
                                   atol=1e-8)
        rmse = np.sqrt(np.mean((np.vander(x[80:], d + 1, increasing=True) @ w - y[80:]) ** 2))
        assert m["polynomial"][str(d)]["test_rmse"] == pytest.approx(rmse, rel=1e-6)
        sse = np.sum((X @ w - y[:80]) ** 2)
        assert m["polynomial"][str(d)]["train_sse"] == pytest.approx(sse, rel=1e-6)


def test_ridge_sweep_matches_numpy(result):
    out, m = result
    r = m["ridge"]
    lams = np.asarray(r["lambdas"])
    assert r["columns"] == 80 and lams[0] == pytest.approx(0.01) and lams[-1] == 0.99
    assert len(lams) == 20                      # --quick samples 20 of the 100 lambdas
    x, y = _numpy_data()
    X = np.vander(x, 80, increasing=True)
    for i in (0, 7, 19):
        w = np.linalg.solve(X[:80].T @ X[:80] + lams[i] * np.eye(80), X[:80].T @ y[:80])
        tr = np.sqrt(np.mean((X[:80] @ w - y[:80]) ** 2))
        te = np.sqrt(np.mean((X[80:] @ w - y[80:]) ** 2))
        assert r["train_rmse"][i] == pytest.approx(tr, rel=1e-5)
        assert r["test_rmse"][i] == pytest.approx(te, rel=1e-5)
    # more regularisation, worse fit of the training set
    assert all(a <= b + 1e-12 for a, b in zip(r["train_rmse"], r["train_rmse"][1:]))
    assert r["best_test_rmse"] == min(r["test_rmse"])
    rows = list(csv.DictReader(open(out / "history.csv")))
    assert len(rows) == 20 and float(rows[7]["test_rmse"]) == pytest.approx(r["test_rmse"][7])


def test_full_sweep_and_other_degrees(tmp_path, capsys):
    assert cli.main(["run", "ch1-generalization", "--degrees", "0,3", "--seed", "1",
                     "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert set(m["polynomial"]) == {"0", "3"} and len(m["ridge"]["lambdas"]) == 100
    assert "train RMSE" in printed and "best test RMSE" in printed
    # degree 0 is the mean of the training targets
    x, y = _numpy_data(1)
    assert m["polynomial"]["0"]["coefficients"][0] == pytest.approx(y[:80].mean())


def test_design_and_fit_helpers():
    import ember
    x = ember.tensor([0.0, 1.0, 2.0], dtype=ember.float64)
    X = ch1.design(x, 3)
    assert X.tolist() == [[1, 0, 0], [1, 1, 1], [1, 2, 4]]
    w = ch1.fit(X, 1 + 2 * x - x * x)
    np.testing.assert_allclose(w.numpy(), [1, 2, -1], atol=1e-10)


@pytest.mark.parametrize("opts, message", [
    (["--degrees", "1,x"], "--degrees must be comma-separated integers"),
    (["--degrees", "80"], "degree 80 is out of range"),
    (["--degrees", "-1"], "degree -1 is out of range"),
    (["--lambdas", "1"], "--lambdas must be at least 2"),
    (["--ridge-columns", "0"], "--ridge-columns must be at least 1"),
    (["--noise", "-0.5"], "--noise must be a finite number >= 0"),
])
def test_user_errors_are_one_line(tmp_path, capsys, opts, message):
    code = cli.main(["run", "ch1-generalization", *opts, "--out", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code != 0
    assert message in err and "\n" not in err and "Traceback" not in err


def test_without_matplotlib_figures_are_skipped(tmp_path, capsys, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert cli.main(["run", "ch1-generalization", "--quick", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "matplotlib is not installed: figures skipped" in printed
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["plots"] == [] and not list(tmp_path.glob("*.png"))
    assert (tmp_path / "history.csv").is_file()
