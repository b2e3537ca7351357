"""ember.load of files written by torch.save (PyTorch 2.13), and torch.load of ember.save files."""
import collections
import io
import pickle

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

DTYPES = {torch.float32: ember.float32, torch.float64: ember.float64, torch.float16: ember.float16,
          torch.int64: ember.int64, torch.int32: ember.int32, torch.int16: ember.int16,
          torch.int8: ember.int8, torch.uint8: ember.uint8, torch.bool: ember.bool,
          torch.complex64: ember.complex64, torch.complex128: ember.complex128}


def torch_bytes(obj, **kw):
    buf = io.BytesIO()
    torch.save(obj, buf, **kw)
    return buf.getvalue()


def assert_same(e, t):
    """Same dtype, shape, requires_grad and bit-identical values."""
    assert isinstance(e, ember.Tensor), type(e)
    assert e.dtype is DTYPES[t.dtype], (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad
    tn = t.detach().resolve_conj().resolve_neg().contiguous().numpy()
    assert np.ascontiguousarray(e._data).tobytes() == tn.tobytes()


def trained_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2),
                                torch.nn.BatchNorm1d(2))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(3):
        opt.zero_grad()
        model(torch.randn(8, 4)).pow(2).mean().backward()
        opt.step()
    return model, opt


def test_state_dict_with_views_parameters_and_every_dtype(tmp_path):
    model, opt = trained_model()
    sd = model.state_dict()
    assert sd["3.num_batches_tracked"].item() == 3
    big = torch.arange(40, dtype=torch.float32).reshape(5, 8)
    sd["slice"] = big[1:4, 2:7:2]                 # storage offset + strides in a bigger storage
    sd["transposed"] = big.t()
    sd["row"] = big[3]
    sd["expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)
    sd["param"] = torch.nn.Parameter(torch.randn(2, 2))
    sd["frozen"] = torch.nn.Parameter(torch.randn(2), requires_grad=False)
    sd["scalar"] = torch.tensor(3.5, dtype=torch.float64)
    sd["empty"] = torch.zeros(0, 3, dtype=torch.int32)
    for tdt in DTYPES:
        if tdt.is_floating_point or tdt.is_complex:
            sd[f"dt_{tdt}"] = (torch.randn(2, 3) * 100).to(tdt)
        elif tdt is torch.bool:
            sd[f"dt_{tdt}"] = torch.tensor([[True, False, True]])
        else:
            info = torch.iinfo(tdt)
            sd[f"dt_{tdt}"] = torch.tensor([info.min, info.max, 0], dtype=tdt)
    sd["dt_float_special"] = torch.tensor([float("nan"), -0.0, float("inf")])
    path = tmp_path / "model.pt"                 # record prefix "model", not "archive"
    torch.save(sd, path)
    for src in (path, str(path), io.BytesIO(path.read_bytes())):
        loaded = ember.load(src)
        assert type(loaded) is collections.OrderedDict and list(loaded) == list(sd)
        for k, t in sd.items():
            assert_same(loaded[k], t)
        assert type(loaded["param"]) is ember.nn.Parameter and loaded["param"].requires_grad
        assert type(loaded["frozen"]) is ember.nn.Parameter
        assert loaded["transposed"].stride() == sd["transposed"].stride()
        assert loaded._metadata == sd._metadata


def test_optimizer_state_and_checkpoint_dict():
    model, opt = trained_model()
    ckpt = {"epoch": 7, "model": model.state_dict(), "optim": opt.state_dict(),
            "loss": 0.25, "tag": "best", "betas": (0.9, 0.999), "nothing": None, "raw": b"\x01\x02"}
    loaded = ember.load(io.BytesIO(torch_bytes(ckpt)))
    assert {k: loaded[k] for k in ("epoch", "loss", "tag", "betas", "nothing", "raw")} == \
        {k: ckpt[k] for k in ("epoch", "loss", "tag", "betas", "nothing", "raw")}
    osd = ckpt["optim"]
    assert loaded["optim"]["param_groups"] == osd["param_groups"]
    for i, state in osd["state"].items():
        for k, v in state.items():
            assert_same(loaded["optim"]["state"][i][k], v)


def test_torch_model_weights_load_into_an_ember_model():
    model, _ = trained_model()
    model.eval()
    sd = ember.load(io.BytesIO(torch_bytes(model.state_dict())))
    nn = ember.nn
    layers = [nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)]
    keys = [k for k in sd if k.startswith(("0.", "2."))]
    if hasattr(nn, "BatchNorm1d"):
        layers.append(nn.BatchNorm1d(2))
        keys = list(sd)
    emodel = nn.Sequential(*layers)
    emodel.load_state_dict(collections.OrderedDict((k, sd[k]) for k in keys))
    emodel.eval()
    for k, v in emodel.state_dict().items():
        np.testing.assert_array_equal(v._data, model.state_dict()[k].numpy())
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    with torch.no_grad():
        tx = torch.from_numpy(x)
        expect = (model if len(layers) == 4 else model[:3])(tx).numpy()
    np.testing.assert_allclose(emodel(ember.tensor(x))._data, expect, rtol=1e-5, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(dtype=st.sampled_from(list(DTYPES)), shape=st.lists(st.integers(0, 4), max_size=3),
       view=st.sampled_from(["plain", "t", "step", "offset"]), seed=st.integers(0, 2 ** 16))
def test_random_tensors_and_views(dtype, shape, view, seed):
    g = torch.Generator().manual_seed(seed)
    base = (torch.randn(*shape, 3, generator=g) * 50).to(dtype)
    t = {"plain": base, "t": base.transpose(0, -1), "step": base[..., ::2],
         "offset": base.reshape(-1)[1:]}[view]
    assert_same(ember.load(io.BytesIO(torch_bytes(t))), t)


def test_conj_and_neg_views_and_parameter_with_state():
    z = torch.tensor([1 + 2j, -3 - 4j], dtype=torch.complex64)
    p = torch.nn.Parameter(torch.ones(2))
    p.note = "hello"                   # saved through _rebuild_parameter_with_state
    loaded = ember.load(io.BytesIO(torch_bytes({"conj": z.conj(), "p": p})))
    assert_same(loaded["conj"], z.conj())
    neg = z.conj().imag                # a view with the negative bit set
    assert neg.is_neg()
    assert_same(ember.load(io.BytesIO(torch_bytes(neg))), neg)
    assert type(loaded["p"]) is ember.nn.Parameter and loaded["p"].tolist() == [1.0, 1.0]


def test_bfloat16_loads_exactly_as_float32_and_uint16_is_refused():
    t = torch.tensor([1.5, -2.25, 3e38], dtype=torch.bfloat16)
    with pytest.warns(UserWarning, match="bfloat16"):
        e = ember.load(io.BytesIO(torch_bytes(t)))
    assert e.dtype is ember.float32
    np.testing.assert_array_equal(e._data, t.float().numpy())
    with pytest.raises(RuntimeError, match="torch.uint16 are not supported"):
        ember.load(io.BytesIO(torch_bytes(torch.tensor([1, 2], dtype=torch.uint16))))


def test_ember_files_load_in_torch():
    e = collections.OrderedDict(
        w=ember.nn.Parameter(ember.randn(3, 2)), b=ember.tensor([1, 2], dtype=ember.int8),
        h=ember.tensor([0.5], dtype=ember.float16), s=ember.tensor(2.0), m=ember.tensor([True]),
        c=ember.tensor([1 + 1j], dtype=ember.complex128), nested={"lr": 0.1, "n": [1, (2, 3)]},
        dt=ember.float64, size=ember.Size([2, 3]))
    buf = io.BytesIO()
    ember.save(e, buf)
    buf.seek(0)
    t = torch.load(buf)             # weights_only=True, torch's own restricted unpickler
    assert type(t["w"]) is torch.nn.Parameter and t["w"].requires_grad
    for k in ("w", "b", "h", "s", "m", "c"):
        assert_same(e[k], t[k])
    assert t["nested"] == {"lr": 0.1, "n": [1, (2, 3)]}
    assert t["dt"] is torch.float64 and t["size"] == torch.Size([2, 3])
    # and a torch model loads ember weights
    model = torch.nn.Linear(2, 3)
    emodel = ember.nn.Linear(2, 3)
    buf = io.BytesIO()
    ember.save(emodel.state_dict(), buf)
    buf.seek(0)
    model.load_state_dict(torch.load(buf))
    np.testing.assert_array_equal(model.weight.detach().numpy(), emodel.weight._data)


def test_legacy_and_numpy_and_truncated_torch_files():
    legacy = torch_bytes({"w": torch.ones(2)}, _use_new_zipfile_serialization=False)
    with pytest.raises(RuntimeError, match="legacy format not supported; re-save with "
                       r"torch.save\(..., _use_new_zipfile_serialization=True\)"):
        ember.load(io.BytesIO(legacy))
    data = torch_bytes({"acc": np.float64(0.5), "w": torch.ones(2)})
    with pytest.raises(pickle.UnpicklingError, match="numpy.*weights_only=False"):
        ember.load(io.BytesIO(data))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(data))                 # torch refuses it too by default
    out = ember.load(io.BytesIO(data), weights_only=False)
    assert out["acc"] == 0.5 and out["w"].tolist() == [1.0, 1.0]
    data = torch_bytes({"w": torch.randn(30, 10), "n": torch.tensor(3)})
    for cut in range(0, len(data), 37):
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(io.BytesIO(data[:cut]))


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_torchscript_archive_is_refused_clearly():
    buf = io.BytesIO()
    torch.jit.save(torch.jit.trace(torch.nn.Linear(2, 2), torch.randn(1, 2)), buf)
    with pytest.raises(RuntimeError, match="TorchScript"):
        ember.load(io.BytesIO(buf.getvalue()))
