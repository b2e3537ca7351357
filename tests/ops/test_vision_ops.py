"""Image ops (ember/ops/vision_ops.py): reflect/replicate/circular padding (incl. negative
pads), interpolation modes, unfold/fold, pixel (un)shuffle: values, errors and float64 gradient
checks."""
import numpy as np
import pytest

import ember
from helpers import check_grad

T = ember.tensor
F = ember.nn.functional


def vals(t):
    return np.asarray(t._data)


def rnd(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ----------------------------------------------------------------------------- pad


def test_pad_modes_values():
    x = T(np.arange(4.0).reshape(1, 1, 4))
    np.testing.assert_allclose(vals(F.pad(x, (2, 1), mode="reflect")).ravel(),
                               [2, 1, 0, 1, 2, 3, 2])
    np.testing.assert_allclose(vals(F.pad(x, (2, 1), mode="replicate")).ravel(),
                               [0, 0, 0, 1, 2, 3, 3])
    np.testing.assert_allclose(vals(F.pad(x, (2, 1), mode="circular")).ravel(),
                               [2, 3, 0, 1, 2, 3, 0])
    np.testing.assert_allclose(vals(F.pad(x, (1, 1), value=9.0)).ravel(), [9, 0, 1, 2, 3, 9])
    # negative pads crop (circular wraps over the cropped tensor), as PyTorch
    np.testing.assert_allclose(vals(F.pad(x, (-1, 2), mode="circular")).ravel(), [1, 2, 3, 1, 2])
    np.testing.assert_allclose(vals(F.pad(x, (-1, 2), mode="reflect")).ravel(), [1, 2, 3, 2, 1])
    np.testing.assert_allclose(vals(F.pad(x, (2, -1), mode="replicate")).ravel(),
                               [0, 0, 0, 1, 2])
    y = F.pad(T(np.arange(9.0).reshape(1, 1, 3, 3)), (1, 1, 1, 1), mode="reflect")
    np.testing.assert_allclose(vals(y)[0, 0, 0], [4, 3, 4, 5, 4])
    assert F.pad(T(rnd(1, 2, 2, 3, 3)), (1, 1, 1, 1, 1, 1), mode="replicate").shape \
        == (1, 2, 4, 5, 5)


def test_pad_grad_fn_names_and_errors():
    x = T(rnd(1, 2, 4, 4), requires_grad=True)
    assert type(F.pad(x, (1, 1, 1, 1), mode="reflect").grad_fn).__name__ \
        == "ReflectionPad2DBackward0"
    assert type(F.pad(x, (1, 1, 1, 1), mode="replicate").grad_fn).__name__ \
        == "ReplicationPad2DBackward0"
    assert type(F.pad(x[0], (1, 1), mode="reflect").grad_fn).__name__ \
        == "ReflectionPad1DBackward0"
    with pytest.raises(RuntimeError, match="Padding size should be less than the corresponding"):
        F.pad(x, (4, 4, 0, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (5, 0, 0, 0), mode="circular")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D"):
        F.pad(x, (1, 1), mode="replicate")
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [((2, 3, 5), (2, 1)), ((1, 2, 4, 5), (1, 2, 3, 0)),
                                       ((1, 2, 4, 5), (-1, 2, 1, -1)),
                                       ((1, 1, 3, 3, 3), (1, 1, 0, 2, 2, 1))])
def test_pad_gradcheck(mode, shape, pad):
    check_grad(lambda x: F.pad(x, pad, mode=mode), rnd(*shape))


# ----------------------------------------------------------------------------- interpolate


def test_interpolate_values():
    x = T(np.array([[[0.0, 1.0, 2.0]]]))
    np.testing.assert_allclose(vals(F.interpolate(x, scale_factor=2)).ravel(),
                               [0, 0, 1, 1, 2, 2])
    np.testing.assert_allclose(vals(F.interpolate(x, size=5, mode="linear",
                                                  align_corners=True)).ravel(),
                               [0, 0.5, 1, 1.5, 2])
    np.testing.assert_allclose(vals(F.interpolate(x, scale_factor=2, mode="linear")).ravel(),
                               [0, 0.25, 0.75, 1.25, 1.75, 2])
    np.testing.assert_allclose(vals(F.interpolate(x, size=2, mode="nearest-exact")).ravel(),
                               [0, 2])
    x2 = T(np.arange(4.0).reshape(1, 1, 2, 2))
    y = F.interpolate(x2, size=(3, 3), mode="bilinear", align_corners=True)
    np.testing.assert_allclose(vals(y)[0, 0], [[0, 0.5, 1], [1, 1.5, 2], [2, 2.5, 3]])
    # bicubic reproduces linear functions in the interior with align_corners=True
    lin = T(np.add.outer(np.arange(5.0), 2 * np.arange(5.0))[None, None])
    y = vals(F.interpolate(lin, size=(9, 9), mode="bicubic", align_corners=True))
    np.testing.assert_allclose(y[0, 0, 2:7, 2:7],
                               np.add.outer(np.arange(9) / 2, np.arange(9))[2:7, 2:7], atol=1e-12)
    np.testing.assert_allclose(vals(F.interpolate(x2, scale_factor=0.5, mode="area")), [[[[1.5]]]])
    u8 = T(np.array([[[[0, 255]]]], np.uint8))
    assert F.interpolate(u8, scale_factor=2).dtype == ember.uint8


def test_interpolate_errors():
    x = T(rnd(1, 2, 3, 3))
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(NotImplementedError, match="Got 4D input, but linear mode needs 3D"):
        F.interpolate(x, scale_factor=2, mode="linear")
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, scale_factor=2, align_corners=True)
    with pytest.warns(UserWarning, match="upsample is deprecated"):
        F.upsample(x, scale_factor=2)


@pytest.mark.parametrize("mode,shape,kw", [
    ("nearest", (1, 2, 3, 4), dict(scale_factor=2)),
    ("nearest", (2, 1, 5), dict(size=3)),
    ("nearest-exact", (1, 1, 4, 3), dict(size=(3, 5))),
    ("linear", (2, 2, 4), dict(scale_factor=1.5)),
    ("bilinear", (1, 2, 3, 4), dict(size=(5, 2), align_corners=True)),
    ("bilinear", (1, 1, 4, 4), dict(scale_factor=0.5)),
    ("bicubic", (1, 1, 3, 4), dict(scale_factor=2)),
    ("trilinear", (1, 1, 2, 3, 2), dict(scale_factor=2)),
])
def test_interpolate_gradcheck(mode, shape, kw):
    check_grad(lambda x: F.interpolate(x, mode=mode, **kw), rnd(*shape))


# ----------------------------------------------------------------------------- unfold / fold


def test_unfold_fold_values():
    x = T(np.arange(9.0).reshape(1, 1, 3, 3))
    cols = F.unfold(x, 2)
    np.testing.assert_allclose(vals(cols)[0], [[0, 1, 3, 4], [1, 2, 4, 5], [3, 4, 6, 7],
                                               [4, 5, 7, 8]])
    # fold sums overlapping blocks: folding the unfold of ones counts the overlaps
    ones = F.fold(F.unfold(T(np.ones((1, 1, 3, 3))), 2), (3, 3), 2)
    np.testing.assert_allclose(vals(ones)[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert F.unfold(T(rnd(2, 5, 5)), 3, padding=1, stride=2).shape == (18, 9)
    with pytest.raises(RuntimeError, match="match the calculated number of sliding blocks"):
        F.fold(T(rnd(2, 12, 8)), (4, 4), 2)


@pytest.mark.parametrize("shape,k,d,p,s", [((2, 2, 5, 4), 2, 1, 0, 1),
                                           ((1, 2, 6, 5), (2, 3), (2, 1), (1, 0), (2, 1)),
                                           ((3, 4, 4), 3, 1, 1, 2)])
def test_unfold_fold_gradcheck(shape, k, d, p, s):
    check_grad(lambda x: F.unfold(x, k, d, p, s), rnd(*shape))
    cols = vals(F.unfold(T(rnd(*shape)), k, d, p, s))
    check_grad(lambda c: F.fold(c, shape[-2:], k, d, p, s), cols)


# ----------------------------------------------------------------------------- pixel shuffle


def test_pixel_shuffle_values_and_gradcheck():
    x = T(np.arange(8.0).reshape(1, 4, 1, 2))
    y = F.pixel_shuffle(x, 2)
    np.testing.assert_allclose(vals(y)[0, 0], [[0, 2, 1, 3], [4, 6, 5, 7]])
    np.testing.assert_allclose(vals(F.pixel_unshuffle(y, 2)), vals(x))
    assert ember.pixel_shuffle(x, 2).shape == (1, 1, 2, 4)
    with pytest.raises(RuntimeError, match="divisible by the square of upscale_factor"):
        F.pixel_shuffle(T(rnd(1, 3, 2, 2)), 2)
    check_grad(lambda x: F.pixel_shuffle(x, 2), rnd(2, 8, 2, 3))
    check_grad(lambda x: F.pixel_unshuffle(x, 2), rnd(3, 4, 6))
    check_grad(lambda x: F.pixel_shuffle(x, 3), rnd(1, 2, 9, 1, 2))
