"""ember.vision.transforms.functional against references computed here from torchvision's
documented definitions (NumPy) and from Pillow's own operations."""
import colorsys
import math

import numpy as np
import pytest

import ember
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def _rgb(h=37, w=53, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _smooth(h=40, w=50):
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([(xx * 5) % 256, (yy * 6) % 256, ((xx + yy) * 3) % 256], -1).astype(np.uint8)


def _chw(a):
    return ember.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def _pil_chw(img):
    x = np.asarray(img)
    return (x[None] if x.ndim == 2 else x.transpose(2, 0, 1)).astype(np.int64)


# ----- conversions ---------------------------------------------------------------------------
def test_to_tensor_pil_and_ndarray():
    a = _rgb()
    ref = a.transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    for src in (Image.fromarray(a), a):
        t = F.to_tensor(src)
        assert t.dtype == ember.float32 and tuple(t.shape) == (3, 37, 53)
        np.testing.assert_array_equal(t.numpy(), ref)
    g = F.to_tensor(a[:, :, 0])                     # 2-D ndarray gets a channel axis
    assert tuple(g.shape) == (1, 37, 53)
    f = np.random.default_rng(1).random((4, 5, 2))  # non-uint8 arrays are not scaled
    np.testing.assert_array_equal(F.to_tensor(f).numpy(), f.transpose(2, 0, 1))
    assert F.to_tensor(f).dtype == ember.float64


def test_to_tensor_modes():
    bw = Image.fromarray(np.array([[0, 255], [255, 0]], np.uint8)).convert("1")
    np.testing.assert_array_equal(F.to_tensor(bw).numpy(), [[[0, 1], [1, 0]]])
    i32 = Image.fromarray(np.array([[1, 70000]], np.int32))
    t = F.to_tensor(i32)
    assert t.dtype == ember.int32 and t.numpy().tolist() == [[[1, 70000]]]
    fl = Image.fromarray(np.array([[0.5, 2.0]], np.float32))
    assert F.to_tensor(fl).numpy().tolist() == [[[0.5, 2.0]]]


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match="2/3 dimensional"):
        F.to_tensor(np.zeros((1, 2, 3, 4), np.uint8))


def test_pil_to_tensor_keeps_dtype():
    a = _rgb()
    t = F.pil_to_tensor(Image.fromarray(a))
    assert t.dtype == ember.uint8
    np.testing.assert_array_equal(t.numpy(), a.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image"):
        F.pil_to_tensor(a)


def test_to_pil_image_roundtrip_and_modes():
    a = _rgb()
    img = F.to_pil_image(_chw(a))
    assert img.mode == "RGB" and img.size == (53, 37)
    np.testing.assert_array_equal(np.asarray(img), a)
    f = F.to_tensor(a)                                  # floats are scaled by 255, truncated
    np.testing.assert_array_equal(np.asarray(F.to_pil_image(f)),
                                  (f.numpy().transpose(1, 2, 0) * 255).astype(np.uint8))
    assert F.to_pil_image(_chw(a)[:1]).mode == "L"
    assert F.to_pil_image(np.zeros((4, 4, 4), np.uint8)).mode == "RGBA"
    assert F.to_pil_image(np.zeros((4, 4, 2), np.uint8)).mode == "LA"
    assert F.to_pil_image(np.zeros((4, 4), np.float32), mode="F").mode == "F"
    assert F.to_pil_image(np.zeros((4, 4, 3), np.uint8), mode="HSV").mode == "HSV"
    with pytest.raises(ValueError, match="Incorrect mode"):
        F.to_pil_image(np.zeros((4, 4), np.uint8), mode="F")
    with pytest.raises(ValueError, match="should not have > 4 channels"):
        F.to_pil_image(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image([1])


def test_convert_image_dtype():
    u = _chw(_rgb())
    f = F.convert_image_dtype(u, ember.float32)
    np.testing.assert_array_equal(f.numpy(), u.numpy().astype(np.float32) / np.float32(255))
    back = F.convert_image_dtype(f, ember.uint8)
    np.testing.assert_array_equal(back.numpy(), u.numpy())
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(f, ember.int64)


def test_normalize_values_inplace_and_errors():
    x = F.to_tensor(_rgb())
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    ref = (x.numpy() - np.array(mean, np.float32)[:, None, None]) \
        / np.array(std, np.float32)[:, None, None]
    y = F.normalize(x, mean, std)
    assert y.dtype == ember.float32
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-6, atol=1e-6)
    assert not np.allclose(x.numpy(), ref)              # input untouched
    z = F.normalize(x, mean, std, inplace=True)
    assert z is x
    np.testing.assert_allclose(x.numpy(), ref, rtol=1e-6, atol=1e-6)
    batch = ember.from_numpy(np.stack([ref, ref]))      # [..., C, H, W]
    assert tuple(F.normalize(batch, 0.5, 2.0).shape) == (2, 3, 37, 53)
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(_chw(_rgb()), mean, std)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(x, mean, [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\)"):
        F.normalize(ember.zeros(4, 4), 0.0, 1.0)


def test_normalize_is_differentiable():
    x = F.to_tensor(_rgb(4, 5)).double().requires_grad_()
    F.normalize(x, [0.5] * 3, [2.0] * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((3, 4, 5), 0.5))


# ----- resize --------------------------------------------------------------------------------
@pytest.mark.parametrize("hw,size,expected", [
    ((37, 53), 20, (20, 28)), ((53, 37), 20, (28, 20)), ((40, 40), 10, (10, 10)),
    ((37, 53), [20], (20, 28)), ((37, 53), (11, 7), (11, 7)),
])
def test_resize_output_size(hw, size, expected):
    t = _chw(_rgb(*hw))
    assert tuple(F.resize(t, size).shape[-2:]) == expected
    assert F.resize(Image.fromarray(_rgb(*hw)), size).size == expected[::-1]


def test_resize_max_size_and_identity():
    t = _chw(_rgb(20, 80))
    assert tuple(F.resize(t, 10, max_size=30).shape[-2:]) == (7, 30)
    assert F.resize(t, 20) is t                         # already that size
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater"):
        F.resize(t, 10, max_size=10)
    with pytest.raises(ValueError, match="max_size should only be passed"):
        F.resize(t, [10, 12], max_size=30)
    with pytest.raises(ValueError, match="1 or 2 element"):
        F.resize(t, [1, 2, 3])


@pytest.mark.parametrize("img", ["noise", "smooth"])
@pytest.mark.parametrize("size", [(20, 30), (80, 100), (37, 20), (10, 53), (50, 17)])
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_resize_tensor_uint8_matches_pillow(img, size, mode):
    a = _rgb() if img == "noise" else _smooth(37, 53)
    ref = _pil_chw(Image.fromarray(a).resize(size[::-1], getattr(Image, mode.upper())))
    out = F.resize(_chw(a), list(size), F.InterpolationMode(mode))
    assert out.dtype == ember.uint8
    assert np.abs(out.numpy().astype(np.int64) - ref).max() <= 1


@pytest.mark.parametrize("size", [(20, 30), (80, 100), (9, 70)])
def test_resize_tensor_float_matches_pillow_F_mode(size):
    a = np.random.default_rng(3).random((37, 53)).astype(np.float32)
    ref = np.asarray(Image.fromarray(a).resize(size[::-1], Image.BILINEAR))
    out = F.resize(ember.from_numpy(a[None].copy()), list(size))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy()[0], ref, atol=2e-6)


def test_resize_nearest_exact_equals_pillow_nearest():
    a = _rgb()
    for size in [(20, 30), (80, 100), (5, 7)]:
        ref = _pil_chw(Image.fromarray(a).resize(size[::-1], Image.NEAREST))
        out = F.resize(_chw(a), list(size), F.InterpolationMode.NEAREST_EXACT)
        np.testing.assert_array_equal(out.numpy(), ref)


def test_resize_nearest_is_floor_of_scaled_index():
    a = _rgb(10, 10)
    out = F.resize(_chw(a), [4, 7], F.InterpolationMode.NEAREST).numpy()
    iy = np.minimum(np.floor(np.arange(4) * 10 / 4).astype(int), 9)
    ix = np.minimum(np.floor(np.arange(7) * 10 / 7).astype(int), 9)
    np.testing.assert_array_equal(out, a.transpose(2, 0, 1)[:, iy][:, :, ix])


def test_resize_batch_and_pil_int_interpolation():
    a = np.stack([_rgb(seed=0), _rgb(seed=1)]).transpose(0, 3, 1, 2).copy()
    out = F.resize(ember.from_numpy(a), [12, 16])
    assert tuple(out.shape) == (2, 3, 12, 16)
    np.testing.assert_array_equal(out.numpy()[1], F.resize(ember.from_numpy(a[1]), [12, 16]).numpy())
    img = Image.fromarray(_rgb())
    np.testing.assert_array_equal(np.asarray(F.resize(img, [9, 9], 3)),
                                  np.asarray(img.resize((9, 9), Image.BICUBIC)))


# ----- crops, padding, flips -----------------------------------------------------------------
def test_crop_and_center_crop():
    a = _rgb()
    t, img = _chw(a), Image.fromarray(a)
    np.testing.assert_array_equal(F.crop(t, 3, 5, 10, 12).numpy(), a[3:13, 5:17].transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(F.crop(img, 3, 5, 10, 12)), a[3:13, 5:17])
    # centre: top = round((37 - 20) / 2) = 8 (banker's rounding of 8.5), left = round(33/2)=16
    top, left = int(round((37 - 20) / 2)), int(round((53 - 20) / 2))
    np.testing.assert_array_equal(F.center_crop(t, 20).numpy(),
                                  a[top:top + 20, left:left + 20].transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(F.center_crop(img, [20])),
                                  a[top:top + 20, left:left + 20])


def test_crop_outside_pads_with_zeros():
    a = _rgb(6, 8)
    out = F.crop(_chw(a), -2, 5, 4, 6).numpy()
    ref = np.zeros((3, 4, 6), np.uint8)
    ref[:, 2:, :3] = a[0:2, 5:8].transpose(2, 0, 1)
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(_pil_chw(F.crop(Image.fromarray(a), -2, 5, 4, 6)), ref)


def test_center_crop_larger_than_image_pads():
    a = _rgb(4, 5)
    out = F.center_crop(_chw(a), [7, 8]).numpy()
    ref = np.zeros((3, 7, 8), np.uint8)
    ref[:, 1:5, 1:6] = a.transpose(2, 0, 1)            # left/top get (8-5)//2=1, (7-4)//2=1
    np.testing.assert_array_equal(out, ref)
    np.testing.assert_array_equal(_pil_chw(F.center_crop(Image.fromarray(a), [7, 8])), ref)


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, [1, 3], [1, 2, 3, 4]])
def test_pad_matches_numpy(mode, padding):
    a = _rgb(6, 7)
    p = [padding] * 4 if isinstance(padding, int) else \
        (padding * 2 if len(padding) == 2 else padding)
    left, top, right, bottom = p
    np_mode = {"constant": "constant", "edge": "edge", "reflect": "reflect",
               "symmetric": "symmetric"}[mode]
    ref = np.pad(a, ((top, bottom), (left, right), (0, 0)), mode=np_mode)
    np.testing.assert_array_equal(F.pad(_chw(a), padding, padding_mode=mode).numpy(),
                                  ref.transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(F.pad(Image.fromarray(a), padding, padding_mode=mode)), ref)


def test_pad_fill_and_errors():
    a = _rgb(3, 3)
    out = np.asarray(F.pad(Image.fromarray(a), 1, fill=(10, 20, 30)))
    assert out[0, 0].tolist() == [10, 20, 30]
    t = F.pad(_chw(a), 1, fill=7).numpy()
    assert t[:, 0, 0].tolist() == [7, 7, 7]
    with pytest.raises(ValueError, match="Padding mode should be either"):
        F.pad(_chw(a), 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="1, 2, or 4 element tuple"):
        F.pad(_chw(a), [1, 2, 3])
    with pytest.raises(TypeError, match="inappropriate padding"):
        F.pad(_chw(a), "1")


def test_flips():
    a = _rgb()
    np.testing.assert_array_equal(F.hflip(_chw(a)).numpy(), a[:, ::-1].transpose(2, 0, 1))
    np.testing.assert_array_equal(F.vflip(_chw(a)).numpy(), a[::-1].transpose(2, 0, 1))
    np.testing.assert_array_equal(np.asarray(F.hflip(Image.fromarray(a))), a[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.vflip(Image.fromarray(a))), a[::-1])


# ----- rotation ------------------------------------------------------------------------------
def _source_coords(h, w, angle, oh=None, ow=None):
    """Continuous source coordinates (pixel centres at +0.5) of each output pixel of a
    counter-clockwise rotation about the image centre."""
    oh, ow = oh or h, ow or w
    th = math.radians(angle)
    y, x = np.mgrid[0:oh, 0:ow] + 0.5
    X, Y = x - ow / 2, y - oh / 2
    return (math.cos(th) * X - math.sin(th) * Y + w / 2,
            math.sin(th) * X + math.cos(th) * Y + h / 2)


@pytest.mark.parametrize("angle", [30.0, 37.5, -100.0, 12.3])
def test_rotate_nearest_tensor_matches_pillow(angle):
    a = _rgb()
    ref = _pil_chw(Image.fromarray(a).rotate(angle, Image.NEAREST))
    out = F.rotate(_chw(a), angle).numpy().astype(np.int64)
    sx, sy = _source_coords(37, 53, angle)
    # Pillow takes floor(x), torchvision's grid_sample rounds x - 0.5 half-to-even: they
    # differ only where a source coordinate is exactly an integer
    tie = (np.abs(sx - np.round(sx)) < 1e-6) | (np.abs(sy - np.round(sy)) < 1e-6)
    assert (~tie).mean() > 0.9
    np.testing.assert_array_equal(out[:, ~tie], ref[:, ~tie])


@pytest.mark.parametrize("angle", [30.0, -77.0])
def test_rotate_bilinear_tensor_matches_pillow_inside(angle):
    a = _smooth(37, 53)
    ref = _pil_chw(Image.fromarray(a).rotate(angle, Image.BILINEAR))
    out = F.rotate(_chw(a), angle, F.InterpolationMode.BILINEAR).numpy().astype(np.int64)
    sx, sy = _source_coords(37, 53, angle)
    inside = (sx > 1.5) & (sx < 53 - 1.5) & (sy > 1.5) & (sy < 37 - 1.5)
    assert inside.mean() > 0.5
    assert np.abs(out - ref)[:, inside].max() <= 1


def test_rotate_expand_fill_and_right_angles():
    a = _rgb()
    t = _chw(a)
    np.testing.assert_array_equal(F.rotate(t, 90.0, expand=True).numpy(),
                                  np.rot90(a).transpose(2, 0, 1))
    np.testing.assert_array_equal(F.rotate(t, 180.0).numpy(), a[::-1, ::-1].transpose(2, 0, 1))
    out = F.rotate(t, 45.0, expand=True, fill=[1.0, 2.0, 3.0]).numpy()
    pil = Image.fromarray(a).rotate(45.0, expand=True, fillcolor=(1, 2, 3))
    assert out.shape[1:] == (pil.size[1], pil.size[0])
    assert out[:, 0, 0].tolist() == [1, 2, 3]
    with pytest.raises(ValueError, match="unsupported with Tensor input"):
        F.rotate(t, 10.0, F.InterpolationMode.BICUBIC)
    with pytest.raises(TypeError, match="angle should be int or float"):
        F.rotate(t, "10")


def test_rotate_about_center():
    a = _rgb(9, 9)
    # rotating about the centre of pixel (4, 4) — i.e. point (4.5, 4.5) — by 90 degrees keeps it
    out = F.rotate(_chw(a), 90.0, center=[4.5, 4.5]).numpy()
    assert out[:, 4, 4].tolist() == a[4, 4].tolist()
    ref = np.asarray(Image.fromarray(a).rotate(90.0, center=(4.5, 4.5)))
    np.testing.assert_array_equal(out.transpose(1, 2, 0), ref)


# ----- colour --------------------------------------------------------------------------------
def _gray_ref(a):
    """torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B in float32, truncated."""
    f = a.astype(np.float32)
    return (np.float32(0.2989) * f[..., 0] + np.float32(0.587) * f[..., 1]
            + np.float32(0.114) * f[..., 2]).astype(np.uint8)


def test_rgb_to_grayscale():
    a = _rgb()
    g = F.rgb_to_grayscale(_chw(a))
    assert tuple(g.shape) == (1, 37, 53) and g.dtype == ember.uint8
    np.testing.assert_array_equal(g.numpy()[0], _gray_ref(a))
    g3 = F.rgb_to_grayscale(_chw(a), num_output_channels=3).numpy()
    np.testing.assert_array_equal(g3, np.stack([_gray_ref(a)] * 3))
    pil = np.asarray(F.rgb_to_grayscale(Image.fromarray(a))).astype(np.int64)
    assert np.abs(pil - _gray_ref(a)).max() <= 1      # Pillow's integer luma
    assert F.to_grayscale(Image.fromarray(a), 3).mode == "RGB"
    with pytest.raises(TypeError, match=r"permitted channel values are \[1, 3\]"):
        F.rgb_to_grayscale(ember.zeros(2, 4, 4))


def _blend_ref(a, b, ratio, bound=255):
    out = np.float32(ratio) * a.astype(np.float32) + np.float32(1 - ratio) * b.astype(np.float32)
    return np.clip(out, 0, bound).astype(a.dtype)


@pytest.mark.parametrize("factor", [0.0, 0.3, 1.0, 1.7])
def test_brightness_contrast_saturation(factor):
    a = _rgb()
    chw = a.transpose(2, 0, 1)
    t, img = _chw(a), Image.fromarray(a)
    gray = _gray_ref(a)[None]
    refs = {"brightness": _blend_ref(chw, np.zeros_like(chw), factor),
            "contrast": _blend_ref(chw, gray.astype(np.float32).mean(), factor),
            "saturation": _blend_ref(chw, gray, factor)}
    for name, ref in refs.items():
        fn = getattr(F, "adjust_" + name)
        out = fn(t, factor)
        assert out.dtype == ember.uint8
        np.testing.assert_array_equal(out.numpy(), ref)
        # Pillow's ImageEnhance (integer grey, its own rounding) stays within a level
        assert np.abs(_pil_chw(fn(img, factor)) - ref.astype(np.int64)).max() <= 1
    ft = F.to_tensor(a)
    np.testing.assert_allclose(F.adjust_brightness(ft, 0.5).numpy(), ft.numpy() * 0.5, atol=1e-7)
    np.testing.assert_allclose(F.adjust_brightness(ft, 3.0).numpy(),
                               np.clip(ft.numpy() * 3, 0, 1), atol=1e-7)
    with pytest.raises(ValueError, match="is not non-negative"):
        F.adjust_contrast(t, -0.1)


@pytest.mark.parametrize("hue", [-0.5, -0.2, 0.0, 0.1, 0.33, 0.5])
def test_adjust_hue_matches_colorsys(hue):
    a = _rgb(8, 9)
    f = a.astype(np.float64) / 255
    ref = np.empty_like(f)
    for i in range(8):
        for j in range(9):
            h, s, v = colorsys.rgb_to_hsv(*f[i, j])
            ref[i, j] = colorsys.hsv_to_rgb((h + hue) % 1.0, s, v)
    ref = (ref * 255.999).astype(np.int64).transpose(2, 0, 1)   # convert_image_dtype truncates
    out = F.adjust_hue(_chw(a), hue).numpy().astype(np.int64)
    assert np.abs(out - ref).max() <= 1
    outf = F.adjust_hue(F.to_tensor(a), hue).numpy()
    assert np.abs(outf * 255 - ref).max() <= 1.01
    # Pillow's 8-bit HSV path: same colours up to its quantisation of H, S and V
    pil = _pil_chw(F.adjust_hue(Image.fromarray(a), hue))
    assert np.abs(pil - ref).mean() < 6
    with pytest.raises(ValueError, match=r"is not in \[-0.5, 0.5\]"):
        F.adjust_hue(_chw(a), 0.6)


def test_single_channel_colour_ops():
    g = _chw(_rgb())[:1]
    assert F.adjust_saturation(g, 0.3) is g
    assert F.adjust_hue(g, 0.3) is g
    np.testing.assert_array_equal(F.adjust_contrast(g, 0.0).numpy(),
                                  np.full(g.shape, g.numpy().astype(np.float32).mean()).astype(np.uint8))


def test_get_dimensions():
    a = _rgb()
    assert F.get_dimensions(_chw(a)) == [3, 37, 53]
    assert F.get_dimensions(Image.fromarray(a)) == [3, 37, 53]
    assert F.get_dimensions(Image.fromarray(a).convert("L")) == [1, 37, 53]
    assert F.get_image_size(_chw(a)) == [53, 37]
    with pytest.raises(TypeError, match="Unexpected type"):
        F.get_dimensions(a)
