"""Type promotion against PyTorch 2.13: every pair of dtypes, as dimensioned tensors, 0-d
tensors and Python scalars, through result_type and real add/mul/div results."""
import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128"]
SCALARS = {"bool": True, "int64": 3, "float32": 2.5, "complex64": 1 + 2j}
KINDS = [("t", d) for d in DTYPES] + [("0", d) for d in DTYPES] + \
        [("s", d) for d in SCALARS]


def make(m, kind, dt, values=False):
    if kind == "s":
        return SCALARS[dt]
    d = getattr(m, dt)
    data = [1, 2, 3] if values else [1, 1, 1]
    if kind == "0":
        return m.tensor(data[1], dtype=d)
    return m.tensor(data, dtype=d)


def name(d):
    return str(d).split(".")[-1]


def complex32_case(a, b):
    """torch's complex32 (float16 with complex): ember has no complex32."""
    ds = {a[1], b[1]}
    return "float16" in ds and ds & {"complex64", "complex128"}


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, DTYPES)))
def test_promote_types_all_pairs(a, b):
    if complex32_case(("t", a), ("t", b)):
        pytest.skip("no complex32 in ember")
    assert name(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
        name(torch.promote_types(getattr(torch, a), getattr(torch, b)))


def _outcome(m, op, k1, d1, k2, d2):
    a, b = make(m, k1, d1, values=True), make(m, k2, d2, values=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if op == "result_type":
                return name(m.result_type(a, b))
            r = getattr(m, op)(a, b) if op != "truediv" else a / b
            return name(r.dtype), r
    except Exception as ex:   # noqa: BLE001 - both must raise
        return type(ex).__name__


@given(st.sampled_from(KINDS), st.sampled_from(KINDS),
       st.sampled_from(["add", "mul", "truediv", "result_type", "sub"]))
@settings(max_examples=600, deadline=None)
def test_promotion_matches_torch(x, y, op):
    (k1, d1), (k2, d2) = x, y
    if k1 == "s" and k2 == "s" or complex32_case(x, y):
        return
    t = _outcome(torch, op, k1, d1, k2, d2)
    e = _outcome(ember, op, k1, d1, k2, d2)
    if isinstance(t, tuple):
        assert isinstance(e, tuple), (t, e)
        assert t[0] == e[0], (op, x, y, t[0], e[0])
        tv = t[1].numpy()
        ev = e[1].numpy()
        np.testing.assert_allclose(ev.astype(np.complex128), tv.astype(np.complex128),
                                   rtol=1e-3)
    else:
        assert t == e, (op, x, y, t, e)


@pytest.mark.parametrize("expr", [
    lambda m: m.tensor([1, 2]) / m.tensor([2, 2]),
    lambda m: m.tensor([1, 2], dtype=m.uint8) + m.tensor([1, 2], dtype=m.int8),
    lambda m: m.tensor(2.0, dtype=m.float64) * m.tensor([1.5]),
    lambda m: m.tensor([1.5]) * 0.1,
    lambda m: m.tensor([1.5]) * np.float64(0.1),
    lambda m: np.float64(0.1) * m.tensor([1.5]),
    lambda m: m.tensor([1, 2], dtype=m.int32) + np.int64(1),
    lambda m: m.tensor([1], dtype=m.int64) + np.float32(2.5),
    lambda m: m.tensor([1, 2], dtype=m.uint8) + 300,
    lambda m: m.tensor([1, 2], dtype=m.uint8) + (-1),
    lambda m: m.tensor([1, 2], dtype=m.int8) * 1000,
    lambda m: m.tensor([1, 2], dtype=m.int32) + 2 ** 40,
    lambda m: m.tensor([1.0, 2.0]) + 1e300,
    lambda m: m.tensor([1.0], dtype=m.float16) * 1e6,
    lambda m: m.tensor([True, False]) + True,
    lambda m: m.tensor([True, False]) * 2,
    lambda m: m.tensor([1, 2]) * m.tensor(2.5, dtype=m.float64),
    lambda m: m.tensor([1, 2]) * m.tensor(2.5, dtype=m.float16),
    lambda m: m.tensor([True]) * m.tensor(3, dtype=m.int8),
    lambda m: m.tensor([1], dtype=m.int8) + m.tensor(1000),
    lambda m: 2 + m.tensor([1.5]),
    lambda m: m.tensor([1.0]) * (1 / 3),
    lambda m: m.tensor([1, 2]) / 2,
    lambda m: m.tensor([3], dtype=m.uint8) - m.tensor([5], dtype=m.uint8),
])
def test_op_result_values_and_dtypes(expr):
    t = expr(torch)
    e = expr(ember)
    assert name(e.dtype) == name(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "char",
                                    "byte", "bool"])
@pytest.mark.parametrize("src", ["float32", "int64", "float64", "bool", "uint8"])
def test_conversion_methods(method, src):
    data = [-1.7, 0.0, 2.9, 255.5] if "float" in src else [0, 1, 1, 0] if src == "bool" \
        else [0, 3, 127, 200]
    t = getattr(torch.tensor(data, dtype=getattr(torch, src)), method)()
    e = getattr(ember.tensor(data, dtype=getattr(ember, src)), method)()
    assert name(e.dtype) == name(t.dtype)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


@pytest.mark.parametrize("dt", DTYPES)
def test_type_names_and_casts(dt):
    t = torch.ones(2, dtype=getattr(torch, dt))
    e = ember.ones(2, dtype=getattr(ember, dt))
    assert e.type().replace("ember.", "torch.") == t.type()
    assert name(e.type(ember.float64).dtype) == name(t.type(torch.float64).dtype)
    assert name(e.type("torch.DoubleTensor").dtype) == name(t.type("torch.DoubleTensor").dtype)
    assert name(e.to(ember.int32).dtype) == name(t.to(torch.int32).dtype)
    assert e.is_floating_point() == t.is_floating_point()
    assert e.is_complex() == t.is_complex()
    assert e.element_size() == t.element_size()


@pytest.mark.parametrize("attr", ["is_floating_point", "is_complex", "is_signed", "itemsize"])
def test_dtype_attributes(attr):
    for dt in DTYPES:
        assert getattr(getattr(ember, dt), attr) == getattr(getattr(torch, dt), attr), dt


def test_aliases_match_torch():
    for alias in ["float", "double", "half", "short", "int", "long", "cfloat", "cdouble"]:
        assert name(getattr(ember, alias)) == name(getattr(torch, alias))


def test_default_dtype_switch():
    for m in (torch, ember):
        m.set_default_dtype(m.float64)
    try:
        for expr in [lambda m: m.tensor([1.5]), lambda m: m.zeros(1), lambda m: m.arange(0.0, 2),
                     lambda m: m.tensor([1j]), lambda m: m.ones(1, dtype=m.int64) * 1.5,
                     lambda m: m.ones(1, dtype=m.float32) * 1.5, lambda m: m.linspace(0, 1, 3)]:
            assert name(expr(ember).dtype) == name(expr(torch).dtype)
    finally:
        for m in (torch, ember):
            m.set_default_dtype(m.float32)


def test_grad_dtype_matches_input_dtype():
    for m in (torch, ember):
        x = m.ones(2, requires_grad=True)
        w = m.ones(2, dtype=m.float64, requires_grad=True)
        y = x * w
        y.backward(m.ones(2, dtype=m.float64))
        assert name(x.grad.dtype) == "float32" and name(w.grad.dtype) == "float64"
