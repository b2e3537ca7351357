"""ember._tensor_str against PyTorch's own repr (torch is the oracle)."""
import contextlib
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

torch = pytest.importorskip("torch")

from ember import _dtype  # noqa: E402
from ember import _tensor_str as ts  # noqa: E402

pytestmark = pytest.mark.oracle

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64,
          np.float16, np.float32, np.float64, np.complex64, np.complex128]


def fake(data, requires_grad=False, grad_fn=None):
    return types.SimpleNamespace(_data=data, dtype=_dtype.from_numpy_dtype(data.dtype),
                                 requires_grad=requires_grad, is_leaf=grad_fn is None,
                                 grad_fn=grad_fn)


def torch_repr(t):
    return repr(t).replace("torch.", "ember.")


def check(arr):
    assert ts.tensor_repr(fake(arr)) == torch_repr(torch.from_numpy(arr.copy()))


@contextlib.contextmanager
def options(**kwargs):
    """Set the same print options in torch and ember; always restore the defaults."""
    torch.set_printoptions(**kwargs)
    ts.set_printoptions(**kwargs)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        ts.set_printoptions(profile="default")


# ---- hypothesis strategies -------------------------------------------------------------

FLOAT_VALUES = {  # one "flavour" per array, so e.g. all-integer-valued arrays happen often
    "any": st.floats(allow_nan=True, allow_infinity=True),
    "int": st.integers(-3000, 3000).map(float),
    "unit": st.floats(-10, 10),
    "wide": st.floats(-1e12, 1e12) | st.sampled_from(
        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-7, 123456789.0]),
}


def int_range(dt):
    info = np.iinfo(dt)
    return st.integers(int(info.min), int(info.max)) | st.integers(-20, 20).filter(
        lambda v: info.min <= v <= info.max)


@st.composite
def arrays(draw, max_side=6):
    dt = np.dtype(draw(st.sampled_from(DTYPES)))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=max_side))
    if dt.kind == "b":
        values = st.booleans()
    elif dt.kind in "iu":
        values = int_range(dt)
    else:
        values = FLOAT_VALUES[draw(st.sampled_from(sorted(FLOAT_VALUES)))]
        if dt.kind == "c":
            values = st.builds(complex, values, values)
    # a few distinct values scattered over the array keeps generation fast for big shapes
    pool = draw(st.lists(values, min_size=1, max_size=8))
    seed = draw(st.integers(0, 2**32 - 1))
    idx = np.random.default_rng(seed).integers(0, len(pool), size=shape)
    with np.errstate(all="ignore"):  # float16 overflow to inf is wanted
        return np.array(pool, dtype=object)[idx.reshape(-1)].reshape(shape).astype(dt)


print_options = st.fixed_dictionaries({}, optional={
    "precision": st.integers(0, 8),
    "threshold": st.integers(1, 50),
    "edgeitems": st.integers(0, 4),
    "linewidth": st.integers(10, 150),
    "sci_mode": st.sampled_from([None, True, False]),
    "profile": st.sampled_from(["default", "short", "full"]),
})


# ---- tests -----------------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(arrays())
def test_random_arrays(arr):
    check(arr)


@settings(max_examples=200, deadline=None)
@given(arrays(max_side=4), print_options)
def test_random_print_options(arr, opts):
    with options(**opts):
        check(arr)


@pytest.mark.parametrize("shape", [(1001,), (25002, 300), (40, 30), (11, 10, 10),
                                   (3, 4, 5, 20), (2, 600), (1500, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.int64, np.complex128, np.bool_])
def test_summarized(shape, dtype):
    rng = np.random.default_rng(sum(shape))
    arr = rng.standard_normal(shape) * 100
    if np.dtype(dtype).kind == "c":
        arr = arr + 1j * rng.standard_normal(shape)
    with np.errstate(all="ignore"):
        check(arr.astype(dtype))


@pytest.mark.parametrize("arr", [
    np.array([0.0, 5.0, 10.0], np.float32), np.array(0.6389, np.float32), np.array(1),
    np.array([[True, False]]), np.array([1.5, -np.inf, np.nan], np.float32),
    np.array([np.inf, -np.inf, np.nan]), np.array([0.0, -0.0]), np.array([0.4], np.float16),
    np.array([65504, -3, 1e-7], np.float16), np.array([1e308, 1e-308]),
    np.array(1.5308 + 0j, np.complex64), np.array([1 + 2j, 3 - 4j]),
    np.array([np.nan + 1j, -0.0 - 0.0j, np.inf - np.inf * 1j], np.complex64),
    np.zeros(0, np.float32), np.zeros((0, 3)), np.zeros((2, 0, 3), np.bool_),
    np.zeros(0, np.int64), np.zeros((0,), np.complex64), np.zeros((1, 0), np.uint8),
], ids=repr)
def test_special_values(arr):
    check(arr)


@pytest.mark.parametrize("arr", [
    np.array([[1.5, 2.25], [3.0, 4.0]], np.float32), np.array(3.0), np.zeros((0, 2), np.float32),
    np.arange(2000, dtype=np.float64).reshape(50, 40), np.array([1 + 1j, 2j], np.complex64),
    *[np.full(n, 1.5) for n in range(3, 9)],  # dtype and requires_grad suffixes both wrap
])
def test_requires_grad_and_grad_fn(arr):
    x = torch.from_numpy(arr.copy()).requires_grad_()
    assert ts.tensor_repr(fake(arr, requires_grad=True)) == torch_repr(x)
    y = x * 2
    grad_fn = type(type(y.grad_fn).__name__, (), {})()  # e.g. an instance of "MulBackward0"
    assert ts.tensor_repr(fake(y.detach().numpy(), True, grad_fn)) == torch_repr(y)
    s = y.sum()
    grad_fn = type(type(s.grad_fn).__name__, (), {})()
    assert ts.tensor_repr(fake(s.detach().numpy(), True, grad_fn)) == torch_repr(s)


@pytest.mark.parametrize("opts", [
    dict(precision=2), dict(precision=0), dict(sci_mode=False), dict(sci_mode=True),
    dict(threshold=5), dict(threshold=5, edgeitems=0), dict(edgeitems=1, threshold=10),
    dict(linewidth=30), dict(linewidth=200), dict(profile="full"), dict(profile="short"),
    dict(profile="full", precision=6),
], ids=repr)
def test_print_options(opts):
    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal((20, 60)).astype(np.float32), rng.standard_normal(50) * 1e6,
            np.arange(24).reshape(2, 3, 4), rng.standard_normal((3, 3)) + 1j,
            np.array([1e-5, 1.0, 1e9]), np.array(2.5), np.zeros((0, 4), np.int32)]
    with options(**opts):
        for arr in arrs:
            check(arr)
            assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("default", ["float64", "float16"])
def test_default_dtype(default):
    old = torch.get_default_dtype()
    torch.set_default_dtype(getattr(torch, default))
    _dtype.set_default_dtype(getattr(_dtype, default))
    try:
        for dt in DTYPES:
            check(np.array([1.5, 2.0]).astype(dt))
            check(np.zeros((0, 2), dt))
    finally:
        torch.set_default_dtype(old)
        _dtype.set_default_dtype(_dtype.float32)


def test_tensor_contents():
    t = torch.arange(3, dtype=torch.int32)
    expected = torch._tensor_str._str(t, tensor_contents="[a, b, c]").replace("torch.", "ember.")
    assert ts.tensor_repr(fake(t.numpy()), tensor_contents="[a, b, c]") == expected
