"""Batch-accumulating metrics: the value over several update() calls equals the function over
the concatenated batches; reset() starts over; predictions as labels, probabilities or logits."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
import ember.metrics as M

SETTINGS = dict(max_examples=40, deadline=None)


def _split(arrays, cuts):
    """Split aligned arrays at the same (sorted, de-duplicated) cut points."""
    n = len(arrays[0])
    cuts = sorted({c % (n + 1) for c in cuts})
    return list(zip(*(np.split(a, cuts) for a in arrays)))


def _same(ours_fn, ref_fn):
    """Both raise the same error type, or both give the same value and warnings."""
    def run(fn):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            try:
                return fn(), None, [str(w.message) for w in rec]
            except ValueError as e:
                return None, type(e), []
    a, ea, wa = run(ours_fn)
    b, eb, wb = run(ref_fn)
    assert ea == eb
    if ea is None:
        np.testing.assert_allclose(a, b, rtol=1e-12, equal_nan=True)
        assert wa == wb


@settings(**SETTINGS)
@given(st.data())
def test_classification_metrics_equal_functions_over_batches(data):
    n = data.draw(st.integers(1, 30))
    k = data.draw(st.integers(1, 4))
    labels = st.lists(st.integers(0, k - 1), min_size=n, max_size=n)
    y, yp = np.array(data.draw(labels)), np.array(data.draw(labels))
    cuts = data.draw(st.lists(st.integers(0, 40), max_size=4))
    average = data.draw(st.sampled_from(["binary", "micro", "macro", "weighted", None]))
    zero_division = data.draw(st.sampled_from(["warn", 0, 1, np.nan]))
    lab = data.draw(st.sampled_from([None, [0, 1], [2, 0], [5]]))
    kw = dict(average=average, zero_division=zero_division, labels=lab)
    metrics = {M.Precision(**kw): lambda: M.precision_score(y, yp, **kw),
               M.Recall(**kw): lambda: M.recall_score(y, yp, **kw),
               M.F1(**kw): lambda: M.f1_score(y, yp, **kw),
               M.FBeta(2.0, **kw): lambda: M.fbeta_score(y, yp, beta=2.0, **kw),
               M.Accuracy(): lambda: M.accuracy_score(y, yp)}
    for metric, ref in metrics.items():
        for bt, bp in _split((y, yp), cuts):
            metric.update(ember.tensor(bp), ember.tensor(bt))
        _same(metric.compute, ref)


@settings(**SETTINGS)
@given(st.data())
def test_auroc_and_regression_equal_functions_over_batches(data):
    n = data.draw(st.integers(2, 30))
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    s = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))) / 5
    cuts = data.draw(st.lists(st.integers(0, 40), max_size=4))
    auroc, mse, rmse, mae = M.AUROC(), M.MSE(), M.MSE(squared=False), M.MAE()
    for bt, bs in _split((y, s), cuts):
        auroc.update(bs, bt)
        for m in (mse, rmse, mae):
            m.update(ember.tensor(bs, requires_grad=True), bt * 1.0)
    _same(auroc.compute, lambda: M.roc_auc_score(y, s))
    _same(mse.compute, lambda: M.mean_squared_error(y * 1.0, s))
    _same(rmse.compute, lambda: M.root_mean_squared_error(y * 1.0, s))
    _same(mae.compute, lambda: M.mean_absolute_error(y * 1.0, s))


def test_accuracy_thresholds_probabilities_and_argmaxes_logits():
    acc = M.Accuracy()
    acc.update(ember.tensor([0.9, 0.2, 0.6]), ember.tensor([1, 0, 0]))
    assert acc.compute() == pytest.approx(2 / 3)
    acc.update(ember.tensor([[2.0, -1.0, 0.5], [0.1, 0.3, 0.2]]), ember.tensor([0, 2]))
    assert acc.compute() == pytest.approx(3 / 5)
    acc.reset()
    acc.update(np.array([[0.2], [0.7]]), np.array([0, 1]))   # (N, 1) probabilities
    assert acc.compute() == 1.0
    assert M.Accuracy(threshold=0.0)(np.array([-1.0, 2.0]), np.array([0, 1])) == 1.0
    # multilabel indicator targets: subset accuracy
    acc = M.Accuracy()
    acc.update(np.array([[0.9, 0.1], [0.8, 0.7]]), np.array([[1, 0], [1, 0]]))
    assert acc.compute() == 0.5


def test_f1_from_logits_matches_function_on_argmax():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(50, 3)).astype(np.float32)
    y = rng.integers(0, 3, 50)
    f1 = M.F1(average="macro")
    for i in range(0, 50, 16):
        f1.update(ember.tensor(logits[i:i + 16], requires_grad=True), ember.tensor(y[i:i + 16]))
    assert f1.compute() == M.f1_score(y, logits.argmax(1), average="macro")


def test_call_returns_batch_value_and_accumulates():
    acc = M.Accuracy()
    assert acc(np.array([1, 1]), np.array([1, 1])) == 1.0
    assert acc(np.array([0, 1]), np.array([1, 0])) == 0.0
    assert acc.compute() == 0.5
    assert repr(M.F1(average="macro")).startswith("F1(average='macro'")


def test_reset_and_empty():
    for m in (M.Accuracy(), M.F1(), M.AUROC(), M.MSE(), M.MAE()):
        with pytest.raises(ValueError):
            m.compute()
    mse = M.MSE()
    mse.update(np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    assert mse.compute() == 2.0
    mse.reset()
    mse.update(np.array([1.0]), np.array([2.0]))
    assert mse.compute() == 1.0


def test_prf_new_labels_in_later_batches_and_errors():
    p = M.Precision(average=None, zero_division=0)
    p.update(np.array([0, 0]), np.array([0, 1]))
    p.update(np.array([2, 1]), np.array([2, 2]))
    np.testing.assert_allclose(p.compute(),
                               M.precision_score([0, 1, 2, 2], [0, 0, 2, 1], average=None,
                                                 zero_division=0))
    m = M.F1()   # the target type is known only over all batches: compute() decides
    m.update(np.array([0, 1]), np.array([0, 1]))
    m.update(np.array([2]), np.array([2]))
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        m.compute()
    with pytest.raises(ValueError, match="continuous"):
        M.F1().update(np.array([0, 1]), np.array([0.5, 1.0]))


def test_auroc_two_column_probabilities_and_multiclass():
    y = np.array([0, 0, 1, 1])
    p1 = np.array([0.1, 0.4, 0.35, 0.8])
    au = M.AUROC()
    au.update(np.stack([1 - p1, p1], axis=1), y)
    assert au.compute() == 0.75
    y3 = np.array([0, 1, 2, 2])
    p3 = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]])
    au = M.AUROC()
    au.update(p3[:2], y3[:2])
    au.update(p3[2:], y3[2:])
    assert au.compute() == M.roc_auc_score(y3, p3, multi_class="ovr")
