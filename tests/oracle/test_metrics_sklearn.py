"""ember.metrics against scikit-learn: values, return types, warnings and errors, on
hypothesis-generated inputs (ties, one class, zero weights...) and on hand-picked edge cases."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import ember
import ember.metrics as E

pytestmark = pytest.mark.oracle
sklearn = pytest.importorskip("sklearn")
from sklearn import metrics as S  # noqa: E402

SETTINGS = dict(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ----- comparison machinery ---------------------------------------------------------------
def _run(fn, args, kwargs):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            out, err = fn(*args, **kwargs), None
        except Exception as e:   # noqa: BLE001 - the oracle decides which errors are right
            out, err = None, e
    # NumPy's RuntimeWarnings (divide by zero...) are incidental; the metrics' own are compared
    warns = [(w.category.__name__, str(w.message)) for w in rec
             if not issubclass(w.category, RuntimeWarning)]
    return out, err, warns


def _assert_same_value(ours, ref, rtol, path="result"):
    if isinstance(ref, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(ref), path
        for i, (a, b) in enumerate(zip(ours, ref)):
            _assert_same_value(a, b, rtol, f"{path}[{i}]")
        return
    if ref is None:
        assert ours is None, path
        return
    if isinstance(ref, (str, dict)):
        assert ours == ref, path
        return
    if isinstance(ref, np.ndarray):
        assert isinstance(ours, np.ndarray), f"{path}: {type(ours)} is not an ndarray"
        assert ours.shape == ref.shape, f"{path}: shape {ours.shape} != {ref.shape}"
        assert ours.dtype.kind == ref.dtype.kind, f"{path}: dtype {ours.dtype} != {ref.dtype}"
    else:
        assert isinstance(ours, (float, int)) and not isinstance(ours, np.ndarray), \
            f"{path}: {type(ours)} for {type(ref)}"
        assert type(ours) is type(ref) or isinstance(ref, float), \
            f"{path}: {type(ours)} != {type(ref)}"
    np.testing.assert_allclose(np.asarray(ours, dtype=np.float64),
                               np.asarray(ref, dtype=np.float64), rtol=rtol, atol=1e-12,
                               equal_nan=True, err_msg=path)


def check(name, *args, rtol=1e-10, message=True, ember_args=None, ember_fn=None, **kwargs):
    """Run ``ember.metrics.<name>`` and ``sklearn.metrics.<name>``: same value and type, same
    warnings (category name and text), or the same exception type (and message).
    ``ember_fn`` (no arguments) replaces the ember call, e.g. a metric object's compute."""
    ref, ref_err, ref_warns = _run(getattr(S, name), args, kwargs)
    if ember_fn is not None:
        ours, err, our_warns = _run(ember_fn, (), {})
    else:
        ours, err, our_warns = _run(getattr(E, name), ember_args or args, kwargs)
    if ref_err is not None:
        assert err is not None, f"{name}: sklearn raised {ref_err!r}, ember returned {ours!r}"
        assert isinstance(err, type(ref_err)) or (
            type(ref_err).__name__ == "InvalidParameterError" and isinstance(err, ValueError)), \
            f"{name}: {err!r} vs sklearn's {ref_err!r}"
        if message and type(ref_err).__name__ != "InvalidParameterError":
            assert str(err) == str(ref_err)
        return None
    if err is not None:
        raise AssertionError(f"{name}: ember raised {err!r}, sklearn returned {ref!r}") from err
    _assert_same_value(ours, ref, rtol)
    assert our_warns == ref_warns, f"{name}: warnings {our_warns} != sklearn's {ref_warns}"
    return ours


# ----- strategies -------------------------------------------------------------------------
@st.composite
def label_pairs(draw, max_classes=4, min_n=1, max_n=25):
    n = draw(st.integers(min_n, max_n))
    k = draw(st.integers(1, max_classes))
    y_true = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    return y_true, y_pred


@st.composite
def weights(draw, n):
    kind = draw(st.sampled_from(["none", "int", "float"]))
    if kind == "none":
        return None
    if kind == "int":
        return np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    return np.array(draw(st.lists(st.floats(0, 2, allow_nan=False).map(lambda v: round(v, 2)),
                                  min_size=n, max_size=n)))


@st.composite
def scored(draw, min_n=1, max_n=30):
    """Binary labels and scores drawn from a few values, so that ties are common."""
    n = draw(st.integers(min_n, max_n))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    levels = draw(st.integers(1, 8))
    s = np.array(draw(st.lists(st.integers(0, levels), min_size=n, max_size=n))) / levels
    if draw(st.booleans()):
        s = s.astype(np.float32)
    return y, s


# ----- classification: random ------------------------------------------------------------
@settings(**SETTINGS)
@given(label_pairs(), st.data())
def test_accuracy_and_confusion_matrix_random(pair, data):
    y_true, y_pred = pair
    sw = data.draw(weights(len(y_true)))
    normalize = data.draw(st.booleans())
    check("accuracy_score", y_true, y_pred, normalize=normalize, sample_weight=sw)
    cm_norm = data.draw(st.sampled_from([None, "true", "pred", "all"]))
    check("confusion_matrix", y_true, y_pred, sample_weight=sw, normalize=cm_norm)
    labels = data.draw(st.sampled_from([None, [0, 1], [2, 0], [1, 5], [3, 2, 1, 0]]))
    check("confusion_matrix", y_true, y_pred, labels=labels)
    check("multilabel_confusion_matrix", y_true, y_pred, sample_weight=sw, labels=labels)
    check("matthews_corrcoef", y_true, y_pred, sample_weight=sw)


@settings(**SETTINGS)
@given(label_pairs(), st.data())
def test_precision_recall_f_random(pair, data):
    y_true, y_pred = pair
    sw = data.draw(weights(len(y_true)))
    average = data.draw(st.sampled_from(["binary", "micro", "macro", "weighted", None]))
    zero_division = data.draw(st.sampled_from(["warn", 0, 1, np.nan]))
    labels = data.draw(st.sampled_from([None, [0, 1], [2], [1, 7], [3, 0]]))
    pos_label = data.draw(st.sampled_from([1, 0, 2]))
    kw = dict(average=average, zero_division=zero_division, labels=labels,
              pos_label=pos_label, sample_weight=sw)
    for name in ("precision_score", "recall_score", "f1_score"):
        check(name, y_true, y_pred, **kw)
    beta = data.draw(st.sampled_from([0, 0.5, 2.0, np.inf]))
    check("fbeta_score", y_true, y_pred, beta=beta, **kw)
    check("precision_recall_fscore_support", y_true, y_pred, beta=beta, **kw)


@settings(**SETTINGS)
@given(st.data())
def test_multilabel_indicator_random(data):
    n = data.draw(st.integers(1, 12))
    k = data.draw(st.integers(2, 4))
    cells = st.lists(st.integers(0, 1), min_size=n * k, max_size=n * k)
    y_true = np.array(data.draw(cells)).reshape(n, k)
    y_pred = np.array(data.draw(cells)).reshape(n, k)
    sw = data.draw(weights(n))
    check("accuracy_score", y_true, y_pred, sample_weight=sw)
    average = data.draw(st.sampled_from(["micro", "macro", "weighted", "samples", None]))
    zero_division = data.draw(st.sampled_from(["warn", 0, 1, np.nan]))
    for name in ("precision_score", "recall_score", "f1_score"):
        check(name, y_true, y_pred, average=average, zero_division=zero_division,
              sample_weight=sw)
    check("multilabel_confusion_matrix", y_true, y_pred, sample_weight=sw,
          samplewise=average == "samples")
    scores = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n * k,
                                         max_size=n * k))).reshape(n, k) / 4
    avg = data.draw(st.sampled_from(["micro", "macro", "weighted", "samples", None]))
    check("roc_auc_score", y_true, scores, average=avg, sample_weight=sw)
    check("average_precision_score", y_true, scores, average=avg, sample_weight=sw)


@settings(**SETTINGS)
@given(st.data())
def test_string_labels_and_reports(data):
    n = data.draw(st.integers(1, 15))
    names = np.array(["cat", "dog", "emu"])
    y_true = names[np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))]
    y_pred = names[np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))]
    check("accuracy_score", y_true, y_pred)
    check("confusion_matrix", y_true, y_pred)
    check("f1_score", y_true, y_pred, average="macro", zero_division=0)
    check("precision_score", y_true, y_pred, average="binary", pos_label="dog")
    check("classification_report", y_true, y_pred, zero_division=0)
    check("classification_report", y_true, y_pred, output_dict=True, digits=4)
    check("matthews_corrcoef", y_true, y_pred)


# ----- ranking: random --------------------------------------------------------------------
@settings(**SETTINGS)
@given(scored(), st.data())
def test_curves_random(ys, data):
    y, s = ys
    sw = data.draw(weights(len(y)))
    drop = data.draw(st.booleans())
    check("roc_curve", y, s, sample_weight=sw, drop_intermediate=drop)
    check("precision_recall_curve", y, s, sample_weight=sw, drop_intermediate=drop)
    check("roc_auc_score", y, s, sample_weight=sw)
    check("average_precision_score", y, s, sample_weight=sw)
    max_fpr = data.draw(st.sampled_from([None, 0.3, 0.5, 1.0]))
    check("roc_auc_score", y, s, max_fpr=max_fpr)
    # labels other than {0, 1}: pos_label decides
    y2 = np.where(y == 1, 7, 3)
    check("roc_curve", y2, s, pos_label=7)
    check("roc_curve", y2, s)
    check("roc_auc_score", y2, s)
    check("average_precision_score", y2, s, pos_label=7)
    check("average_precision_score", y2, s)


@settings(**SETTINGS)
@given(st.data())
def test_auc_random(data):
    n = data.draw(st.integers(2, 20))
    x = np.sort(np.array(data.draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n))))
    yv = np.array(data.draw(st.lists(st.floats(-5, 5), min_size=n, max_size=n)))
    if data.draw(st.booleans()):
        x = x[::-1]
    check("auc", x, yv)


@settings(**SETTINGS)
@given(st.data())
def test_multiclass_auc_random(data):
    n = data.draw(st.integers(3, 25))
    k = data.draw(st.integers(3, 4))
    y = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    raw = np.array(data.draw(st.lists(st.integers(1, 5), min_size=n * k,
                                      max_size=n * k)), dtype=np.float64).reshape(n, k)
    p = raw / raw.sum(axis=1, keepdims=True)
    multi = data.draw(st.sampled_from(["ovr", "ovo"]))
    average = data.draw(st.sampled_from(["macro", "weighted", "micro", None]))
    check("roc_auc_score", y, p, multi_class=multi, average=average)
    check("roc_auc_score", y, p, multi_class=multi, labels=list(range(k)))
    check("average_precision_score", y, p, average=average)
    check("log_loss", y, p, labels=list(range(k)))


# ----- regression: random -----------------------------------------------------------------
REGRESSION = ["mean_squared_error", "root_mean_squared_error", "mean_absolute_error",
              "mean_absolute_percentage_error", "r2_score"]


@settings(**SETTINGS)
@given(st.data())
def test_regression_random(data):
    n = data.draw(st.integers(1, 20))
    outputs = data.draw(st.sampled_from([None, 1, 3]))
    shape = (n,) if outputs is None else (n, outputs)
    size = int(np.prod(shape))
    vals = st.lists(st.floats(-10, 10).map(lambda v: round(v, 1)), min_size=size,
                    max_size=size)
    y_true = np.array(data.draw(vals)).reshape(shape)
    y_pred = np.array(data.draw(vals)).reshape(shape)
    dtype = data.draw(st.sampled_from([np.float64, np.float32]))
    y_true, y_pred = y_true.astype(dtype), y_pred.astype(dtype)
    sw = data.draw(weights(n))
    multioutput = data.draw(st.sampled_from(["raw_values", "uniform_average",
                                             [0.2, 0.5, 0.3]]))
    rtol = 1e-10 if dtype == np.float64 else 1e-5
    for name in REGRESSION:
        check(name, y_true, y_pred, sample_weight=sw, multioutput=multioutput, rtol=rtol)
    check("r2_score", y_true, y_pred, multioutput="variance_weighted", rtol=rtol)
    check("r2_score", y_true, y_pred, force_finite=False, rtol=rtol)
    check("log_loss", (y_true.ravel() > 0).astype(int),
          1 / (1 + np.exp(-y_pred.ravel().astype(np.float64))), sample_weight=None)


# ----- batch-accumulating metrics ---------------------------------------------------------
@settings(**SETTINGS)
@given(label_pairs(), scored(min_n=2), st.data())
def test_stateful_metrics_equal_sklearn_over_concatenated_batches(pair, ys, data):
    y_true, y_pred = pair
    average = data.draw(st.sampled_from(["binary", "micro", "macro", "weighted", None]))
    kw = dict(average=average, zero_division=data.draw(st.sampled_from(["warn", 0, 1])))
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(y_true)), max_size=3))))
    objs = {"precision_score": E.Precision(**kw), "recall_score": E.Recall(**kw),
            "f1_score": E.F1(**kw)}
    acc = E.Accuracy()
    for bt, bp in zip(np.split(y_true, cuts), np.split(y_pred, cuts)):
        acc.update(ember.tensor(bp), ember.tensor(bt))
        for m in objs.values():
            m.update(ember.tensor(bp), ember.tensor(bt))
    assert acc.compute() == pytest.approx(S.accuracy_score(y_true, y_pred), rel=1e-12)
    for name, m in objs.items():
        check(name, y_true, y_pred, ember_fn=m.compute, **kw)
    y, s = ys
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(y)), max_size=3))))
    auroc, mse, mae = E.AUROC(), E.MSE(), E.MAE()
    for bt, bs in zip(np.split(y, cuts), np.split(s, cuts)):
        auroc.update(ember.tensor(bs), ember.tensor(bt))
        mse.update(bs, bt)
        mae.update(bs, bt)
    check("roc_auc_score", y, s, ember_fn=auroc.compute)
    check("mean_squared_error", y, s, ember_fn=mse.compute, rtol=1e-6)
    check("mean_absolute_error", y, s, ember_fn=mae.compute, rtol=1e-6)


# ----- tensors and lists ------------------------------------------------------------------
def test_ember_tensors_and_lists_are_accepted():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 40)
    s = rng.random(40)
    yp = (s > 0.5).astype(np.int64)
    ty, ts, tp = ember.tensor(y), ember.tensor(s, requires_grad=True), ember.tensor(yp)
    for name in ("accuracy_score", "f1_score", "precision_score", "recall_score",
                 "confusion_matrix", "matthews_corrcoef"):
        check(name, y, yp, ember_args=(ty, tp))
        check(name, y.tolist(), yp.tolist())
    for name in ("roc_curve", "roc_auc_score", "precision_recall_curve",
                 "average_precision_score"):
        check(name, y, s, ember_args=(ty, ts))
        check(name, y.tolist(), s.tolist())
    for name in REGRESSION:
        check(name, y * 1.0, s, ember_args=(ember.tensor(y * 1.0), ts))
        check(name, y.tolist(), s.tolist())
    f32 = ember.tensor(s.astype(np.float32), requires_grad=True)
    check("mean_squared_error", y.astype(np.float32), s.astype(np.float32),
          ember_args=(ember.tensor(y.astype(np.float32)), f32), rtol=1e-6)


# ----- edge cases -------------------------------------------------------------------------
EDGE = [
    ("accuracy_score", [], []),
    ("accuracy_score", [0.5, 1], [0, 1]),
    ("accuracy_score", [np.nan, 1], [0, 1]),
    ("accuracy_score", [0, 1], [0, 1, 1]),
    ("accuracy_score", [0, 1], ["a", "b"]),
    ("accuracy_score", [[0, 1], [1, 1]], [0, 1]),
    ("accuracy_score", np.zeros((3, 1)), np.zeros((3, 1))),
    ("accuracy_score", [[1, 2], [3, 4]], [[1, 2], [3, 4]]),
    ("confusion_matrix", [1, 1], [1, 1]),
    ("confusion_matrix", [2.0, 1.0], [1, 2]),
    ("precision_score", [0, 0], [0, 0]),
    ("recall_score", [0, 0], [1, 1]),
    ("f1_score", [0, 0], [0, 0]),
    ("precision_score", [1, 2], [1, 2]),
    ("precision_score", [1, 2, 3], [1, 2, 3]),
    ("precision_score", [2, 2], [2, 2]),
    ("f1_score", [True, False, True], [True, True, False]),
    ("matthews_corrcoef", [0, 0, 0], [0, 0, 0]),
    ("matthews_corrcoef", [0, 1, 0], [1, 1, 1]),
    ("roc_curve", [0, 0, 0], [0.1, 0.4, 0.35]),
    ("roc_curve", [1, 1, 1], [0.1, 0.4, 0.35]),
    ("roc_curve", [1, 2, 2], [0.1, 0.4, 0.35]),
    ("roc_curve", ["a", "b", "b"], [0.1, 0.4, 0.35]),
    ("roc_curve", [0, 1, 2], [0.1, 0.4, 0.35]),
    ("roc_curve", [0, 1, 1], [0.1, np.nan, 0.35]),
    ("roc_curve", [0, 1, 1], [0.1, np.inf, 0.35]),
    ("roc_curve", [0.5, 1], [0.1, 0.2]),
    ("roc_curve", [0, 1, 1], [1, 2, 2]),
    ("roc_curve", [-1, 1, 1, -1], [3, 2, 2, 0]),
    ("roc_curve", [0, 1, 1, 0], [True, False, True, True]),
    ("roc_curve", [0], [0.5]),
    ("roc_auc_score", [0, 0, 0], [0.1, 0.4, 0.35]),
    ("roc_auc_score", [1, 1], [0.1, 0.4]),
    ("roc_auc_score", [1, 2, 2], [0.1, 0.4, 0.35]),
    ("roc_auc_score", [0, 1, 2], [0.1, 0.4, 0.35]),
    ("roc_auc_score", [0, 1, 1], [[0.1, 0.9], [0.2, 0.8], [0.3, 0.7]]),
    ("roc_auc_score", [0, 1, 1], [0.1, np.nan, 0.3]),
    ("roc_auc_score", [], []),
    ("roc_auc_score", [0.2, 1.5], [0.1, 0.4]),
    ("auc", [1], [1]),
    ("auc", [1, 2, 1], [1, 1, 1]),
    ("auc", [3, 2, 1], [1, 1, 1]),
    ("auc", [0, 0, 1, 1], [0, 1, 1, 0.5]),
    ("precision_recall_curve", [0, 0, 0, 0], [0.1, 0.4, 0.35, 0.8]),
    ("precision_recall_curve", [0, 0, 1, 1], [1, 2, 2, 3]),
    ("precision_recall_curve", [1], [0.3]),
    ("average_precision_score", [0, 0, 0, 0], [0.1, 0.4, 0.35, 0.8]),
    ("average_precision_score", [1, 1, 1, 1], [0.1, 0.4, 0.35, 0.8]),
    ("average_precision_score", [1, 2, 2, 1], [0.1, 0.4, 0.35, 0.8]),
    ("mean_squared_error", [], []),
    ("mean_squared_error", [1, np.nan], [1, 2]),
    ("mean_squared_error", [1, 2], [1, np.inf]),
    ("mean_squared_error", np.ones((2, 2, 2)), np.ones((2, 2, 2))),
    ("mean_squared_error", [[1, 2], [3, 4]], [1, 2]),
    ("mean_squared_error", [1, 2], [1, 2, 3]),
    ("mean_absolute_error", [1, 2], [1, 3]),
    ("r2_score", [1], [2]),
    ("r2_score", [1, 1], [1, 1]),
    ("r2_score", [1, 1], [1, 2]),
    ("mean_absolute_percentage_error", [0, 1], [1, 1]),
    ("log_loss", [1, 1, 1], [0.1, 0.9, 0.8]),
    ("log_loss", [0, 1, 1], [0.1, 1.2, 0.8]),
    ("log_loss", [0, 1, 2], [[0.1, 0.9, 0], [0.8, 0.1, 0.1], [0.3, 0.3, 0.4]]),
    ("log_loss", [0, 1, 2], [[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]),
]


@pytest.mark.parametrize("name,y_true,y_pred", EDGE)
def test_edge_cases(name, y_true, y_pred):
    check(name, y_true, y_pred)


EDGE_KW = [
    ("accuracy_score", [0, 1, 1], [0, 1, 0], dict(sample_weight=[0, 0, 0])),
    ("accuracy_score", [0, 1, 1], [0, 1, 0], dict(sample_weight=[1, 2])),
    ("accuracy_score", [0, 1, 1], [0, 1, 0], dict(normalize=False, sample_weight=[1, 2, 3])),
    ("confusion_matrix", [1, 1], [1, 1], dict(labels=[])),
    ("confusion_matrix", [1, 1], [1, 1], dict(labels=[3, 4])),
    ("confusion_matrix", [1, 2, 3], [1, 2, 4], dict(labels=[3, 1])),
    ("confusion_matrix", [1, 2, 3], [1, 2, 4], dict(normalize="true", sample_weight=[1., 2, 3])),
    ("confusion_matrix", [1, 2, 3], [1, 2, 4], dict(normalize="bad")),
    ("confusion_matrix", [0, 1], [1, 1], dict(labels=[0, 1, 1])),
    ("precision_score", [0, 1], [0, 0], dict(zero_division=np.nan)),
    ("precision_score", [0, 1, 2], [0, 0, 1], dict(average=None)),
    ("precision_score", [0, 1, 2], [0, 0, 1], dict(average="macro", zero_division=np.nan)),
    ("precision_score", [0, 1, 2], [0, 0, 0], dict(average="macro", labels=[1, 2],
                                                   zero_division=np.nan)),
    ("precision_score", [0, 1, 1], [0, 1, 0], dict(pos_label=3)),
    ("precision_score", [1, 1, 1], [1, 1, 1], dict(pos_label=0)),
    ("precision_score", [0, 1, 1], [0, 1, 0], dict(average="samples")),
    ("f1_score", [0, 1, 2], [0, 0, 0], dict(average="weighted", labels=[1, 2])),
    ("f1_score", [0, 1, 2], [0, 0, 0], dict(average="weighted", labels=[5])),
    ("f1_score", [0, 1, 2], [0, 0, 0], dict(average="bad")),
    ("f1_score", [0, 1, 2], [0, 0, 0], dict(average="macro", pos_label=2)),
    ("f1_score", [0, 1, 2], [0, 0, 0], dict(average="macro", zero_division=0.5)),
    ("f1_score", [0, 1], [1, 0], dict(average=None)),
    ("fbeta_score", [0, 1, 1], [0, 0, 1], dict(beta=-1)),
    ("precision_recall_fscore_support", [0, 1], [1, 0], dict()),
    ("precision_recall_fscore_support", [0, 1, 1], [0, 0, 1], dict(average="micro")),
    ("roc_curve", [0, 1, 1], [0.1, 0.2, 0.35], dict(sample_weight=[0, 0, 0])),
    ("roc_curve", [0, 1, 1], [0.1, 0.2, 0.35], dict(sample_weight=[1, 0, 1])),
    ("roc_curve", [0, 1, 2], [0.1, 0.4, 0.35], dict(pos_label=2)),
    ("roc_curve", [0, 0, 1, 1, 0, 1], [1, 2, 2, 3, 3, 4], dict(drop_intermediate=False)),
    ("roc_auc_score", [0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8], dict(max_fpr=0)),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]], dict()),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .3]],
     dict(multi_class="ovr")),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]],
     dict(multi_class="ovo", average=None)),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]],
     dict(multi_class="ovr", max_fpr=0.5)),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.9], [.2, .8], [.3, .7]], dict(multi_class="ovr")),
    ("roc_auc_score", [0, 1, 1], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]],
     dict(multi_class="ovr", labels=[0, 1, 2])),
    ("roc_auc_score", [0, 1, 1], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]],
     dict(multi_class="ovr", labels=[2, 1, 0])),
    ("roc_auc_score", [0, 1, 2], [[0.1, 0.4, 0.5], [.2, .2, .6], [.3, .3, .4]],
     dict(multi_class="ovo", sample_weight=[1, 1, 1])),
    ("precision_recall_curve", [0, 0, 1, 1, 0, 1], [1, 2, 2, 3, 3, 4],
     dict(drop_intermediate=True)),
    ("precision_recall_curve", [1, 2, 2], [0.1, 0.4, 0.35], dict(pos_label=2)),
    ("average_precision_score", [0, 1, 1], [0.1, 0.4, 0.35], dict(pos_label=2)),
    ("average_precision_score", [[0, 0], [0, 0], [0, 0]], [[0.1, 0.4], [.2, .2], [.3, .3]],
     dict(average="weighted")),
    ("average_precision_score", [[0, 1], [1, 1]], [[0.1, 0.4], [.2, .2]], dict(pos_label=0)),
    ("mean_squared_error", [[1, 2], [3, 4]], [[1, 2], [3, 5]], dict(multioutput=[1, 3, 4])),
    ("mean_squared_error", [1, 2], [1, 3], dict(multioutput=[1])),
    ("mean_squared_error", [1, 2], [1, 3], dict(multioutput="bad")),
    ("mean_squared_error", [1, 2], [1, 3], dict(sample_weight=[0, 0])),
    ("r2_score", [[1, 1], [1, 1]], [[1, 2], [2, 2]], dict(multioutput="variance_weighted")),
    ("r2_score", [[1, 1], [1, 1]], [[1, 2], [2, 2]], dict(multioutput="raw_values")),
    ("r2_score", [1, 1], [1, 2], dict(force_finite=False)),
    ("r2_score", [1, 2, 3], [1, 2, 2], dict(sample_weight=[1, 0, 2])),
    ("log_loss", [0, 1, 1], [0.1, 0.9, 0.8], dict(labels=[1, 0])),
    ("log_loss", [0, 1, 1], [0.1, 0.9, 0.8], dict(normalize=False, sample_weight=[1, 2, 3])),
]


@pytest.mark.parametrize("name,y_true,y_pred,kw", EDGE_KW)
def test_edge_cases_with_keywords(name, y_true, y_pred, kw):
    check(name, y_true, y_pred, **kw)
