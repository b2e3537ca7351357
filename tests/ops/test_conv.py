"""Convolutions (ember/ops/conv.py): values on hand-checkable inputs, output shapes, errors, and
a float64 gradient check over stride/padding/dilation/groups combinations, 1-D and 2-D,
transposed, unbatched, and the chunked (memory-bounded) kernel path."""
import itertools

import numpy as np
import pytest

import ember
from ember.ops import conv as C
from helpers import check_grad

T = ember.tensor
F = ember.nn.functional


def vals(t):
    return np.asarray(t._data)


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def ref_conv2d(x, w, b=None, stride=(1, 1), pad=(0, 0), dil=(1, 1), groups=1):
    """Direct loops, the definition of cross-correlation (for value checks)."""
    N, Cin, H, W = x.shape
    O, Cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    Ho = (H + 2 * pad[0] - dil[0] * (kh - 1) - 1) // stride[0] + 1
    Wo = (W + 2 * pad[1] - dil[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((N, O, Ho, Wo))
    og = O // groups
    for n, o, i, j in itertools.product(range(N), range(O), range(Ho), range(Wo)):
        g = o // og
        r0, c0 = i * stride[0], j * stride[1]
        patch = xp[n, g * Cg:(g + 1) * Cg, r0:r0 + dil[0] * (kh - 1) + 1:dil[0],
                   c0:c0 + dil[1] * (kw - 1) + 1:dil[1]]
        out[n, o, i, j] = (patch * w[o]).sum() + (0 if b is None else b[o])
    return out


# ----------------------------------------------------------------------------- values


def test_conv2d_hand_values():
    x = T(np.arange(16.0).reshape(1, 1, 4, 4))
    w = T(np.ones((1, 1, 2, 2)))
    y = F.conv2d(x, w)
    np.testing.assert_allclose(vals(y)[0, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]])
    y = F.conv2d(x, w, T(np.array([1.0])), stride=2)
    np.testing.assert_allclose(vals(y)[0, 0], [[11, 19], [43, 51]])
    ident = np.zeros((1, 1, 3, 3))
    ident[0, 0, 1, 1] = 1
    np.testing.assert_allclose(vals(F.conv2d(x, T(ident), padding=1)), vals(x))
    # zero padding: corner of a 3x3 ones kernel sees 4 ones
    ones = F.conv2d(T(np.ones((1, 1, 3, 3))), T(np.ones((1, 1, 3, 3))), padding=1)
    np.testing.assert_allclose(vals(ones)[0, 0], [[4, 6, 4], [6, 9, 6], [4, 6, 4]])


@pytest.mark.parametrize("cfg", [
    dict(stride=(1, 1), pad=(0, 0), dil=(1, 1), groups=1),
    dict(stride=(2, 1), pad=(1, 2), dil=(1, 1), groups=1),
    dict(stride=(1, 2), pad=(2, 0), dil=(2, 1), groups=2),
    dict(stride=(3, 3), pad=(1, 1), dil=(1, 1), groups=4),
])
def test_conv2d_matches_direct_loops(cfg):
    x, w, b = rnd(2, 4, 7, 6), rnd(4, 4 // cfg["groups"], 3, 2, seed=1), rnd(4, seed=2)
    y = F.conv2d(T(x), T(w), T(b), cfg["stride"], cfg["pad"], cfg["dil"], cfg["groups"])
    np.testing.assert_allclose(vals(y), ref_conv2d(x, w, b, **cfg), rtol=1e-10, atol=1e-12)


def test_conv1d_values_and_same_padding():
    x = T(np.array([[[1.0, 2.0, 3.0, 4.0]]]))
    y = F.conv1d(x, T(np.array([[[1.0, -1.0]]])))
    np.testing.assert_allclose(vals(y), [[[-1, -1, -1]]])
    # even kernel with 'same': PyTorch pads the extra zero on the right
    y = F.conv1d(x, T(np.array([[[1.0, 10.0]]])), padding="same")
    np.testing.assert_allclose(vals(y), [[[21, 32, 43, 4]]])
    assert F.conv1d(x, T(np.array([[[1.0, 1.0, 1.0]]])), padding="valid").shape == (1, 1, 2)
    y2 = F.conv2d(T(rnd(1, 2, 5, 6)), T(rnd(3, 2, 2, 4)), padding="same", dilation=(2, 1))
    assert y2.shape == (1, 3, 5, 6)


def test_conv_transpose_is_input_gradient_of_conv():
    x, w = rnd(2, 3, 5, 4), rnd(3, 2, 3, 3, seed=1)   # convT weight: (C_in, C_out, k, k)
    g = rnd(2, 2, 9, 7, seed=2)
    xt = T(g, requires_grad=True)
    y = F.conv2d(xt, T(w), stride=2, padding=1)        # (2, 3, 5, 4)
    y.backward(T(x))
    z = F.conv_transpose2d(T(x), T(w), stride=2, padding=1, output_padding=(0, 0))
    assert z.shape == (2, 2, 9, 7)
    np.testing.assert_allclose(vals(z), vals(xt.grad), rtol=1e-10)
    z1 = F.conv_transpose1d(T(rnd(1, 2, 4)), T(rnd(2, 3, 3, seed=3)), stride=3,
                            output_padding=1)
    assert z1.shape == (1, 3, 13)


def test_unbatched_depthwise_dtypes_and_bias():
    x = rnd(3, 6, 6).astype(np.float32)
    w = rnd(3, 1, 3, 3, seed=1).astype(np.float32)
    y = F.conv2d(T(x), T(w), T(np.ones(3, np.float32)), padding=1, groups=3)
    assert y.shape == (3, 6, 6) and y.dtype == ember.float32
    ref = ref_conv2d(x[None].astype(np.float64), w.astype(np.float64), np.ones(3),
                     pad=(1, 1), groups=3)[0]
    np.testing.assert_allclose(vals(y), ref, rtol=1e-5, atol=1e-5)
    yi = F.conv2d(T(np.ones((1, 1, 3, 3), np.int64)), T(np.ones((1, 1, 2, 2), np.int64)))
    assert yi.dtype == ember.int64 and vals(yi).tolist() == [[[[4, 4], [4, 4]]]]
    assert ember.conv2d is F.conv2d or ember.conv2d(T(x[None]), T(w), groups=3).shape \
        == (1, 3, 4, 4)


def test_grad_fn_and_no_input_grad():
    x = T(rnd(1, 2, 4, 4))
    w = T(rnd(3, 2, 3, 3), requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    assert type(y.grad_fn).__name__ == "ConvolutionBackward0"
    y.sum().backward()
    assert x.grad is None and w.grad.shape == (3, 2, 3, 3)
    # unbatched conv ends with a squeeze, as PyTorch
    y = F.conv2d(T(rnd(2, 4, 4)), w)
    assert type(y.grad_fn).__name__ == "SqueezeBackward1"


# ----------------------------------------------------------------------------- errors


def test_conv_errors():
    x = T(rnd(2, 3, 8, 8))
    with pytest.raises(RuntimeError, match=r"expected input\[2, 3, 8, 8\] to have 1 channels, "
                                           r"but got 3 channels"):
        F.conv2d(x, T(rnd(4, 1, 3, 3)))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input"):
        F.conv2d(x, T(rnd(4, 3, 9, 9)))
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(x, T(rnd(4, 3, 3, 3)), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="Invalid padding string: 'foo'"):
        F.conv2d(x, T(rnd(4, 3, 3, 3)), padding="foo")
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D"):
        F.conv2d(T(rnd(8, 8)), T(rnd(4, 3, 3, 3)))
    with pytest.raises(RuntimeError, match="should be the same"):
        F.conv2d(x.float(), T(rnd(4, 3, 3, 3)))
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv2d(x, T(rnd(4, 3, 3, 3)), stride=0)
    with pytest.raises(RuntimeError, match="negative padding"):
        F.conv2d(x, T(rnd(4, 3, 3, 3)), padding=-1)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 4"):
        F.conv2d(x, T(rnd(4, 3, 3, 3)), T(rnd(5)))
    with pytest.raises(RuntimeError, match="divisible by 2 at dimension 0"):
        F.conv2d(T(rnd(2, 4, 8, 8)), T(rnd(3, 2, 3, 3)), groups=2)
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(x, T(rnd(3, 2, 3, 3)), stride=1, output_padding=1)


# ----------------------------------------------------------------------------- gradients


CONV_CASES = [   # (x shape, w shape, stride, padding, dilation, groups)
    ((2, 2, 5, 5), (3, 2, 3, 3), 1, 1, 1, 1),
    ((1, 4, 6, 5), (4, 2, 2, 3), (2, 1), (1, 0), 1, 2),
    ((2, 3, 7, 6), (3, 1, 3, 3), 2, 0, (2, 1), 3),
    ((1, 2, 4, 4), (2, 2, 1, 1), 1, 0, 1, 1),
    ((1, 2, 5, 4), (2, 2, 1, 1), 2, 1, 1, 1),
    ((1, 2, 5, 5), (3, 2, 3, 3), 1, "same", 2, 1),
]


@pytest.mark.parametrize("xs,ws,s,p,d,g", CONV_CASES)
def test_conv2d_gradcheck(xs, ws, s, p, d, g):
    check_grad(lambda x, w, b: F.conv2d(x, w, b, s, p, d, g), rnd(*xs), rnd(*ws, seed=1),
               rnd(ws[0], seed=2))


def test_conv2d_gradcheck_partial_and_unbatched():
    check_grad(lambda x, w: F.conv2d(x, w, padding=1), rnd(1, 2, 4, 4), rnd(2, 2, 3, 3),
               grad_mask=[False, True])
    check_grad(lambda x, w: F.conv2d(x, w, padding=1), rnd(1, 2, 4, 4), rnd(2, 2, 3, 3),
               grad_mask=[True, False])
    check_grad(lambda x, w, b: F.conv2d(x, w, b, stride=2), rnd(2, 5, 5), rnd(3, 2, 2, 2),
               rnd(3), grad_mask=[True, True, False])


@pytest.mark.parametrize("s,p,d,g", [(1, 0, 1, 1), (2, 1, 2, 2), (3, "same", 1, 1)])
def test_conv1d_gradcheck(s, p, d, g):
    if p == "same":
        s = 1
    check_grad(lambda x, w, b: F.conv1d(x, w, b, s, p, d, g), rnd(2, 4, 9), rnd(2, 4 // g, 3),
               rnd(2))


@pytest.mark.parametrize("xs,ws,s,p,op,g,d", [
    ((2, 2, 3, 4), (2, 3, 3, 3), 1, 0, 0, 1, 1),
    ((1, 4, 3, 3), (4, 1, 2, 3), (2, 3), 1, (1, 2), 2, 1),
    ((1, 2, 4, 3), (2, 2, 3, 2), 2, 1, 0, 1, 2),
])
def test_conv_transpose2d_gradcheck(xs, ws, s, p, op, g, d):
    check_grad(lambda x, w, b: F.conv_transpose2d(x, w, b, s, p, op, g, d), rnd(*xs),
               rnd(*ws, seed=1), rnd(ws[1] * g, seed=2))


def test_conv_transpose1d_gradcheck():
    check_grad(lambda x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1), rnd(2, 3, 4),
               rnd(3, 2, 3), rnd(2))


def test_chunked_path_matches_and_gradchecks(monkeypatch):
    x, w, b = rnd(5, 4, 6, 5), rnd(6, 2, 3, 3, seed=1), rnd(6, seed=2)
    whole = vals(F.conv2d(T(x), T(w), T(b), 1, 1, 1, 2))
    monkeypatch.setattr(C, "_KEEP_COLS", 0)
    monkeypatch.setattr(C, "_CHUNK", 3000)         # forces chunks of one or two samples
    np.testing.assert_allclose(vals(F.conv2d(T(x), T(w), T(b), 1, 1, 1, 2)), whole, rtol=1e-12)
    check_grad(lambda x, w, b: F.conv2d(x, w, b, 1, 1, 1, 2), x[:3], w, b)
    check_grad(lambda x, w, b: F.conv2d(x, w, b, 2, 0), x[:3, :, :4], rnd(2, 4, 1, 1), rnd(2))
    check_grad(lambda x, w: F.conv_transpose2d(x, w, stride=2), rnd(3, 2, 3, 3),
               rnd(2, 2, 2, 2))


@pytest.mark.parametrize("s,p,d", [(1, 1, 1), (2, 1, 1), (1, (2, 0), (2, 1)), (3, 0, 1)])
def test_channels_last_path_matches_and_gradchecks(monkeypatch, s, p, d):
    x, w, b = rnd(2, 3, 6, 5), rnd(4, 3, 3, 2, seed=1), rnd(4, seed=2)
    ref = vals(F.conv2d(T(x), T(w), T(b), s, p, d))
    monkeypatch.setattr(C, "_NHWC_MIN_C", 1)        # route these small layers channels-last
    xt = T(x, requires_grad=True)
    y = F.conv2d(xt, T(w), T(b), s, p, d)
    assert y.grad_fn.__dict__.get("nhwc") is True
    np.testing.assert_allclose(vals(y), ref, rtol=1e-12, atol=1e-12)
    check_grad(lambda x, w, b: F.conv2d(x, w, b, s, p, d), x, w, b)
    check_grad(lambda x, w: F.conv1d(x, w, stride=s if isinstance(s, int) else 1),
               rnd(2, 3, 7), rnd(2, 3, 3))


def test_float32_stays_float32():
    x = T(rnd(2, 3, 6, 6).astype(np.float32), requires_grad=True)
    w = T(rnd(4, 3, 3, 3).astype(np.float32), requires_grad=True)
    b = T(rnd(4).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w, b, padding=1)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == w.grad.dtype == b.grad.dtype == ember.float32

