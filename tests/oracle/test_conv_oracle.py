"""Convolutions against PyTorch 2.13: values and gradients of conv1d/conv2d/conv_transpose1d/2d
on hypothesis-drawn shapes (odd sizes, non-square kernels, stride/padding/dilation/groups),
dtypes, grad_fn names, error cases, and Conv layer reprs and forward with copied weights."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import ember  # noqa: E402
import ember.nn as enn  # noqa: E402
from helpers import compare_with_torch  # noqa: E402

pytestmark = pytest.mark.oracle
EF = ember.nn.functional
TF = torch.nn.functional
SOME = settings(max_examples=25, deadline=None)
TOL = {np.float32: dict(rtol=1e-4, atol=1e-4), np.float64: dict(rtol=1e-6, atol=1e-6)}


@st.composite
def conv_case(draw, nsp=2, transposed=False):
    g = draw(st.sampled_from([1, 1, 2, 3]))
    cg, og = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    k = tuple(draw(st.integers(1, 4)) for _ in range(nsp))
    s = tuple(draw(st.integers(1, 3)) for _ in range(nsp))
    d = tuple(draw(st.integers(1, 2)) for _ in range(nsp))
    if transposed:
        p = tuple(draw(st.integers(0, 2)) for _ in range(nsp))
        op = tuple(draw(st.integers(0, max(si, di) - 1)) for si, di in zip(s, d))
        sp = tuple(draw(st.integers(1, 5)) for _ in range(nsp))
        p = tuple(min(pi, (si * (n - 1) + di * (ki - 1)) // 2) for pi, si, n, di, ki
                  in zip(p, s, sp, d, k))
    else:
        same = draw(st.booleans()) and all(v == 1 for v in s)
        p = "same" if same else tuple(draw(st.integers(0, 2)) for _ in range(nsp))
        op = None
        pp = (0,) * nsp if same else p
        sp = tuple(draw(st.integers(max(1, di * (ki - 1) + 1 - 2 * pi), 9))
                   for di, ki, pi in zip(d, k, pp))
    n = draw(st.integers(1, 3))
    dt = draw(st.sampled_from([np.float32, np.float64]))
    bias = draw(st.booleans())
    seed = draw(st.integers(0, 2 ** 31))
    return dict(g=g, cg=cg, og=og, k=k, s=s, d=d, p=p, op=op, sp=sp, n=n, dt=dt, bias=bias,
                seed=seed)


def arrays(c, transposed=False):
    rng = np.random.default_rng(c["seed"])
    cin = c["cg"] * c["g"]
    x = rng.standard_normal((c["n"], cin) + c["sp"]).astype(c["dt"])
    if transposed:
        w = rng.standard_normal((cin, c["og"]) + c["k"]).astype(c["dt"])
    else:
        w = rng.standard_normal((c["og"] * c["g"], c["cg"]) + c["k"]).astype(c["dt"])
    b = rng.standard_normal(c["og"] * c["g"]).astype(c["dt"])
    return (x, w, b) if c["bias"] else (x, w)


@SOME
@given(conv_case(2))
def test_conv2d(c):
    def run(F):
        return lambda x, w, b=None: F.conv2d(x, w, b, c["s"], c["p"], c["d"], c["g"])
    compare_with_torch(run(EF), run(TF), *arrays(c), **TOL[c["dt"]])


@SOME
@given(conv_case(1))
def test_conv1d(c):
    def run(F):
        return lambda x, w, b=None: F.conv1d(x, w, b, c["s"], c["p"], c["d"], c["g"])
    compare_with_torch(run(EF), run(TF), *arrays(c), **TOL[c["dt"]])


@settings(max_examples=20, deadline=None)
@given(conv_case(2, transposed=True))
def test_conv_transpose2d(c):
    def run(F):
        return lambda x, w, b=None: F.conv_transpose2d(x, w, b, c["s"], c["p"], c["op"], c["g"],
                                                       c["d"])
    compare_with_torch(run(EF), run(TF), *arrays(c, True), **TOL[c["dt"]])


@settings(max_examples=15, deadline=None)
@given(conv_case(1, transposed=True))
def test_conv_transpose1d(c):
    def run(F):
        return lambda x, w, b=None: F.conv_transpose1d(x, w, b, c["s"], c["p"], c["op"], c["g"],
                                                       c["d"])
    compare_with_torch(run(EF), run(TF), *arrays(c, True), **TOL[c["dt"]])


def test_unbatched_grad_fns_and_int_inputs():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 7, 6)), rng.standard_normal((4, 3, 2, 3))
    e, t = compare_with_torch(lambda x, w: EF.conv2d(x, w, padding=1),
                              lambda x, w: TF.conv2d(x, w, padding=1), x, w)
    assert type(e[0].grad_fn).__name__ == type(t[0].grad_fn).__name__ == "SqueezeBackward1"
    ex = ember.tensor(x[None], requires_grad=True)
    assert type(EF.conv2d(ex, ember.tensor(w)).grad_fn).__name__ == \
        type(TF.conv2d(torch.tensor(x[None], requires_grad=True),
                       torch.tensor(w)).grad_fn).__name__
    xi = rng.integers(-3, 4, (1, 2, 5, 5))
    wi = rng.integers(-3, 4, (3, 2, 3, 3))
    ei = EF.conv2d(ember.tensor(xi), ember.tensor(wi), stride=2)
    ti = TF.conv2d(torch.tensor(xi), torch.tensor(wi), stride=2)
    assert str(ei.dtype) == "ember.int64" and str(ti.dtype) == "torch.int64"
    np.testing.assert_array_equal(ei.numpy(), ti.numpy())


@pytest.mark.parametrize("call", [
    lambda F, T: F.conv2d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 1, 3, 3)))),
    lambda F, T: F.conv2d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 3, 9, 9)))),
    lambda F, T: F.conv2d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 3, 3, 3))), stride=2,
                          padding="same"),
    lambda F, T: F.conv2d(T(np.ones((8, 8))), T(np.ones((4, 3, 3, 3)))),
    lambda F, T: F.conv2d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 3, 3, 3), np.float32))),
    lambda F, T: F.conv2d(T(np.ones((2, 4, 8, 8))), T(np.ones((3, 2, 3, 3))), groups=2),
    lambda F, T: F.conv2d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 3, 3, 3))), T(np.ones(5))),
    lambda F, T: F.conv1d(T(np.ones((2, 3, 8, 8))), T(np.ones((4, 3, 3)))),
    lambda F, T: F.conv_transpose2d(T(np.ones((1, 2, 3, 3))), T(np.ones((3, 2, 3, 3)))),
])
def test_errors_match(call):
    with pytest.raises(RuntimeError) as te:
        call(TF, torch.tensor)
    with pytest.raises(RuntimeError) as ee:
        call(EF, ember.tensor)
    assert str(ee.value).split(" (")[0].replace("ember", "torch")[:40] == \
        str(te.value).split(" (")[0][:40]


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1),
    lambda nn: nn.Conv2d(4, 8, (3, 5), stride=(2, 1), padding=(1, 2), dilation=2, groups=2,
                         bias=False),
    lambda nn: nn.Conv2d(3, 6, 3, padding="same", padding_mode="reflect"),
    lambda nn: nn.Conv2d(3, 6, 3, padding="valid", padding_mode="circular"),
    lambda nn: nn.Conv1d(3, 4, 5, stride=2, padding=2, padding_mode="replicate"),
    lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1, groups=2),
    lambda nn: nn.ConvTranspose1d(2, 3, 4, stride=3, dilation=2),
])
def test_layers_repr_and_forward_with_copied_weights(make):
    tm, em = make(torch.nn), make(enn)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    cin = tm.in_channels
    shape = (2, cin, 9) if "1d" in type(tm).__name__ else (2, cin, 9, 8)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    out_size = None
    if "Transpose2d" in type(tm).__name__:
        out_size = (18, 16)
    e_out = em(ember.tensor(x)) if out_size is None else em(ember.tensor(x), out_size)
    t_out = tm(torch.tensor(x)) if out_size is None else tm(torch.tensor(x), out_size)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-4,
                               atol=1e-5)


def test_default_init_distribution_matches():
    # kaiming_uniform(a=sqrt(5)) weights and U(-1/sqrt(fan_in), ..) bias: torch's bounds
    em, tm = enn.Conv2d(8, 16, 3), torch.nn.Conv2d(8, 16, 3)
    bound = 1 / np.sqrt(8 * 9)
    e, t = np.abs(em.weight.detach().numpy()), np.abs(tm.weight.detach().numpy())
    assert e.max() <= bound and t.max() <= bound and abs(e.max() - t.max()) < 0.05 * bound
    assert abs(e.mean() - t.mean()) < 0.1 * bound           # uniform: mean |w| = bound / 2
    assert np.abs(em.bias.detach().numpy()).max() <= bound


@pytest.mark.parametrize("s,p,d", [(1, 1, 1), (2, 0, 1), (1, 2, 2)])
def test_channels_last_path(s, p, d):
    """Deep layers (>= 48 channels, <= 12 columns) run through channels-last columns."""
    rng = np.random.default_rng(s + p + d)
    x = rng.standard_normal((3, 64, 7, 6)).astype(np.float32)
    w = (rng.standard_normal((32, 64, 3, 3)) * 0.1).astype(np.float32)
    b = rng.standard_normal(32).astype(np.float32)
    compare_with_torch(lambda x, w, b: EF.conv2d(x, w, b, s, p, d),
                       lambda x, w, b: TF.conv2d(x, w, b, s, p, d), x, w, b, rtol=1e-4,
                       atol=1e-4)
