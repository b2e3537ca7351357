"""dtypes: aliases, properties, casts, and PyTorch's type-promotion rules (hand-checked;
tests/oracle/test_dtype_oracle.py checks every pair against torch)."""
import copy
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember._dtype import promote_types, result_type

ALL = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
       ember.float16, ember.float32, ember.float64, ember.complex64, ember.complex128]


def test_aliases_are_the_same_objects():
    assert ember.float is ember.float32 and ember.float == ember.float32
    assert ember.double is ember.float64
    assert ember.half is ember.float16
    assert ember.short is ember.int16
    assert ember.int is ember.int32
    assert ember.long is ember.int64
    assert ember.cfloat is ember.complex64 and ember.cdouble is ember.complex128
    assert ember.float32 != ember.float64


def test_dtype_properties_and_repr():
    assert repr(ember.float32) == "ember.float32" and str(ember.int64) == "ember.int64"
    assert ember.float32.is_floating_point and not ember.int32.is_floating_point
    assert ember.complex64.is_complex and not ember.float64.is_complex
    assert ember.int8.is_signed and not ember.uint8.is_signed and not ember.bool.is_signed
    assert [d.itemsize for d in ALL] == [1, 1, 1, 2, 4, 8, 2, 4, 8, 8, 16]
    for d in ALL:
        assert pickle.loads(pickle.dumps(d)) is d
        assert copy.deepcopy(d) is d
    assert isinstance(ember.float32, ember.dtype)


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.zeros(1).dtype is ember.float64
        assert ember.arange(0.0, 1.0).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
        assert (ember.ones(1, dtype=ember.int64) * 1.5).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    with pytest.raises(TypeError, match="floating-point"):
        ember.set_default_dtype(ember.int64)


def test_tensor_dtype_and_conversions():
    t = ember.tensor([-1.7, 0.0, 2.9])
    assert t.dtype is ember.float32
    assert t.double().dtype is ember.float64
    assert t.half().dtype is ember.float16
    assert t.long().tolist() == [-1, 0, 2] and t.long().dtype is ember.int64
    assert t.int().dtype is ember.int32
    assert t.short().dtype is ember.int16
    assert t.char().dtype is ember.int8
    assert t.bool().tolist() == [True, False, True]
    assert ember.tensor([-1, 300]).byte().tolist() == [255, 44]
    assert t.float() is t                              # no copy when nothing changes
    assert t.to(ember.float32) is t
    assert t.to(ember.float32, copy=True) is not t
    assert t.to(ember.float64).dtype is ember.float64
    assert t.to(dtype=ember.float16).dtype is ember.float16
    assert t.to("cpu") is t
    assert t.to("cpu", ember.float64).dtype is ember.float64
    assert t.to(ember.ones(1, dtype=ember.int32)).dtype is ember.int32
    assert t.type_as(ember.ones(1, dtype=ember.float64)).dtype is ember.float64
    assert ember.ones(2, dtype=float).dtype is ember.float64
    assert ember.ones(2, dtype=int).dtype is ember.int64
    assert ember.ones(2, dtype=bool).dtype is ember.bool


def test_type_method():
    assert ember.ones(2).type() == "ember.FloatTensor"
    assert ember.ones(2, dtype=ember.int64).type() == "ember.LongTensor"
    assert ember.ones(2, dtype=ember.float64).type() == "ember.DoubleTensor"
    assert ember.ones(2, dtype=ember.bool).type() == "ember.BoolTensor"
    assert ember.ones(2, dtype=ember.uint8).type() == "ember.ByteTensor"
    assert ember.ones(2).type(ember.float64).dtype is ember.float64
    assert ember.ones(2).type("torch.DoubleTensor").dtype is ember.float64
    assert ember.ones(2).type("ember.LongTensor").dtype is ember.int64
    assert ember.ones(2).type(ember.LongTensor).dtype is ember.int64
    x = ember.ones(2)
    assert x.type(ember.float32) is x
    with pytest.raises(TypeError):
        x.type("torch.NoSuchTensor")


def test_to_keeps_graph_and_casts_gradient_back():
    x = ember.ones(2, requires_grad=True)
    y = x.double()
    assert type(y.grad_fn).__name__ == "ToCopyBackward0"
    y.backward(ember.ones(2, dtype=ember.float64))
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [1.0, 1.0]
    assert x.long().requires_grad is False


@pytest.mark.parametrize("a, b, out", [
    (ember.bool, ember.uint8, ember.uint8),
    (ember.uint8, ember.int8, ember.int16),
    (ember.uint8, ember.int16, ember.int16),
    (ember.int8, ember.int64, ember.int64),
    (ember.int64, ember.float16, ember.float16),
    (ember.float16, ember.float32, ember.float32),
    (ember.float32, ember.float64, ember.float64),
    (ember.float64, ember.complex64, ember.complex128),
    (ember.float32, ember.complex64, ember.complex64),
    (ember.complex64, ember.complex128, ember.complex128),
    (ember.bool, ember.bool, ember.bool),
])
def test_promote_types_table(a, b, out):
    assert promote_types(a, b) is out
    assert promote_types(b, a) is out
    assert ember.promote_types(a, b) is out


@given(st.sampled_from(ALL), st.sampled_from(ALL), st.sampled_from(ALL))
@settings(max_examples=200, deadline=None)
def test_promote_types_is_a_commutative_associative_join(a, b, c):
    assert promote_types(a, b) is promote_types(b, a)
    assert promote_types(promote_types(a, b), c) is promote_types(a, promote_types(b, c))
    assert promote_types(a, a) is a
    assert promote_types(a, promote_types(a, b)) is promote_types(a, b)


def test_result_type_with_scalars_and_zero_dim():
    f32 = ember.ones(2)
    i64 = ember.ones(2, dtype=ember.int64)
    u8 = ember.ones(2, dtype=ember.uint8)
    assert result_type(f32, 2.5) is ember.float32          # a Python float never widens
    assert result_type(i64, 2.5) is ember.float32
    assert result_type(i64, 2) is ember.int64
    assert result_type(u8, 2) is ember.uint8
    assert result_type(u8, True) is ember.uint8
    assert result_type(ember.ones(2, dtype=ember.bool), 2) is ember.int64
    assert result_type(f32, ember.tensor(2.0, dtype=ember.float64)) is ember.float32
    assert result_type(i64, ember.tensor(2.0, dtype=ember.float64)) is ember.float64
    assert result_type(u8, ember.ones(2, dtype=ember.int8)) is ember.int16
    assert result_type(f32, 1j) is ember.complex64
    assert result_type(ember.ones(2, dtype=ember.float64), 1j) is ember.complex128
    assert result_type(ember.tensor(1), ember.tensor(1.0)) is ember.float32
    assert ember.result_type(f32, i64) is ember.float32


def test_op_results_follow_promotion():
    i = ember.tensor([1, 2])
    assert (i / ember.tensor([2, 2])).dtype is ember.float32    # true division is float
    assert (i / ember.tensor([2, 2])).tolist() == [0.5, 1.0]
    assert (ember.ones(2, dtype=ember.uint8) + ember.ones(2, dtype=ember.int8)).dtype \
        is ember.int16
    assert (ember.tensor(2.0, dtype=ember.float64) * ember.ones(2)).dtype is ember.float32
    assert (ember.ones(2) * 0.1).dtype is ember.float32
    assert (ember.ones(2) * np.float64(0.1)).dtype is ember.float32   # NumPy scalars too
    assert (ember.ones(2, dtype=ember.int32) + np.int64(1)).dtype is ember.int32
    assert (ember.tensor([True]) * 2).dtype is ember.int64
    assert (ember.tensor([1, 2], dtype=ember.uint8) + 300).tolist() == [45, 46]  # wraps
    assert (ember.tensor([1], dtype=ember.int8) * 1000).tolist() == [-24]


def test_float32_stays_float32_through_a_model():
    x = ember.randn(4, 3)
    w = ember.randn(3, requires_grad=True)
    b = ember.tensor(0.5, requires_grad=True)
    y = ((x * w + b).tanh() * 0.5 + 1e-3).exp() / 3.0
    assert y.dtype is ember.float32
    y.backward(ember.ones(4, 3))
    assert w.grad.dtype is ember.float32 and b.grad.dtype is ember.float32
    assert b.grad.shape == ()


def test_from_numpy_dtype_errors():
    from ember._dtype import from_numpy_dtype, to_dtype
    assert from_numpy_dtype(np.dtype(np.float32)) is ember.float32
    assert to_dtype("float") is ember.float32 and to_dtype("torch.long") is ember.int64
    assert to_dtype(np.int16) is ember.int16
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        from_numpy_dtype(np.dtype(np.uint16))
    with pytest.raises(TypeError, match="unknown dtype"):
        to_dtype("float128x")
