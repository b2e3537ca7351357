"""Image ops against PyTorch 2.13: F.pad in every mode (negative pads included), interpolate in
every mode with size/scale_factor/align_corners/recompute_scale_factor, unfold/fold and pixel
(un)shuffle on hypothesis-drawn shapes — values, gradients, grad_fn names, errors — and the
matching layers' reprs."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import compare_with_torch  # noqa: E402

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore::UserWarning")]
EF = ember.nn.functional
TF = torch.nn.functional
SOME = settings(max_examples=30, deadline=None)
TOL = {np.float32: dict(rtol=1e-5, atol=1e-5), np.float64: dict(rtol=1e-6, atol=1e-6)}
DT = st.sampled_from([np.float32, np.float64])
SEED = st.integers(0, 2 ** 31)


# PyTorch internals failing on some negative pads: ember raises its own RuntimeError instead
_QUIRKS = ("numel: integer multiplication overflow", "unsupported operation: some elements")


def both_or_neither(ef, tf, x, **tol):
    """Compare with torch, or check that both raise the same kind of error."""
    try:
        tf(torch.tensor(x))
    except (RuntimeError, NotImplementedError, ValueError) as e:
        with pytest.raises(type(e)) as ee:
            ef(ember.tensor(x))
        if not str(e).startswith(_QUIRKS):
            assert str(ee.value).split("\n")[0] == str(e).split("\n")[0]
        return None
    return compare_with_torch(ef, tf, x, **tol)


@SOME
@given(st.sampled_from(["reflect", "replicate", "circular"]), st.integers(1, 3),
       st.data(), DT, SEED)
def test_pad(mode, k, data, dt, seed):
    nd = data.draw(st.integers(k + 1, k + 2))
    shape = tuple(data.draw(st.integers(1, 5)) for _ in range(nd))
    # PyTorch's circular padding with negative pads returns uninitialised memory or fails
    # inside its own copy for some sizes, so circular is compared on non-negative pads only
    pad = tuple(data.draw(st.integers(0 if mode == "circular" else -2, 4)) for _ in range(2 * k))
    x = np.random.default_rng(seed).standard_normal(shape).astype(dt)
    r = both_or_neither(lambda x: EF.pad(x, pad, mode=mode), lambda x: TF.pad(x, pad, mode=mode),
                        x, **TOL[dt])
    if r is not None:
        assert type(r[0][0].grad_fn).__name__ == type(r[1][0].grad_fn).__name__


MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
         2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
         3: ["nearest", "nearest-exact", "trilinear"]}


@SOME
@given(st.integers(1, 3), st.data(), DT, SEED)
def test_interpolate(nsp, data, dt, seed):
    mode = data.draw(st.sampled_from(MODES[nsp]))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 2))) + \
        tuple(data.draw(st.integers(1, 6)) for _ in range(nsp))
    kw = {}
    if data.draw(st.booleans()):
        kw["size"] = tuple(data.draw(st.integers(1, 9)) for _ in range(nsp))
    else:
        kw["scale_factor"] = data.draw(st.sampled_from([0.5, 0.7, 1.0, 1.5, 2.0, 2.5, 3.0]))
        kw["recompute_scale_factor"] = data.draw(st.sampled_from([None, True]))
    if mode in ("linear", "bilinear", "bicubic", "trilinear"):
        kw["align_corners"] = data.draw(st.booleans())
    x = np.random.default_rng(seed).standard_normal(shape).astype(dt)
    if mode == "area" and "scale_factor" in kw and min(shape[2:]) * kw["scale_factor"] < 1:
        return          # empty output: PyTorch's adaptive_avg_pool backward rejects it
    r = both_or_neither(lambda x: EF.interpolate(x, mode=mode, **kw),
                        lambda x: TF.interpolate(x, mode=mode, **kw), x, **TOL[dt])
    if r is not None:
        assert type(r[0][0].grad_fn).__name__ == type(r[1][0].grad_fn).__name__


@SOME
@given(st.integers(1, 2), st.integers(1, 3), st.integers(2, 7), st.integers(2, 7),
       st.integers(1, 3), st.integers(1, 3), st.integers(1, 2), st.integers(0, 1),
       st.integers(1, 2), DT, SEED)
def test_unfold_fold(n, c, h, w, kh, kw, d, p, s, dt, seed):
    x = np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(dt)
    r = both_or_neither(lambda x: EF.unfold(x, (kh, kw), d, p, s),
                        lambda x: TF.unfold(x, (kh, kw), d, p, s), x, **TOL[dt])
    if r is None:
        return
    cols = r[1][0].detach().numpy()
    compare_with_torch(lambda c_: EF.fold(c_, (h, w), (kh, kw), d, p, s),
                       lambda c_: TF.fold(c_, (h, w), (kh, kw), d, p, s), cols, **TOL[dt])


@SOME
@given(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), DT, SEED)
def test_pixel_shuffle(r, c, h, w, dt, seed):
    x = np.random.default_rng(seed).standard_normal((2, c * r * r, h, w)).astype(dt)
    e, t = compare_with_torch(lambda x: EF.pixel_shuffle(x, r),
                              lambda x: TF.pixel_shuffle(x, r), x, **TOL[dt])
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__
    y = t[0].detach().numpy()
    compare_with_torch(lambda x: EF.pixel_unshuffle(x, r), lambda x: TF.pixel_unshuffle(x, r),
                       y, **TOL[dt])


def test_constant_pad_delegates():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    compare_with_torch(lambda x: EF.pad(x, (1, 2, 0, 1), value=2.5),
                       lambda x: TF.pad(x, (1, 2, 0, 1), value=2.5), x)


def test_uint8_nearest_and_errors():
    x = np.random.default_rng(0).integers(0, 255, (1, 2, 5, 4)).astype(np.uint8)
    e = EF.interpolate(ember.tensor(x), scale_factor=1.5)
    t = TF.interpolate(torch.tensor(x), scale_factor=1.5)
    np.testing.assert_array_equal(e.numpy(), t.numpy())
    for call in (lambda F, T: F.interpolate(T(np.ones((1, 1, 3, 3))), size=2, scale_factor=2),
                 lambda F, T: F.interpolate(T(np.ones((1, 1, 3, 3))), scale_factor=2,
                                            align_corners=True),
                 lambda F, T: F.pad(T(np.ones((1, 1, 3, 3))), (1, 1), mode="reflect"),
                 lambda F, T: F.pixel_shuffle(T(np.ones((1, 3, 2, 2))), 2),
                 lambda F, T: F.fold(T(np.ones((2, 12, 8))), (4, 4), 2)):
        with pytest.raises(Exception) as te:
            call(TF, torch.tensor)
        with pytest.raises(type(te.value)) as ee:
            call(EF, ember.tensor)
        assert str(ee.value).split("\n")[0] == str(te.value).split("\n")[0]


@pytest.mark.parametrize("make", [
    lambda nn: nn.ReflectionPad2d(2), lambda nn: nn.ReflectionPad1d((1, 2)),
    lambda nn: nn.ReplicationPad2d((1, 0, 2, 3)), lambda nn: nn.ReplicationPad3d(1),
    lambda nn: nn.ZeroPad2d(1), lambda nn: nn.ConstantPad1d(2, 3.5),
    lambda nn: nn.ConstantPad3d((1, 2, 0, 1, 1, 0), -1.0), lambda nn: nn.CircularPad2d(1),
    lambda nn: nn.Upsample(scale_factor=2), lambda nn: nn.Upsample(size=(4, 5), mode="bilinear"),
    lambda nn: nn.UpsamplingNearest2d(scale_factor=3),
    lambda nn: nn.UpsamplingBilinear2d(size=7),
    lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(3),
    lambda nn: nn.Fold((4, 5), 2), lambda nn: nn.Unfold((2, 3), padding=1),
])
def test_layer_reprs(make):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert repr(make(enn)) == repr(make(torch.nn))
