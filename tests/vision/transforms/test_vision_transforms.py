"""Transform classes: the book's pipeline against a Pillow/NumPy reference, reprs, argument
checks, and reproducibility of the random transforms under ember.manual_seed."""
import numpy as np
import pytest

import ember
from ember.vision import transforms as T
from ember.vision.transforms import functional as F

Image = pytest.importorskip("PIL.Image")


def _img(h=300, w=400, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = np.stack([xx % 256, yy % 256, (xx + yy) % 256], -1)
    return Image.fromarray((base + rng.integers(0, 30, (h, w, 3))).clip(0, 255).astype(np.uint8))


def _chw(img):
    return ember.from_numpy(np.ascontiguousarray(np.asarray(img).transpose(2, 0, 1)))


def test_book_pipeline_listing_6_11():
    """Resize(255) -> CenterCrop(224) -> ToTensor -> Normalize, as in Listing 6-11."""
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    tf = T.Compose([T.Resize(255), T.CenterCrop(224), T.ToTensor(), T.Normalize(mean=mean, std=std)])
    img = _img()
    out = tf(img)
    assert out.dtype == ember.float32 and tuple(out.shape) == (3, 224, 224)
    # reference: smaller edge 300 -> 255, long edge int(255 * 400 / 300) = 340 (Pillow bilinear)
    r = np.asarray(img.resize((340, 255), Image.BILINEAR))
    top, left = int(round((255 - 224) / 2)), int(round((340 - 224) / 2))
    r = r[top:top + 224, left:left + 224].transpose(2, 0, 1).astype(np.float32) / np.float32(255)
    r = (r - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_allclose(out.numpy(), r, rtol=1e-6, atol=1e-6)
    # the same pipeline on a uint8 tensor stays within a grey level of the PIL path
    tt = T.Compose([T.Resize(255), T.CenterCrop(224), T.ConvertImageDtype(ember.float32),
                    T.Normalize(mean, std)])
    diff = np.abs(tt(_chw(img)).numpy() - out.numpy()) * np.array(std)[:, None, None] * 255
    assert diff.max() <= 1.0 + 1e-4


def test_reprs():
    assert repr(T.Resize(255)) == \
        "Resize(size=255, interpolation=bilinear, max_size=None, antialias=True)"
    assert repr(T.CenterCrop(224)) == "CenterCrop(size=(224, 224))"
    assert repr(T.ToTensor()) == "ToTensor()"
    assert repr(T.Normalize(mean=[0.5], std=[0.2])) == "Normalize(mean=[0.5], std=[0.2])"
    assert repr(T.Compose([T.ToTensor(), T.Lambda(lambda x: x)])) == \
        "Compose(\n    ToTensor()\n    Lambda()\n)"
    assert repr(T.RandomCrop(32, padding=4)) == "RandomCrop(size=(32, 32), padding=4)"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomResizedCrop(224)) == ("RandomResizedCrop(size=(224, 224), "
                                              "scale=(0.08, 1.0), ratio=(0.75, 1.3333), "
                                              "interpolation=bilinear, antialias=True)")
    assert repr(T.RandomRotation(30)) == \
        "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, expand=False, fill=0)"
    assert repr(T.ColorJitter(brightness=0.5, hue=0.1)) == \
        "ColorJitter(brightness=(0.5, 1.5), contrast=None, saturation=None, hue=(-0.1, 0.1))"
    assert repr(T.Grayscale(3)) == "Grayscale(num_output_channels=3)"
    assert repr(T.ToPILImage(mode="L")) == "ToPILImage(mode=L)"
    assert isinstance(T.Resize(3), ember.nn.Module)


def test_argument_errors():
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="1 or 2 values"):
        T.Resize([1, 2, 3])
    with pytest.raises(ValueError, match="Please provide only two dimensions"):
        T.CenterCrop([1, 2, 3])
    with pytest.raises(TypeError, match="lambd should be callable"):
        T.Lambda(3)
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match="brightness values should be between"):
        T.ColorJitter(brightness=(2, 1))
    with pytest.raises(ValueError, match="non negative"):
        T.ColorJitter(contrast=-1)
    with pytest.raises(ValueError, match="hue values should be between"):
        T.ColorJitter(hue=0.7)
    with pytest.raises(ValueError, match="larger than input image size"):
        T.RandomCrop(500)(_img(10, 10))


def test_flips_with_p_0_and_1():
    img = _img(20, 30)
    t = _chw(img)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(t).numpy(), t.numpy()[:, :, ::-1])
    assert T.RandomHorizontalFlip(0.0)(t) is t
    np.testing.assert_array_equal(np.asarray(T.RandomVerticalFlip(1.0)(img)), np.asarray(img)[::-1])
    assert T.RandomVerticalFlip(0.0)(img) is img


def _run(transform, x, seed):
    ember.manual_seed(seed)
    return [transform(x) for _ in range(6)]


def _as_np(y):
    return y.numpy() if isinstance(y, ember.Tensor) else np.asarray(y)


@pytest.mark.parametrize("make", [
    lambda: T.RandomCrop(24, padding=4),
    lambda: T.RandomCrop(64, pad_if_needed=True, padding_mode="reflect"),
    lambda: T.RandomResizedCrop(24),
    lambda: T.RandomHorizontalFlip(),
    lambda: T.RandomVerticalFlip(),
    lambda: T.RandomRotation(40),
    lambda: T.RandomRotation(40, interpolation=F.InterpolationMode.BILINEAR, expand=True),
    lambda: T.ColorJitter(0.4, 0.4, 0.4, 0.2),
    lambda: T.RandomGrayscale(0.5),
    lambda: T.RandomApply([T.ColorJitter(0.5)], p=0.5),
    lambda: T.RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)]),
    lambda: T.RandomOrder([T.Pad([3, 0, 0, 0]), T.CenterCrop(20)]),
])
@pytest.mark.parametrize("kind", ["pil", "tensor"])
def test_random_transforms_reproducible(make, kind):
    img = _img(40, 48)
    x = img if kind == "pil" else _chw(img)
    tf = make()
    a = [_as_np(y) for y in _run(tf, x, 7)]
    b = [_as_np(y) for y in _run(tf, x, 7)]
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p, q)
    c = [_as_np(y) for y in _run(tf, x, 8)] + a
    # different seeds draw differently (shapes may differ, so compare bytes)
    assert len({p.tobytes() + bytes(str(p.shape), "ascii") for p in c}) > 1


def test_random_tensor_and_pil_paths_draw_the_same():
    img = _img(40, 48)
    for tf in (T.RandomCrop(24, padding=4), T.RandomResizedCrop(24), T.RandomHorizontalFlip()):
        ember.manual_seed(3)
        p = [np.asarray(tf(img)).transpose(2, 0, 1) for _ in range(5)]
        ember.manual_seed(3)
        t = [tf(_chw(img)).numpy() for _ in range(5)]
        for u, v in zip(p, t):
            assert u.shape == v.shape
            assert np.abs(u.astype(int) - v.astype(int)).max() <= 1


def test_random_crop_offsets_cover_the_range_and_padding():
    img = _img(10, 12)
    arr = np.asarray(img)
    ember.manual_seed(0)
    seen = set()
    tf = T.RandomCrop((8, 9))
    for _ in range(200):
        out = np.asarray(tf(img))
        hits = [(i, j) for i in range(3) for j in range(4)
                if np.array_equal(arr[i:i + 8, j:j + 9], out)]
        assert hits
        seen.update(hits)
    assert len(seen) == 12                                 # every offset appears
    padded = T.RandomCrop(14, padding=2, fill=255)(img)
    assert padded.size == (14, 14)
    big = T.RandomCrop((12, 20), pad_if_needed=True)(_chw(img))
    assert tuple(big.shape) == (3, 12, 20)


def test_random_resized_crop_params_within_bounds():
    img = _img(50, 80)
    ember.manual_seed(0)
    for _ in range(100):
        i, j, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (3 / 4, 4 / 3))
        assert 0 <= i and 0 <= j and i + h <= 50 and j + w <= 80
        assert 0.08 * 4000 * 0.7 <= h * w <= 4000
    # impossible ratios fall back to a central crop of the closest ratio
    i, j, h, w = T.RandomResizedCrop.get_params(img, (0.99, 1.0), (5.0, 6.0))
    assert (h, w) == (int(round(80 / 5.0)), 80) and i == (50 - h) // 2 and j == 0


def test_random_rotation_angle_and_fill():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-10.0, 25.0]) for _ in range(200)]
    assert min(angles) >= -10 and max(angles) <= 25 and max(angles) - min(angles) > 30
    t = _chw(_img(30, 30))
    out = T.RandomRotation((45, 45), fill=9)(t).numpy()
    assert out[:, 0, 0].tolist() == [9, 9, 9]
    np.testing.assert_array_equal(out, F.rotate(t, 45.0, fill=[9.0] * 3).numpy())


def test_color_jitter_equals_its_drawn_factors():
    img = _img(20, 24)
    t = _chw(img)
    tf = T.ColorJitter(0.5, 0.5, 0.5, 0.2)
    ember.manual_seed(11)
    out = tf(t)
    ember.manual_seed(11)
    order, b, c, s, h = T.ColorJitter.get_params(tf.brightness, tf.contrast, tf.saturation, tf.hue)
    assert sorted(order.tolist()) == [0, 1, 2, 3]
    assert 0.5 <= b <= 1.5 and 0.5 <= c <= 1.5 and 0.5 <= s <= 1.5 and -0.2 <= h <= 0.2
    ref = t
    fns = [lambda x: F.adjust_brightness(x, b), lambda x: F.adjust_contrast(x, c),
           lambda x: F.adjust_saturation(x, s), lambda x: F.adjust_hue(x, h)]
    for k in order.tolist():
        ref = fns[k](ref)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    assert T.ColorJitter()(t) is t                         # no jitter: identity


def test_grayscale_pil_to_tensor_and_to_pil():
    img = _img(10, 12)
    g = T.Grayscale()(img)
    assert g.mode == "L"
    np.testing.assert_array_equal(T.PILToTensor()(g).numpy()[0], np.asarray(g))
    back = T.ToPILImage()(T.ToTensor()(img))
    np.testing.assert_array_equal(np.asarray(back), np.asarray(img))
    assert tuple(T.Grayscale(3)(_chw(img)).shape) == (3, 10, 12)


def test_pad_and_lambda():
    img = _img(4, 5)
    out = T.Pad((1, 2), fill=3)(_chw(img))
    assert tuple(out.shape) == (3, 8, 7) and out.numpy()[:, 0, 0].tolist() == [3, 3, 3]
    assert T.Lambda(lambda x: x.size)(img) == (5, 4)


def test_pillow_missing_message(monkeypatch):
    import builtins
    real = builtins.__import__

    def fake(name, *args, **kw):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError("no PIL")
        return real(name, *args, **kw)
    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match=r"pip install 'ember\[vision\]'"):
        F.to_pil_image(np.zeros((2, 2), np.uint8))
