"""ember.metrics.ranking on hand-checkable inputs (no scikit-learn needed)."""
import numpy as np
import pytest

import ember
import ember.metrics as M
from ember.metrics import UndefinedMetricWarning

Y = [0, 0, 1, 1]
S = [0.1, 0.4, 0.35, 0.8]


def test_roc_curve_thresholds_start_at_inf():
    fpr, tpr, thr = M.roc_curve([1, 1, 2, 2], S, pos_label=2)
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 0.5, 1, 1])
    np.testing.assert_allclose(thr, [np.inf, 0.8, 0.4, 0.35, 0.1])
    assert thr.dtype == np.float64


def test_roc_curve_drop_intermediate_and_ties():
    y, s = [0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5]
    fpr, tpr, thr = M.roc_curve(y, s)   # collinear points dropped
    np.testing.assert_allclose(fpr, [0, 0, 0, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 1, 1])
    np.testing.assert_allclose(thr, [np.inf, 0.5, 0.3, 0.1])
    fpr, tpr, thr = M.roc_curve(y, s, drop_intermediate=False)
    assert len(thr) == 6
    # tied scores make one point
    fpr, tpr, thr = M.roc_curve([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9], drop_intermediate=False)
    np.testing.assert_allclose(thr, [np.inf, 0.9, 0.5, 0.2])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 0.5, 1, 1])


def test_roc_curve_degenerate():
    with pytest.warns(UndefinedMetricWarning, match="No positive samples in y_true"):
        fpr, tpr, _ = M.roc_curve([0, 0, 0], [0.1, 0.4, 0.35])
    assert np.isnan(tpr).all()
    with pytest.raises(ValueError, match="pos_label is not specified"):
        M.roc_curve([1, 2, 2], [0.1, 0.4, 0.35])
    with pytest.raises(ValueError, match="multiclass format is not supported"):
        M.roc_curve([0, 1, 2], [0.1, 0.4, 0.35])
    with pytest.raises(ValueError, match="Input contains NaN"):
        M.roc_curve([0, 1, 1], [0.1, np.nan, 0.35])


def test_roc_auc_score():
    assert M.roc_auc_score(Y, S) == 0.75
    assert M.roc_auc_score([0, 1], [0.5, 0.5]) == 0.5   # a tie counts half
    t = ember.tensor(np.array(S), requires_grad=True)
    assert M.roc_auc_score(ember.tensor(Y), t) == 0.75
    with pytest.warns(UndefinedMetricWarning, match="Only one class is present"):
        assert np.isnan(M.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4]))
    # partial AUC (McClish-standardised): a perfect ranking stays 1.0
    assert M.roc_auc_score([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], max_fpr=0.5) == 1.0


def test_roc_auc_multiclass():
    y = [0, 1, 2, 2]
    p = np.array([[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.2, 0.2, 0.6]])
    assert M.roc_auc_score(y, p, multi_class="ovr") == 1.0
    assert M.roc_auc_score(y, p, multi_class="ovo") == 1.0
    with pytest.raises(ValueError, match="multi_class must be in"):
        M.roc_auc_score(y, p)
    with pytest.raises(ValueError, match="need to be probabilities"):
        M.roc_auc_score(y, p * 2, multi_class="ovr")


def test_roc_auc_multilabel_averages():
    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    s = np.array([[0.9, 0.2], [0.1, 0.7], [0.8, 0.3], [0.3, 0.4]])
    per = M.roc_auc_score(y, s, average=None)
    np.testing.assert_allclose(per, [1.0, 0.75])   # 3 of 4 pos-neg pairs ordered
    assert M.roc_auc_score(y, s) == pytest.approx(0.875)


def test_precision_recall_curve_ends_at_recall_zero():
    p, r, thr = M.precision_recall_curve(Y, S)
    np.testing.assert_allclose(p, [0.5, 2 / 3, 0.5, 1, 1])
    np.testing.assert_allclose(r, [1, 1, 0.5, 0.5, 0])
    np.testing.assert_allclose(thr, [0.1, 0.35, 0.4, 0.8])
    with pytest.warns(UserWarning, match="No positive class found"):
        p, r, _ = M.precision_recall_curve([0, 0], [0.2, 0.3])
    np.testing.assert_allclose(r, [1, 1, 0])


def test_average_precision_score():
    # recall steps 0.5 at precision 1 (t=0.8) and 0.5 at precision 2/3 (t=0.35)
    assert M.average_precision_score(Y, S) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        M.average_precision_score(Y, S, pos_label=2)


def test_auc():
    assert M.auc([1, 2, 3], [0, 1, 0]) == 1.0
    assert M.auc([3, 2, 1], [1, 1, 1]) == 2.0
    assert type(M.auc([0, 1], [0, 1])) is float
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        M.auc([1, 2, 1], [1, 1, 1])
    with pytest.raises(ValueError, match="At least 2 points"):
        M.auc([1], [1])
