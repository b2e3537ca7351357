"""ember.train.plots: PNG files exist, are non-empty, have the expected pixel size, and
pyplot's state is left alone."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember


@pytest.fixture
def plots():
    pytest.importorskip("matplotlib")
    pytest.importorskip("PIL")
    from ember.train import plots
    return plots


def _png(path, size):
    from PIL import Image
    assert os.path.isfile(path) and os.path.getsize(path) > 1000
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == size
        arr = np.asarray(im.convert("L"))
    assert arr.std() > 5          # something was drawn, not a blank canvas


def _scores(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, y * 0.6 + rng.random(n)


def test_learning_curves_from_history_dict_and_list(tmp_path, plots):
    h = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6],
         "accuracy": [0.6, 0.8, 0.85], "val_accuracy": [0.55, 0.7, 0.8], "lr": [0.1] * 3}
    p = plots.plot_history(h, tmp_path / "curves.png")
    assert p == str(tmp_path / "curves.png")
    _png(p, (1000, 400))                  # two panels (loss, accuracy) of 5x4 in at 100 dpi
    rows = [{"loss": 1.0, "val_loss": 1.1}, {"loss": 0.5, "val_loss": 0.8}]
    _png(plots.plot_history(rows, tmp_path / "rows.png", dpi=50), (250, 200))
    _png(plots.plot_history(h, tmp_path / "loss.png", metrics="loss", figsize=(4, 3), dpi=80),
         (320, 240))
    with pytest.raises(KeyError, match="auc"):
        plots.plot_history(h, tmp_path / "x.png", metrics=["auc"])
    with pytest.raises(TypeError):
        plots.plot_history(3, tmp_path / "x.png")


def test_learning_curves_from_fit_history(tmp_path, plots):
    import ember.nn as nn
    from ember.train import fit
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 3)).astype(np.float32)
    y = X @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    ember.manual_seed(0)
    model = nn.Linear(3, 1)
    hist = fit(model, (X, y), val_data=(X[:16], y[:16]), loss_fn=nn.MSELoss(),
               optimizer=ember.optim.SGD(model.parameters(), lr=0.05), epochs=3, verbose=0)
    _png(plots.plot_history(hist, tmp_path / "fit.png"), (500, 400))   # loss panel only


def test_roc_pr_curves_train_vs_validation(tmp_path, plots):
    tr, va = _scores(300, 0), _scores(100, 1)
    _png(plots.plot_roc_curves(tr, va, tmp_path / "roc.png"), (600, 500))
    _png(plots.plot_pr_curves(tr, va, tmp_path / "pr.png", dpi=60), (360, 300))
    # tensors work too, and more curves can be added by label
    t_tr = (ember.tensor(tr[0]), ember.tensor(tr[1]))
    _png(plots.plot_roc_pr(t_tr, va, tmp_path / "both.png", curves={"test": _scores(50, 2)}),
         (1200, 500))
    with pytest.raises(ValueError, match="no curves"):
        plots.plot_roc_curves(path=tmp_path / "none.png")


def test_roc_legend_uses_ember_metrics_auc(tmp_path, plots):
    from ember.metrics import roc_auc_score, average_precision_score
    from matplotlib.figure import Figure
    tr, va = _scores(200, 3), _scores(80, 4)
    fig = Figure()
    ax = fig.add_subplot(1, 1, 1)
    plots._draw_roc(ax, plots._curves({"train": tr, "validation": va}), None)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"train (AUC = {roc_auc_score(*tr):.3f})"
    assert labels[1] == f"validation (AUC = {roc_auc_score(*va):.3f})"
    ax = fig.add_subplot(1, 1, 1)
    plots._draw_pr(ax, plots._curves({"train": tr}), None)
    assert ax.get_legend().get_texts()[0].get_text() == \
        f"train (AP = {average_precision_score(*tr):.3f})"


def test_confusion_matrix_heatmap(tmp_path, plots):
    y_true = [0, 1, 2, 2, 1, 0, 2, 1]
    y_pred = [0, 2, 2, 2, 1, 0, 1, 1]
    _png(plots.plot_confusion_matrix(y_true, y_pred, tmp_path / "cm.png",
                                     display_labels=["a", "b", "c"]), (600, 500))
    _png(plots.plot_confusion_matrix(ember.tensor(y_true), ember.tensor(y_pred),
                                     tmp_path / "cmn.png", normalize="true", dpi=40), (240, 200))
    _png(plots.plot_confusion_matrix(cm=np.array([[5, 1], [2, 7]]), path=tmp_path / "cm2.png"),
         (600, 500))
    with pytest.raises(ValueError, match="square"):
        plots.plot_confusion_matrix(cm=np.ones((2, 3)), path=tmp_path / "bad.png")
    with pytest.raises(ValueError, match="display_labels"):
        plots.plot_confusion_matrix(y_true, y_pred, tmp_path / "bad.png", display_labels=["a"])


def test_pyplot_state_untouched(tmp_path, plots):
    import matplotlib
    import matplotlib.pyplot as plt
    backend = matplotlib.get_backend()
    fig = plt.figure()
    before = plt.get_fignums()
    try:
        plots.plot_history({"loss": [1.0, 0.5]}, tmp_path / "a.png")
        plots.plot_confusion_matrix([0, 1], [0, 1], tmp_path / "b.png")
        assert plt.get_fignums() == before
        assert plt.gcf() is fig
        assert matplotlib.get_backend() == backend
    finally:
        plt.close(fig)


def test_without_matplotlib_core_imports_and_hint_is_one_line(tmp_path):
    code = f"""
import sys
class _Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "matplotlib":
            raise ImportError("No module named " + repr(name))
sys.meta_path.insert(0, _Block())
import ember, ember.train
from ember.train import plots
try:
    plots.plot_history({{"loss": [1.0]}}, {str(tmp_path / "x.png")!r})
except ImportError as e:
    print("HINT:" + str(e))
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert [l for l in r.stdout.splitlines() if l.startswith("HINT:")] == \
        ["HINT:ember.train.plots needs matplotlib: pip install 'ember[plots]'"]
    assert not os.path.exists(tmp_path / "x.png")
