"""ember.metrics.regression on hand-checkable inputs (no scikit-learn needed)."""
import numpy as np
import pytest

import ember
import ember.metrics as M
from ember.metrics import UndefinedMetricWarning

YT = [3, -0.5, 2, 7]
YP = [2.5, 0.0, 2, 8]


def test_values():
    assert M.mean_squared_error(YT, YP) == 0.375
    assert M.root_mean_squared_error(YT, YP) == pytest.approx(np.sqrt(0.375))
    assert M.mean_absolute_error(YT, YP) == 0.5
    assert M.mean_absolute_percentage_error(YT, YP) == pytest.approx(
        np.mean([0.5 / 3, 0.5 / 0.5, 0, 1 / 7]))
    ss_tot = np.sum((np.array(YT) - np.mean(YT)) ** 2)
    assert M.r2_score(YT, YP) == pytest.approx(1 - 1.5 / ss_tot)
    for f in (M.mean_squared_error, M.mean_absolute_error, M.r2_score):
        assert type(f(YT, YP)) is float


def test_tensors_and_float32():
    t = ember.tensor(np.array(YP, dtype=np.float32), requires_grad=True)
    assert M.mean_squared_error(ember.tensor(np.array(YT, np.float32)), t) == \
        pytest.approx(0.375)
    raw = M.mean_absolute_error(np.array([[1.0, 2.0]], np.float32),
                                np.array([[2.0, 2.0]], np.float32), multioutput="raw_values")
    assert raw.dtype == np.float32


def test_multioutput_and_weights():
    yt = [[0.5, 1], [-1, 1], [7, -6]]
    yp = [[0, 2], [-1, 2], [8, -5]]
    np.testing.assert_allclose(M.mean_squared_error(yt, yp, multioutput="raw_values"),
                               [0.41666667, 1.0])
    assert M.mean_squared_error(yt, yp) == pytest.approx(0.708333333)
    assert M.mean_squared_error(yt, yp, multioutput=[0.3, 0.7]) == pytest.approx(0.825)
    assert M.mean_absolute_error([1, 2, 3], [2, 2, 5], sample_weight=[1, 0, 1]) == 1.5


def test_r2_degenerate():
    assert M.r2_score([1, 1], [1, 1]) == 1.0
    assert M.r2_score([1, 1], [1, 2]) == 0.0
    assert M.r2_score([1, 1], [1, 2], force_finite=False) == -np.inf
    with pytest.warns(UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(M.r2_score([1], [2]))


def test_mape_zero_target_is_huge_not_inf():
    assert M.mean_absolute_percentage_error([0, 1], [1, 1]) == pytest.approx(
        0.5 / np.finfo(np.float64).eps)


def test_errors():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        M.mean_squared_error([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="different number of output"):
        M.mean_squared_error([[1, 2], [3, 4]], [1, 2])
    with pytest.raises(ValueError, match="Input contains NaN"):
        M.mean_absolute_error([1, np.nan], [1, 2])
    with pytest.raises(ValueError, match="minimum of 1 is required"):
        M.r2_score([], [])
    with pytest.raises(ValueError, match="multioutput"):
        M.mean_squared_error([1, 2], [1, 2], multioutput="mean")
