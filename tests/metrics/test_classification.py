"""ember.metrics.classification on hand-checkable inputs (no scikit-learn needed)."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ember
import ember.metrics as M
from ember.metrics import UndefinedMetricWarning

Y_TRUE = [0, 1, 2, 0, 1, 2]
Y_PRED = [0, 2, 1, 0, 0, 1]


def test_metrics_do_not_import_sklearn():
    code = ("import sys, ember.metrics; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'sklearn']; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_undefined_metric_warning_is_a_user_warning():
    assert issubclass(UndefinedMetricWarning, UserWarning)
    assert issubclass(M.InvalidParameterError, ValueError)


def test_accuracy_score():
    assert M.accuracy_score([0, 2, 1, 3], [0, 1, 2, 3]) == 0.5
    assert M.accuracy_score([0, 2, 1, 3], [0, 1, 2, 3], normalize=False) == 2.0
    got = M.accuracy_score([0, 1, 1], [0, 1, 0], sample_weight=[1, 2, 3])
    assert got == pytest.approx(0.5) and type(got) is float
    # multilabel: subset accuracy
    assert M.accuracy_score(np.array([[0, 1], [1, 1]]), np.ones((2, 2))) == 0.5


def test_accepts_tensors_lists_and_requires_grad():
    t = ember.tensor([0.0, 1.0, 1.0], requires_grad=True)
    assert M.accuracy_score(ember.tensor([0, 1, 0]), t) == pytest.approx(2 / 3)
    assert M.accuracy_score((0, 1), np.array([0, 0])) == 0.5
    assert M.accuracy_score([ember.tensor(1), ember.tensor(0)], [1, 1]) == 0.5


def test_accuracy_errors():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        M.accuracy_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="mix of continuous and binary"):
        M.accuracy_score([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="Found empty input array"):
        M.accuracy_score([], [])
    with pytest.raises(ValueError, match="Mix of label input types"):
        M.accuracy_score([0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="at least one non-zero"):
        M.accuracy_score([0, 1], [0, 1], sample_weight=[0, 0])


def test_confusion_matrix():
    cm = M.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    np.testing.assert_array_equal(cm, [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
    assert cm.dtype == np.int64
    cm = M.confusion_matrix(["cat", "ant", "cat", "cat", "ant", "bird"],
                            ["ant", "ant", "cat", "cat", "ant", "cat"],
                            labels=["ant", "bird", "cat"])
    np.testing.assert_array_equal(cm, [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
    # labels select and order the rows/columns; other samples are dropped
    np.testing.assert_array_equal(M.confusion_matrix([1, 2, 3], [1, 2, 4], labels=[3, 1]),
                                  [[0, 0], [0, 1]])
    cm = M.confusion_matrix([0, 0, 1], [0, 1, 1], normalize="true")
    np.testing.assert_allclose(cm, [[0.5, 0.5], [0, 1]])
    cm = M.confusion_matrix([0, 0, 1], [0, 1, 1], sample_weight=[0.5, 1, 2])
    assert cm.dtype == np.float64
    np.testing.assert_allclose(cm, [[0.5, 1], [0, 2]])
    with pytest.warns(UserWarning, match="A single label was found"):
        np.testing.assert_array_equal(M.confusion_matrix([1, 1], [1, 1]), [[2]])
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        M.confusion_matrix([1, 1], [1, 1], labels=[3, 4])
    with pytest.raises(ValueError, match="normalize"):
        M.confusion_matrix([1, 1], [1, 1], normalize="rows")


def test_multilabel_confusion_matrix():
    mcm = M.multilabel_confusion_matrix(["cat", "ant", "cat", "cat", "ant", "bird"],
                                        ["ant", "ant", "cat", "cat", "ant", "cat"],
                                        labels=["ant", "bird", "cat"])
    np.testing.assert_array_equal(mcm, [[[3, 1], [0, 2]], [[5, 0], [1, 0]],
                                        [[2, 1], [1, 2]]])
    mcm = M.multilabel_confusion_matrix(np.array([[1, 0, 1], [0, 1, 0]]),
                                        np.array([[1, 0, 0], [0, 1, 1]]))
    np.testing.assert_array_equal(mcm, [[[1, 0], [0, 1]], [[1, 0], [0, 1]],
                                        [[0, 1], [1, 0]]])


@pytest.mark.parametrize("average,p,r,f", [
    ("macro", 2 / 9, 1 / 3, 0.8 / 3),
    ("micro", 1 / 3, 1 / 3, 1 / 3),
    ("weighted", 2 / 9, 1 / 3, 0.8 / 3),
])
def test_precision_recall_f1_averages(average, p, r, f):
    assert M.precision_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(p)
    assert M.recall_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(r)
    assert M.f1_score(Y_TRUE, Y_PRED, average=average) == pytest.approx(f)
    assert type(M.f1_score(Y_TRUE, Y_PRED, average=average)) is float


def test_precision_recall_f1_per_class_and_support():
    p, r, f, s = M.precision_recall_fscore_support(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(p, [2 / 3, 0, 0])
    np.testing.assert_allclose(r, [1, 0, 0])
    np.testing.assert_allclose(f, [0.8, 0, 0])
    np.testing.assert_array_equal(s, [2, 2, 2])
    np.testing.assert_allclose(M.f1_score(Y_TRUE, Y_PRED, average=None), [0.8, 0, 0])


def test_binary_and_pos_label_and_beta():
    y, yp = [0, 1, 1, 1, 0], [1, 1, 0, 1, 0]   # tp=2 fp=1 fn=1
    assert M.precision_score(y, yp) == pytest.approx(2 / 3)
    assert M.recall_score(y, yp) == pytest.approx(2 / 3)
    assert M.precision_score(y, yp, pos_label=0) == pytest.approx(1 / 2)
    # F-beta: (1 + b^2) tp / ((1 + b^2) tp + b^2 fn + fp)
    assert M.fbeta_score(y, yp, beta=2) == pytest.approx(5 * 2 / (5 * 2 + 4 * 1 + 1))
    assert M.fbeta_score(y, yp, beta=0) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="Target is multiclass but average='binary'"):
        M.f1_score(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="pos_label=3 is not a valid label"):
        M.f1_score(y, yp, pos_label=3)
    with pytest.raises(ValueError, match="average"):
        M.f1_score(y, yp, average="mean")
    with pytest.warns(UserWarning, match="pos_label \\(set to 0\\) is ignored"):
        M.f1_score(y, yp, average="macro", pos_label=0)


def test_zero_division():
    with pytest.warns(UndefinedMetricWarning,
                      match="Precision is ill-defined and being set to 0.0 due to no predicted"):
        assert M.precision_score([0, 1], [0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.precision_score([0, 1], [0, 0], zero_division=1) == 1.0
        assert np.isnan(M.precision_score([0, 1], [0, 0], zero_division=np.nan))
        # nan labels are left out of the average
        assert M.precision_score([0, 1, 2], [0, 0, 1], average="macro",
                                 zero_division=np.nan) == pytest.approx(0.25)
    with pytest.warns(UndefinedMetricWarning, match="in labels with no true samples"):
        M.recall_score([0, 0, 1], [0, 2, 1], average="macro")
    with pytest.raises(ValueError, match="zero_division"):
        M.f1_score([0, 1], [0, 1], zero_division=0.5)


def test_samples_average_multilabel():
    y = np.array([[0, 1, 1], [1, 0, 0]])
    yp = np.array([[0, 0, 1], [1, 1, 0]])
    assert M.recall_score(y, yp, average="samples") == pytest.approx(0.75)
    assert M.precision_score(y, yp, average="samples") == pytest.approx(0.75)
    np.testing.assert_allclose(M.recall_score(y, yp, average=None), [1, 0, 1])


def test_matthews_corrcoef():
    assert M.matthews_corrcoef([1, 1, 1, -1], [1, -1, 1, 1]) == pytest.approx(-1 / 3)
    assert M.matthews_corrcoef([0, 1, 0, 1], [0, 1, 0, 1]) == 1.0
    assert M.matthews_corrcoef([0, 1, 0, 1], [1, 1, 1, 1]) == 0.0


def test_log_loss():
    got = M.log_loss(["spam", "ham", "ham", "spam"],
                     [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])
    expect = -np.mean(np.log([.9, .9, .8, .65]))
    assert got == pytest.approx(expect)
    assert M.log_loss([0, 1], [0.2, 0.7]) == pytest.approx(-np.mean(np.log([0.8, 0.7])))
    with pytest.raises(ValueError, match="y_true contains only one label"):
        M.log_loss([1, 1], [0.3, 0.4])
    with pytest.raises(ValueError, match="greater than 1"):
        M.log_loss([0, 1], [0.3, 1.4])


def test_classification_report():
    text = M.classification_report([0, 1, 2, 2, 2], [0, 0, 2, 2, 1],
                                   target_names=["class 0", "class 1", "class 2"],
                                   zero_division=0)
    lines = text.splitlines()
    assert lines[0].split() == ["precision", "recall", "f1-score", "support"]
    assert lines[2].split() == ["class", "0", "0.50", "1.00", "0.67", "1"]
    assert lines[4].split() == ["class", "2", "1.00", "0.67", "0.80", "3"]
    assert lines[6].split() == ["accuracy", "0.60", "5"]
    assert lines[7].split() == ["macro", "avg", "0.50", "0.56", "0.49", "5"]
    d = M.classification_report([0, 1, 1], [0, 1, 0], output_dict=True)
    assert d["accuracy"] == pytest.approx(2 / 3)
    assert d["1"] == {"precision": 1.0, "recall": 0.5, "f1-score": pytest.approx(2 / 3),
                      "support": 2.0}
