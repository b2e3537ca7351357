"""Unit tests for ember._tensor_str on a minimal fake tensor.

Expected strings were produced by PyTorch 2.13 (with "torch." replaced by "ember.").
"""
import types

import numpy as np
import pytest

from ember import _dtype
from ember import _tensor_str as ts


def fake(data, dtype=None, requires_grad=False, grad_fn=None):
    data = np.asarray(data, dtype=dtype)
    return types.SimpleNamespace(_data=data, dtype=_dtype.from_numpy_dtype(data.dtype),
                                 requires_grad=requires_grad, is_leaf=grad_fn is None,
                                 grad_fn=grad_fn)


class MulBackward0:
    pass


@pytest.fixture(autouse=True)
def _reset_options():
    yield
    ts.set_printoptions(profile="default")


CASES = [
    (fake([0.0, 5.0, 10.0], np.float32), "tensor([ 0.,  5., 10.])"),
    (fake(1), "tensor(1)"),
    (fake(0.6389, np.float32), "tensor(0.6389)"),
    (fake(True), "tensor(True)"),
    (fake([[True, False]]), "tensor([[ True, False]])"),
    (fake([1.5, -np.inf, np.nan], np.float32), "tensor([1.5000,   -inf,    nan])"),
    (fake([0.4], np.float16), "tensor([0.3999], dtype=ember.float16)"),
    (fake([-1, 200], np.int16), "tensor([ -1, 200], dtype=ember.int16)"),
    (fake([1e-5, 1.0, 1e9], np.float64),
     "tensor([1.0000e-05, 1.0000e+00, 1.0000e+09], dtype=ember.float64)"),
    (fake([100000.5, 1.0], np.float32), "tensor([1.0000e+05, 1.0000e+00])"),
    (fake(1.5308 + 0j, np.complex64), "tensor(1.5308+0.j)"),
    (fake([1 + 2j, 3 - 4j], np.complex64), "tensor([1.+2.j, 3.-4.j])"),
    (fake(np.zeros((0, 3), np.int64)), "tensor([], size=(0, 3), dtype=ember.int64)"),
    (fake(np.zeros(0, np.int32)), "tensor([], dtype=ember.int32)"),
    (fake(np.zeros(0, np.float32)), "tensor([])"),
    (fake(np.arange(2000)), "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"),
    (fake(np.arange(12).reshape(2, 3, 2)),
     "tensor([[[ 0,  1],\n"
     "         [ 2,  3],\n"
     "         [ 4,  5]],\n"
     "\n"
     "        [[ 6,  7],\n"
     "         [ 8,  9],\n"
     "         [10, 11]]])"),
    (fake(np.arange(16).reshape(2, 2, 2, 2)),
     "tensor([[[[ 0,  1],\n"
     "          [ 2,  3]],\n"
     "\n"
     "         [[ 4,  5],\n"
     "          [ 6,  7]]],\n"
     "\n"
     "\n"
     "        [[[ 8,  9],\n"
     "          [10, 11]],\n"
     "\n"
     "         [[12, 13],\n"
     "          [14, 15]]]])"),
    (fake(np.arange(30).reshape(3, 10), np.uint8),
     "tensor([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9],\n"
     "        [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],\n"
     "        [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]], dtype=ember.uint8)"),
    # line wrapping, with continuation lines aligned under the first element
    (fake(np.arange(30, dtype=np.float32) * 1e5),
     "tensor([      0.,  100000.,  200000.,  300000.,  400000.,  500000.,  600000.,\n"
     "         700000.,  800000.,  900000., 1000000., 1100000., 1200000., 1300000.,\n"
     "        1400000., 1500000., 1600000., 1700000., 1800000., 1900000., 2000000.,\n"
     "        2100000., 2200000., 2300000., 2400000., 2500000., 2600000., 2700000.,\n"
     "        2800000., 2900000.])"),
    # a suffix that would pass the line width moves to its own line
    (fake(np.full(8, 1.5)),
     "tensor([1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],\n"
     "       dtype=ember.float64)"),
    # summarized 2-d float tensor (1050 elements > threshold 1000)
    (fake(np.arange(1050, dtype=np.float32).reshape(35, 30)),
     "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 2.7000e+01, 2.8000e+01,\n"
     "         2.9000e+01],\n"
     "        [3.0000e+01, 3.1000e+01, 3.2000e+01,  ..., 5.7000e+01, 5.8000e+01,\n"
     "         5.9000e+01],\n"
     "        [6.0000e+01, 6.1000e+01, 6.2000e+01,  ..., 8.7000e+01, 8.8000e+01,\n"
     "         8.9000e+01],\n"
     "        ...,\n"
     "        [9.6000e+02, 9.6100e+02, 9.6200e+02,  ..., 9.8700e+02, 9.8800e+02,\n"
     "         9.8900e+02],\n"
     "        [9.9000e+02, 9.9100e+02, 9.9200e+02,  ..., 1.0170e+03, 1.0180e+03,\n"
     "         1.0190e+03],\n"
     "        [1.0200e+03, 1.0210e+03, 1.0220e+03,  ..., 1.0470e+03, 1.0480e+03,\n"
     "         1.0490e+03]])"),
]


@pytest.mark.parametrize("t, expected", CASES, ids=range(len(CASES)))
def test_repr(t, expected):
    assert ts.tensor_repr(t) == expected


def test_requires_grad_and_grad_fn():
    data = np.array([[1.5, 2.25], [3.0, 4.0]], np.float32)
    assert ts.tensor_repr(fake(data, requires_grad=True)) == (
        "tensor([[1.5000, 2.2500],\n"
        "        [3.0000, 4.0000]], requires_grad=True)")
    assert ts.tensor_repr(fake(data * 2, requires_grad=True, grad_fn=MulBackward0())) == (
        "tensor([[3.0000, 4.5000],\n"
        "        [6.0000, 8.0000]], grad_fn=<MulBackward0>)")
    # two suffixes: the second one wraps once the first has used up the line
    assert ts.tensor_repr(fake(np.full(4, 1.5), requires_grad=True)) == (
        "tensor([1.5000, 1.5000, 1.5000, 1.5000], dtype=ember.float64,\n"
        "       requires_grad=True)")
    assert ts.tensor_repr(fake(np.full(7, 1.5), requires_grad=True)) == (
        "tensor([1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000, 1.5000],\n"
        "       dtype=ember.float64, requires_grad=True)")


def test_tensor_contents_replaces_values():
    assert ts.tensor_repr(fake([1, 2], np.int32), tensor_contents="[...]") == (
        "tensor([...], dtype=ember.int32)")


def test_default_dtype_float64():
    _dtype.set_default_dtype(_dtype.float64)
    try:
        assert ts.tensor_repr(fake([1.5])) == "tensor([1.5000])"
        assert ts.tensor_repr(fake([1.5], np.float32)) == "tensor([1.5000], dtype=ember.float32)"
        assert ts.tensor_repr(fake([1j], np.complex128)) == "tensor([0.+1.j])"
        assert ts.tensor_repr(fake([1j], np.complex64)) == "tensor([0.+1.j], dtype=ember.complex64)"
    finally:
        _dtype.set_default_dtype(_dtype.float32)


def test_set_printoptions():
    ts.set_printoptions(precision=2)
    assert ts.tensor_repr(fake([1.12345, 2.0], np.float32)) == "tensor([1.12, 2.00])"
    ts.set_printoptions(sci_mode=False)  # precision 2 is kept
    assert ts.tensor_repr(fake([1e-5, 1.0, 1e9], np.float32)) == (
        "tensor([         0.00,          1.00, 1000000000.00])")
    ts.set_printoptions(threshold=5)
    assert ts.tensor_repr(fake(np.arange(10))) == "tensor([0, 1, 2,  ..., 7, 8, 9])"
    ts.set_printoptions(profile="default")
    assert ts.tensor_repr(fake(np.arange(10))) == "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])"


def test_profiles_and_get_printoptions():
    assert ts.get_printoptions() == dict(precision=4, threshold=1000, edgeitems=3,
                                         linewidth=80, sci_mode=None)
    ts.set_printoptions(profile="short")
    assert ts.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=2,
                                         linewidth=80, sci_mode=None)
    ts.set_printoptions(profile="full", linewidth=120)
    assert ts.get_printoptions()["threshold"] == float("inf")
    assert ts.PRINT_OPTS.linewidth == 120
    with ts.printoptions(precision=1):
        assert ts.PRINT_OPTS.precision == 1
    assert ts.PRINT_OPTS.precision == 4
