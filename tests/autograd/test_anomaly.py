"""ember.autograd.detect_anomaly: forward names the first op making NaN/inf from finite inputs;
backward raises PyTorch's "Function 'XBackward0' returned nan values" error."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import anomaly
from ember.autograd.function import Function

pytestmark = [pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled"),
              pytest.mark.filterwarnings("ignore::RuntimeWarning")]   # NumPy's log(0) etc.


def _apply_is_original():
    return Function.__dict__["apply"] is anomaly._orig_apply


def test_forward_names_first_nonfinite_op_and_user_line():
    x = ember.tensor([1.0, -1.0, 2.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = x * 2            # finite
        z = ember.log(y)     # nan from finite inputs: this is the one
        w = ember.exp(z)     # nan input: not blamed
        rec = anomaly.nonfinite_op()
    assert rec is not None
    assert rec.op == "Log" and rec.node_name == "LogBackward0" and rec.kind == "nan"
    assert "test_anomaly.py" in rec.where and "ember.log(y)" in rec.where
    assert "LogBackward0" in str(rec)
    assert w.grad_fn is not None


def test_forward_records_inf_and_resets_on_enter():
    x = ember.tensor([0.0, 1.0])
    with ember.autograd.detect_anomaly():
        ember.reciprocal(x)
        assert anomaly.nonfinite_op().kind == "inf"
        assert anomaly.nonfinite_op().node_name == "ReciprocalBackward0"
    with ember.autograd.detect_anomaly():
        assert anomaly.nonfinite_op() is None
        ember.exp(x)
        assert anomaly.nonfinite_op() is None


def test_backward_nan_raises_torch_message_with_forward_trace_warning():
    x = ember.tensor([1.0, 0.0, 2.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        z = (ember.log(x) * 0).sum()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(RuntimeError) as err:
                z.backward()
    assert str(err.value) == "Function 'LogBackward0' returned nan values in its 0th output."
    msgs = [str(w.message) for w in caught]
    assert any("Error detected in LogBackward0" in m and "test_anomaly.py" in m for m in msgs)


def test_without_anomaly_mode_nan_gradient_passes_silently():
    x = ember.tensor([1.0, 0.0, 2.0], requires_grad=True)
    (ember.log(x) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[1])
    assert _apply_is_original()


def test_finite_graph_unchanged_inside_anomaly_mode():
    a = np.array([[0.5, -1.0], [2.0, 3.0]])
    x1 = ember.tensor(a, requires_grad=True)
    (ember.tanh(x1) * x1).sum().backward()
    x2 = ember.tensor(a, requires_grad=True)
    with ember.autograd.detect_anomaly():
        (ember.tanh(x2) * x2).sum().backward()
    np.testing.assert_array_equal(x1.grad.numpy(), x2.grad.numpy())


def test_apply_restored_after_exit_nesting_and_exceptions():
    assert not anomaly.is_anomaly_enabled()
    with ember.autograd.detect_anomaly():
        assert anomaly.is_anomaly_enabled() and not _apply_is_original()
        with ember.autograd.detect_anomaly(check_nan=False):
            assert not anomaly.is_anomaly_check_nan_enabled()
        assert anomaly.is_anomaly_check_nan_enabled()
        assert anomaly.is_anomaly_enabled()
    assert not anomaly.is_anomaly_enabled() and _apply_is_original()
    with pytest.raises(ValueError):
        with ember.autograd.detect_anomaly():
            raise ValueError("boom")
    assert _apply_is_original()


def test_check_nan_false_does_not_raise():
    x = ember.tensor([1.0, 0.0], requires_grad=True)
    with ember.autograd.detect_anomaly(check_nan=False):
        (ember.log(x) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[1])


def test_set_detect_anomaly_function_and_context_manager():
    ember.autograd.set_detect_anomaly(True)
    try:
        assert anomaly.is_anomaly_enabled()
        with ember.autograd.set_detect_anomaly(False):
            assert not anomaly.is_anomaly_enabled() and _apply_is_original()
        assert anomaly.is_anomaly_enabled()
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not anomaly.is_anomaly_enabled() and _apply_is_original()
    with ember.autograd.set_detect_anomaly(True):
        assert anomaly.is_anomaly_enabled()
    assert not anomaly.is_anomaly_enabled()


def test_decorator_and_enable_warning():
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        deco = ember.autograd.detect_anomaly()

    @deco
    def f():
        return anomaly.is_anomaly_enabled()

    assert f() is True
    assert not anomaly.is_anomaly_enabled()
