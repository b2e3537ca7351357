"""ember.save / ember.load: round trips, PyTorch's zip format, atomic writes, corrupt files and
refusal of code in files. No torch here: PyTorch files come from an embedded torch.save output
and from hand-assembled pickles."""
import base64
import collections
import io
import os
import pathlib
import pickle
import subprocess
import sys
import zipfile
import zlib

import numpy as np
import pytest

import ember
from ember import serialization

_new_tensor = sys.modules["ember.tensor"]._new_tensor

# torch.save(sd, "fixture.pt") with torch 2.13 of (see test_torch_fixture for the values):
#   base = torch.arange(24, dtype=torch.float32).reshape(4, 6) / 4
#   sd = OrderedDict(w=base, t=base.t(), s=base[1:3, ::2], n=tensor(7), h=float16 [0.5, -2, 65504],
#        b=bool [T, F, T], i8=[-128, 127], u8=[0, 255], i16=[-32768, 32767], i32=[-2**31, 2**31-1],
#        f64=[1/3, -0.0], c64=[1+2j], bf=bfloat16 [1.5, -3], p=Parameter([1., 2.]), e=zeros(0, 3),
#        meta={"epoch": 3, "lr": 0.1, "name": "x", "betas": (0.9, 0.999), "none": None})
TORCH_FIXTURE = zlib.decompress(base64.b64decode(
    "eNqtl1twE1UYxzdJm5YAbaHKTa0oqK1A2VyaC4WmBEzBRShbq7EiaZJum8g2m29zUgqIBKHl4g30wcuDwzjjjOOTjg+i"
    "T33zBXVkkBlHnWF0lHHGGXzzyannEtI9p7aRxp35smnn/H/f/9s95zsnvYqjRpLq66VZV5O0XBrOjKOCqW0eSqBEe+6Q"
    "Ho00SAPcVbSnUoauaymUMbJ51z5zSDO1oZ2ZFHKB1KaCrTVmw7DDYE8hw0yl2+MFlNHzrripJQsZfSiOtGzeMONjHhc4"
    "WltjdXhwHo9MjGhQwySuqG4kUB/7pwtqKVAGZ8yB76lcAeqUVQjq9yuSUqM4J2GR4lRsk+A6lyYGFiNYosJSKkLQkMZJ"
    "0jXp2rQzTWWNROZUaiahSbER9TImW46gWYW7qCwPd4uyFfuxyK44JmEl+TIJq5hsNYI1KtxDZVm4l8lKZewxsiPlKu6j"
    "Q9zQgnk2BPdjG21tjLEWwQMqPEgHpGEdx9iV0IfLjPV0iAcewgwHgodJKY4JeESxTUArY7UheFSFDXRgEjZyrIhh6GXW"
    "JjrEC+2MtbnEkgnLzVgeBF4VfDE7HpgJQgcH25FOmGWYn8J8EMAwO4IggdknIERgWxisE8FWFbZRWCEIXbyzI0grw8IU"
    "1gHdDLa9BIsQ2A4G24ngMRWidEJk3H7o4Wh9acOcmT67KM4Puxnu8RJOIbg9DPcEgr0q7GM4rwd6Odzu7AxsP4UFQGWw"
    "vhLsSQLrZ7CnEDytQozChv0+eIaD7TQKSX2m1gHKC8KzjHegxHuO8A4yXhzBoAoJNvkxL8m/BmM0p2vj/IpJUWoIhthc"
    "0wgVA4fJxwijphFkVHievo7kMBziXwfFuf1loE7HuWUYZT6zJZ8GIeYYERCYKuRp6hygOVZ/LmEmRjWkmS4o3F5jDO6G"
    "MQY/XIKPE/gRBj+K4JgKL5ylfxw/Ay+qcIJm0qDIYzxwEmPwyn+JYCSyYk8pDtIfTjPUBIJJFc7EcBeUsJMEnD0O51pj"
    "tQSWM1JpOK84KEo34eWe8OfvkOtdOjyLrcMrNO84vEolSUzIw2s94T+ukOurnvCtv77+fsWZDZPwOtMYWQ0u7C0U2nuV"
    "uvqDP33k3oJ1JHrn7MQrpe3lTtw+bJijCRQf08w87rjRyDahId/h5SY2Prv14ylSBYm5bayRAjM2Sj06ntAzI9lRLYui"
    "Ee9CnPh9xED4MPxOnrF9XgPLpHDZQBK3CINsNtFIZzVPQM8gpGvEw8S2X1Y7cRbnvB4apC5uV9wsRyNbqjDAqMUu/BGW"
    "pG4cRRyXcEzhuIFD6sZ7MY61OGQc3Th6cQziyOEo4jiL4wKOt3FcwvEhjo9xXO4mlRU7HbFBDBqsUNl6vjJ3NLK2YmV1"
    "JTXJk7t+0yDg+gp5tvJ5PNFIcMFPUApKU9PHSPbkxW9+XcD781b3/mySjST/9NTpc6QjOyok384n91W9fosnSPrVv934"
    "ovL6aZAifPqOaKSruvQD0jTJb/79g76A/P7/IX9xmj6BHf233iT9taaCg27eQSAa2VqVA7J4p6eZh+CVL28uYP4Hq5n/"
    "/fT6LlyCF4mP2CcXDzTRE/z8Pny8j1A0Ikt3Xn+R9iiSd+yDcHvl+hulTqHP4BYaWOgDmAp3T5Hc9pZ1zZXff6NlB2G5"
    "3VXuH/PXL/2n+j1V1D9frc3lPOXTQqOYx+sizr99b6S/8vptkTwzBwBqPa+ZGXwCOJogv/7imaFopP0OC5H9IdnrC8mh"
    "UCDodft83kCHLMveYNAb8nV4g3Iw4Ja9AVkmLn/Wr77Vin20Upc2Yrbs03qSaprlXPwdK6qtB6CVnPJ8rTTX2UuEWA8x"
    "a/iDi1Oa5+QkcqwHkWUc5w0Lp3wAEuXW3b6Bk6+ok4Szi6i17uC89k9R6xa11v2X18bqBa1H1Fq3T157XdR6Ra117+O1"
    "fYsErU/UWvctXntV1HaIWuuOw2tVl6D1i1rrTsFrr4nagKi1dnfhOS8WtEFRa+1QvPaGqA2JWmuHbeTzLhHnhjxfYl58"
    "bZa4PLP+vXtymZeK4llTy9raePGURTzHkrZ2nBZOvLxBqtALexWnc+PtzunYVFY2C/f3a9j9csPtk7STHqoHSgPYj7Ja"
    "J9M00/Fs7D/D/o8N"
))


def roundtrip(obj, **kw):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **kw)


def saved_bytes(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def same_bits(a, b):
    return (a.dtype == b.dtype and a.shape == b.shape
            and np.ascontiguousarray(a._data).tobytes() == np.ascontiguousarray(b._data).tobytes())


ALL_DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
              ember.float16, ember.float32, ember.float64, ember.complex64, ember.complex128]


def random_array(dtype, shape, rng):
    if dtype is ember.bool:
        return rng.integers(0, 2, shape).astype(bool)
    n = int(np.prod(shape)) * dtype.itemsize
    arr = np.frombuffer(rng.integers(0, 256, n, dtype=np.uint8).tobytes(), dtype.np).reshape(shape)
    return arr.copy()


# ------------------------------------------------------------------------------ round trips
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_roundtrip_every_dtype_bit_exact(dtype):
    rng = np.random.default_rng(0)
    cases = [random_array(dtype, s, rng) for s in [(), (0,), (0, 3), (5,), (2, 3, 4)]]
    if dtype.is_floating_point or dtype.is_complex:   # special values survive bit for bit
        cases.append(np.array([np.nan, -0.0, np.inf, -np.inf, 0.0], dtype.np))
    tensors = [ember.from_numpy(a) for a in cases]
    out = roundtrip(tensors)
    assert isinstance(out, list) and len(out) == len(tensors)
    for t, o in zip(tensors, out):
        assert type(o) is ember.Tensor
        assert same_bits(t, o), (t, o)
        assert o.shape == t.shape and o.dtype is dtype


def test_zero_dim_and_empty_shapes():
    out = roundtrip({"s": ember.tensor(2.5), "i": ember.tensor(3), "e": ember.zeros(0, 4, 0)})
    assert out["s"].shape == () and out["s"].item() == 2.5 and out["s"].dtype is ember.float32
    assert out["i"].shape == () and out["i"].item() == 3 and out["i"].dtype is ember.int64
    assert out["e"].shape == (0, 4, 0)


def test_non_contiguous_inputs_saved_by_value():
    base = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    views = {"t": base.transpose(2, 0, 1), "step": base[:, ::2, 1::3], "rev": base[::-1, :, ::-2],
             "bcast": np.broadcast_to(np.arange(3.0), (4, 3)), "col": base[:, 1, :]}
    out = roundtrip({k: _new_tensor(v) for k, v in views.items()})
    for k, v in views.items():
        np.testing.assert_array_equal(out[k]._data, v)
        assert out[k]._data.flags.writeable and out[k]._data.flags.c_contiguous
    # the file holds only the view's elements, not the whole base array
    assert len(saved_bytes(_new_tensor(base[:1, :1, :2]))) < 1200


def test_loaded_tensors_do_not_share_memory_with_the_saved_ones():
    x = ember.arange(6.0)
    y = roundtrip(x)
    y._data[0] = 100
    assert x._data[0] == 0


def test_requires_grad_and_parameters():
    w = ember.nn.Parameter(ember.ones(2, 3))
    frozen = ember.nn.Parameter(ember.zeros(2), requires_grad=False)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2        # non-leaf: saved as a leaf that requires grad, like torch
    (w.sum() + x.sum()).backward()
    out = roundtrip({"w": w, "frozen": frozen, "x": x, "y": y, "plain": ember.ones(1)})
    assert type(out["w"]) is ember.nn.Parameter and out["w"].requires_grad
    assert type(out["frozen"]) is ember.nn.Parameter and not out["frozen"].requires_grad
    assert type(out["x"]) is ember.Tensor and out["x"].requires_grad and out["x"].is_leaf
    assert out["y"].requires_grad and out["y"].is_leaf
    assert not out["plain"].requires_grad
    assert out["w"].grad is None and out["x"].grad is None        # grads are not saved
    np.testing.assert_array_equal(out["y"]._data, [2.0, 4.0])


def test_any_tensor_subclass_named_parameter_is_restored_as_a_parameter():
    class Parameter(ember.Tensor):
        __slots__ = ()
    p = _new_tensor(np.ones(3, np.float32), Parameter)
    p.requires_grad = True
    out = roundtrip(p)
    assert type(out) is ember.nn.Parameter and out.requires_grad


def test_containers_and_plain_values():
    od = collections.OrderedDict([("z", 1), ("a", 2)])
    od._metadata = {"": {"version": 1}}
    obj = {
        "od": od, "list": [1, [2, (3, 4)]], "tuple": (1.5, "x", None), "set": {1, 2},
        "frozenset": frozenset({"a"}), "bool": True, "big": 2 ** 100, "neg": -7,
        "inf": float("inf"), "complex": 1 - 2j, "str": "ünïcødé", "bytes": b"\x00\xff",
        "empty_bytes": b"", "bytearray": bytearray(b"ab"), "none": None, "slice": slice(1, 5, 2),
        "counter": collections.Counter("aab"),
        "dtype": ember.float16, "size": ember.Size([2, 3]), "device": ember.device("cpu"),
        7: "int key", (1, 2): "tuple key",
    }
    out = roundtrip(obj)
    assert out == obj
    assert list(out) == list(obj)
    assert type(out["od"]) is collections.OrderedDict and list(out["od"]) == ["z", "a"]
    assert out["od"]._metadata == {"": {"version": 1}}
    assert type(out["tuple"]) is tuple and type(out["frozenset"]) is frozenset
    assert type(out["size"]) is ember.Size and out["dtype"] is ember.float16
    assert type(out["bytearray"]) is bytearray and type(out["counter"]) is collections.Counter
    assert np.isnan(roundtrip(float("nan")))


def test_shared_tensor_keeps_its_identity():
    w = ember.ones(3)
    out = roundtrip({"a": w, "b": [w, w]})
    assert out["a"] is out["b"][0] is out["b"][1]


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_optimizer_state_round_trip_continues_the_same_trajectory(name):
    def make():
        p = ember.nn.Parameter(ember.tensor([1.0, -2.0, 3.0]))
        if name == "SGD":
            return p, ember.optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True)
        return p, ember.optim.Adam([p], lr=0.1, betas=(0.8, 0.9))

    def step(p, opt):
        opt.zero_grad()
        (p * p * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
        opt.step()

    p1, o1 = make()
    for _ in range(3):
        step(p1, o1)
    sd = o1.state_dict()
    loaded = roundtrip({"param": p1, "optim": sd})
    assert loaded["optim"]["param_groups"] == sd["param_groups"]
    for k, v in sd["state"][0].items():
        if isinstance(v, ember.Tensor):
            assert same_bits(v, loaded["optim"]["state"][0][k])
        else:
            assert v == loaded["optim"]["state"][0][k]
    p2, o2 = make()
    p2._data[...] = loaded["param"]._data
    o2.load_state_dict(loaded["optim"])
    step(p1, o1)
    step(p2, o2)
    np.testing.assert_array_equal(p1._data, p2._data)
    # Adam's state (0-d float step, moment tensors) round-trips bit for bit
    p3 = ember.nn.Parameter(ember.tensor([1.0, -2.0]))
    adam = ember.optim.Adam([p3], lr=0.1, betas=(0.8, 0.9))
    (p3 * p3).sum().backward()
    adam.step()
    sd = adam.state_dict()
    out = roundtrip(sd)
    assert out["param_groups"] == sd["param_groups"]
    assert out["param_groups"][0]["betas"] == (0.8, 0.9)
    for k, v in sd["state"][0].items():
        assert same_bits(v, out["state"][0][k]), k


# ------------------------------------------------------------------------------ files
def test_paths_pathlike_and_file_objects(tmp_path):
    x = {"w": ember.arange(5.0)}
    ember.save(x, str(tmp_path / "a.pt"))
    ember.save(x, tmp_path / "b.pt")
    with open(tmp_path / "c.pt", "wb") as fh:
        ember.save(x, fh)
    for name in "abc":
        np.testing.assert_array_equal(ember.load(tmp_path / f"{name}.pt")["w"]._data,
                                      np.arange(5.0))
        np.testing.assert_array_equal(ember.load(str(tmp_path / f"{name}.pt"))["w"]._data,
                                      np.arange(5.0))
        with open(tmp_path / f"{name}.pt", "rb") as fh:
            np.testing.assert_array_equal(ember.load(fh)["w"]._data, np.arange(5.0))
    assert (tmp_path / "a.pt").read_bytes() == (tmp_path / "b.pt").read_bytes()   # deterministic
    assert sorted(os.listdir(tmp_path)) == ["a.pt", "b.pt", "c.pt"]


class _Stream(io.RawIOBase):
    """A non-seekable stream (a pipe or socket)."""

    def __init__(self, data=b""):
        self.data, self.pos, self.out = data, 0, bytearray()

    def readable(self):
        return True

    def writable(self):
        return True

    def readinto(self, b):
        n = min(len(b), len(self.data) - self.pos)
        b[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def write(self, b):
        self.out += b
        return len(b)


def test_non_seekable_streams():
    x = ember.arange(10, dtype=ember.int16)
    out = _Stream()
    ember.save({"x": x}, out)
    loaded = ember.load(_Stream(bytes(out.out)))
    assert same_bits(loaded["x"], x)


def test_records_are_64_byte_aligned_and_little_endian():
    data = saved_bytes({"a": ember.ones(3, dtype=ember.float64),
                        "b": ember.ones(5, dtype=ember.int16)})
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    assert names[0] == "archive/data.pkl" and "archive/version" in names
    assert zf.read("archive/byteorder") == b"little"
    for info in zf.infolist():
        nlen, xlen = np.frombuffer(data[info.header_offset + 26:info.header_offset + 30], "<u2")
        assert (info.header_offset + 30 + int(nlen) + int(xlen)) % 64 == 0
        assert info.compress_type == zipfile.ZIP_STORED
    assert zf.read("archive/data/1") == np.ones(5, "<i2").tobytes()
    buf = io.BytesIO()
    ember.save({"a": ember.ones(2)}, buf, _disable_byteorder_record=True)
    assert "archive/byteorder" not in zipfile.ZipFile(buf).namelist()
    assert ember.load(io.BytesIO(buf.getvalue()))["a"].tolist() == [1.0, 1.0]   # little-endian


def test_mmap_loading(tmp_path):
    path = tmp_path / "m.pt"
    ember.save({"a": ember.arange(6.0).reshape(2, 3), "v": ember.arange(4)}, path)
    before = path.read_bytes()
    out = ember.load(path, mmap=True)
    np.testing.assert_array_equal(out["a"]._data, np.arange(6.0).reshape(2, 3))
    out["a"]._data[0, 0] = 42.0            # copy-on-write: the file is untouched
    assert path.read_bytes() == before
    with pytest.raises(ValueError, match="file path"):
        ember.load(io.BytesIO(before), mmap=True)


# ------------------------------------------------------------------------------ atomic writes
def test_save_to_a_path_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    ember.save({"v": 1}, path)
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append(("replace", os.path.dirname(a))),
                                                      real_replace(a, b))[1])
    ember.save({"v": 2}, path)
    assert calls[0] == "fsync" and calls[1] == ("replace", str(tmp_path))
    assert ember.load(path) == {"v": 2}
    assert os.listdir(tmp_path) == ["ckpt.pt"]
    # a failure while writing (an unsaveable object deep inside) leaves the old file and no litter
    old = path.read_bytes()
    with pytest.raises(TypeError, match="cannot save an object of type"):
        ember.save({"v": 3, "bad": [ember.ones(2), object()]}, path)
    # a failure at the rename (e.g. power loss before it) leaves the old file as well
    monkeypatch.setattr(os, "replace", lambda a, b: (_ for _ in ()).throw(OSError("disk gone")))
    with pytest.raises(OSError, match="disk gone"):
        ember.save({"v": 4}, path)
    assert path.read_bytes() == old and os.listdir(tmp_path) == ["ckpt.pt"]


def test_save_errors(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        ember.save({}, tmp_path / "missing" / "x.pt")
    for bad, hint in [(np.zeros(3), "from_numpy"), (np.float64(1.0), "item"),
                      (lambda: 0, "plain values"), (ember.optim, "plain values"),
                      (range(3), "plain values"),
                      (collections.defaultdict(list), "plain values")]:
        with pytest.raises(TypeError, match=hint):
            ember.save({"x": bad}, io.BytesIO())
    with pytest.raises(TypeError, match="state_dict"):
        ember.save(ember.optim.SGD([ember.nn.Parameter(ember.ones(1))], lr=0.1), io.BytesIO())


def test_safe_globals_allow_trusted_plain_data_classes():
    try:
        ember.serialization.add_safe_globals([Point])
        out = roundtrip({"p": Point(1, 2)})
        assert out["p"] == Point(1, 2)
    finally:
        ember.serialization.clear_safe_globals()
    data = saved_bytes_with_globals([Point], {"p": Point(1, 2)})
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        ember.load(io.BytesIO(data))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)


def saved_bytes_with_globals(globs, obj):
    try:
        ember.serialization.add_safe_globals(globs)
        return saved_bytes(obj)
    finally:
        ember.serialization.clear_safe_globals()


# ------------------------------------------------------------------------------ corrupt files
def test_truncation_at_every_byte_of_a_small_file():
    data = saved_bytes({"w": ember.tensor([1.0, 2.0]), "n": 3})
    assert len(data) < 2000
    for cut in range(len(data)):
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(io.BytesIO(data[:cut]))
    assert ember.load(io.BytesIO(data))["n"] == 3


def test_truncation_of_a_larger_file_and_of_paths(tmp_path):
    data = saved_bytes({f"l{i}": ember.randn(50, 20) for i in range(8)})
    path = tmp_path / "cut.pt"
    for cut in sorted(set(np.linspace(1, len(data) - 1, 60).astype(int))):
        path.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(path)
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(path, mmap=True)


def test_flipped_bytes_are_detected():
    data = saved_bytes({"w": ember.arange(64.0), "meta": {"epoch": 12}})
    zf = zipfile.ZipFile(io.BytesIO(data))
    for name in ["archive/data/0", "archive/data.pkl"]:
        info = zf.getinfo(name)
        nlen, xlen = np.frombuffer(data[info.header_offset + 26:info.header_offset + 30], "<u2")
        start = info.header_offset + 30 + int(nlen) + int(xlen)
        for pos in (start, start + info.file_size // 2, start + info.file_size - 1):
            bad = bytearray(data)
            bad[pos] ^= 0x10
            with pytest.raises(RuntimeError, match="truncated or corrupt"):
                ember.load(io.BytesIO(bytes(bad)))


def test_not_a_checkpoint_and_legacy_files(tmp_path):
    legacy = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80\x02M\xe9\x03."
    with pytest.raises(RuntimeError, match="legacy format not supported; re-save with "
                       r"torch.save\(..., _use_new_zipfile_serialization=True\)"):
        ember.load(io.BytesIO(legacy))
    tar = bytearray(1024)
    tar[257:262] = b"ustar"
    with pytest.raises(RuntimeError, match="legacy format"):
        ember.load(io.BytesIO(bytes(tar)))
    with pytest.raises(RuntimeError, match="not an ember or PyTorch checkpoint.*plain pickle"):
        ember.load(io.BytesIO(pickle.dumps({"a": 1})))
    with pytest.raises(RuntimeError, match="not an ember or PyTorch checkpoint"):
        ember.load(io.BytesIO(b"hello world, this is text"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x/readme.txt", "hi")
    with pytest.raises(RuntimeError, match="without data.pkl"):
        ember.load(io.BytesIO(buf.getvalue()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("m/data.pkl", pickle.dumps(1, 2))
        zf.writestr("m/constants.pkl", pickle.dumps((), 2))
        zf.writestr("m/code/__torch__.py", "")
    with pytest.raises(RuntimeError, match="TorchScript"):
        ember.load(io.BytesIO(buf.getvalue()))
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "nope.pt")
    with pytest.raises(RuntimeError, match="empty"):
        ember.load(io.BytesIO(b""))


# ------------------------------------------------------------------------------ code in files
class _Evil:
    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


def zip_with_pickle(pkl, prefix="archive", records=(), byteorder=b"little"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{prefix}/data.pkl", pkl)
        if byteorder is not None:
            zf.writestr(f"{prefix}/byteorder", byteorder)
        for key, data in records:
            zf.writestr(f"{prefix}/data/{key}", data)
        zf.writestr(f"{prefix}/version", "3\n")
    return buf.getvalue()


def attacks(marker):
    cmd = f"touch {marker}"
    code = f"open({str(marker)!r}, 'w').close()"
    import builtins
    import os as os_mod
    import subprocess as sp
    yield "system", _Evil(os_mod.system, cmd)
    yield "eval", _Evil(builtins.eval, code)
    yield "exec", _Evil(builtins.exec, code)
    yield "call", _Evil(sp.call, ["touch", str(marker)])
    yield "Popen", _Evil(sp.Popen, ["touch", str(marker)])
    yield "open", _Evil(builtins.open, str(marker), "w")
    yield "getattr", _Evil(builtins.getattr, _Evil(builtins.__import__, "os"), "system")
    # a legitimate-looking state dict with the payload inside
    yield "system", {"w": ember.ones(2), "opt": [1, {"x": _Evil(os_mod.system, cmd)}]}


@pytest.mark.parametrize("protocol", [0, 1, 2, 4, 5])
def test_pickled_code_is_refused_and_never_runs(tmp_path, protocol):
    marker = tmp_path / "pwned"
    for name, payload in attacks(marker):
        if protocol < 2:       # GLOBAL/REDUCE pickles as the standard pickler writes them
            if not isinstance(payload, _Evil):
                continue
            data = zip_with_pickle(pickle.dumps(payload, protocol))
        else:                  # next to real tensors, in ember's own file layout
            pkl, records = _pickle_with_tensors(payload, protocol)
            data = zip_with_pickle(pkl, records=records)
        with pytest.raises(pickle.UnpicklingError, match=f"refused the global '.*{name}'"):
            ember.load(io.BytesIO(data))
        with pytest.raises(pickle.UnpicklingError, match=name):
            ember.load(io.BytesIO(data), weights_only=False)
        assert not marker.exists(), name
    # the payloads are live: unpickled normally, they do create the marker
    pickle.loads(pickle.dumps(_Evil(open, str(marker), "w"))).close()
    assert marker.exists()


def _pickle_with_tensors(obj, protocol):
    """data.pkl and storage records for obj, pickled by ember's own writer at ``protocol``
    (so payloads next to real tensors go through the normal file layout)."""
    class P(serialization._Pickler):
        def reducer_override(self, o):
            try:
                return super().reducer_override(o)
            except TypeError:      # what ember.save refuses: pickle it the ordinary way
                return NotImplemented
    buf = io.BytesIO()
    p = P(buf, protocol)
    p.dump(obj)
    return buf.getvalue(), [(k, a.tobytes()) for k, a in p.storages]


def test_hand_written_opcodes_are_refused(tmp_path):
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}".encode()
    for pkl in [b"(S'" + cmd + b"'\nios\nsystem\n.",                 # INST
                b"(cos\nsystem\nS'" + cmd + b"'\no.",                # OBJ
                b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c" + bytes([len(cmd)]) + cmd
                + b"\x85R.",                                          # STACK_GLOBAL
                b"cbuiltins\n__import__\n(S'os'\ntR."]:
        with pytest.raises(pickle.UnpicklingError, match="refused the global"):
            ember.load(io.BytesIO(zip_with_pickle(pkl)))
    assert not marker.exists()


def test_refused_global_does_not_import_its_module(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "ember_evil_module_xyz.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nthing = print\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    pkl = b"\x80\x02cember_evil_module_xyz\nthing\nq\x00)R."
    with pytest.raises(pickle.UnpicklingError, match="ember_evil_module_xyz.thing"):
        ember.load(io.BytesIO(zip_with_pickle(pkl)))
    assert "ember_evil_module_xyz" not in sys.modules and not marker.exists()


def test_allowed_helpers_cannot_be_abused():
    # _codecs.encode only for latin-1, bytes() only empty, rebuild_from_type only with tensors
    for pkl in [b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R.",
                b"\x80\x02c__builtin__\nbytes\nJ\x00\x00\x00\x10\x85R."]:
        with pytest.raises(pickle.UnpicklingError, match="only allowed"):
            ember.load(io.BytesIO(zip_with_pickle(pkl)))
    pkl = (b"\x80\x02ctorch._tensor\n_rebuild_from_type_v2\ncbuiltins\nset\nctorch\nTensor\n"
           b")N\x87R.")
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        ember.load(io.BytesIO(zip_with_pickle(pkl)))


def test_numpy_objects_need_weights_only_false():
    pkl = pickle.dumps({"acc": np.float64(0.75), "arr": np.arange(3)}, protocol=2)
    data = zip_with_pickle(pkl)
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        ember.load(io.BytesIO(data))
    out = ember.load(io.BytesIO(data), weights_only=False)
    assert out["acc"] == 0.75 and type(out["acc"]) is np.float64
    np.testing.assert_array_equal(out["arr"], np.arange(3))


# ------------------------------------------------------------------------------ torch format
G = b"c"


def op_global(module, name):
    return G + f"{module}\n{name}\n".encode()


def val(x):
    return pickle.dumps(x, protocol=2)[2:-1]


def tensor_op(stype, key, numel, offset, size, stride, rg=False, location="cpu",
              fn="_rebuild_tensor_v2", extra=b""):
    pid = (b"(" + val("storage") + op_global(*stype.rsplit(".", 1)) + val(key) + val(location)
           + val(numel) + b"tQ")
    return (op_global("torch._utils", fn) + b"(" + pid + val(offset) + val(tuple(size))
            + val(tuple(stride)) + val(rg) + op_global("collections", "OrderedDict") + b")R"
            + extra + b"tR")


def dict_pickle(items):
    return b"\x80\x02}(" + b"".join(val(k) + v for k, v in items) + b"u."


def test_torch_views_with_offsets_and_strides():
    storage = np.arange(24, dtype="<f4")
    pkl = dict_pickle([
        ("full", tensor_op("torch.FloatStorage", "0", 24, 0, (4, 6), (6, 1))),
        ("t", tensor_op("torch.FloatStorage", "0", 24, 0, (6, 4), (1, 6), rg=True)),
        ("s", tensor_op("torch.FloatStorage", "0", 24, 7, (2, 3), (6, 2))),
        ("x", tensor_op("torch.FloatStorage", "0", 24, 5, (3, 2), (0, 1))),   # expand-style
        ("e", tensor_op("torch.FloatStorage", "0", 24, 24, (0,), (1,))),
        ("scalar", tensor_op("torch.FloatStorage", "0", 24, 23, (), ())),
        ("cuda", tensor_op("torch.cuda.LongStorage", "1", 2, 0, (2,), (1,))),
        ("p", op_global("torch._utils", "_rebuild_parameter") + b"("
         + tensor_op("torch.FloatStorage", "2", 1, 0, (1,), (1,)) + b"\x88"
         + op_global("collections", "OrderedDict") + b")Rt" + b"R"),
        ("v3", tensor_op("torch.storage.UntypedStorage", "3", 4, 0, (2,), (1,),
                         fn="_rebuild_tensor_v3", extra=op_global("torch", "int16"))),
    ])
    recs = [("0", storage.tobytes()), ("1", np.array([5, -6], "<i8").tobytes()),
            ("2", np.array([1.5], "<f4").tobytes()), ("3", np.array([-2, 300], "<i2").tobytes())]
    out = ember.load(io.BytesIO(zip_with_pickle(pkl, prefix="model", records=recs)))
    full = storage.reshape(4, 6)
    np.testing.assert_array_equal(out["full"]._data, full)
    np.testing.assert_array_equal(out["t"]._data, full.T)
    assert out["t"].requires_grad and out["t"].stride() == (1, 6)   # layout kept, as torch
    np.testing.assert_array_equal(out["s"]._data, full[1:3, 1::2])
    np.testing.assert_array_equal(out["x"]._data, [[5, 6]] * 3)
    assert out["e"].shape == (0,) and out["scalar"].item() == 23.0
    assert out["cuda"].dtype is ember.int64 and out["cuda"].tolist() == [5, -6]
    assert type(out["p"]) is ember.nn.Parameter and out["p"].requires_grad
    assert out["v3"].dtype is ember.int16 and out["v3"].tolist() == [-2, 300]
    # views are copies: writing one does not show through another
    out["s"]._data[0, 0] = -1
    assert out["full"]._data[1, 1] == 7


def test_bad_views_are_refused_not_read_out_of_bounds():
    rec = [("0", np.arange(6, dtype="<f4").tobytes())]
    for offset, size, stride in [(0, (7,), (1,)), (1, (6,), (1,)), (0, (2, 3), (3, 2)),
                                 (0, (2,), (-1,)), (-1, (1,), (1,)), (0, (2, 2), (1,)),
                                 (0, (2.0,), (1,)), (2 ** 62, (2,), (1,))]:
        pkl = dict_pickle([("a", tensor_op("torch.FloatStorage", "0", 6, offset, size, stride))])
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(io.BytesIO(zip_with_pickle(pkl, records=rec)))
    # a storage record whose size disagrees with its numel
    pkl = dict_pickle([("a", tensor_op("torch.FloatStorage", "0", 7, 0, (6,), (1,)))])
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        ember.load(io.BytesIO(zip_with_pickle(pkl, records=rec)))
    pkl = dict_pickle([("a", tensor_op("torch.FloatStorage", "9", 6, 0, (6,), (1,)))])
    with pytest.raises(RuntimeError, match="missing"):
        ember.load(io.BytesIO(zip_with_pickle(pkl, records=rec)))


def test_big_endian_files_and_bfloat16():
    pkl = dict_pickle([("d", tensor_op("torch.DoubleStorage", "0", 2, 0, (2,), (1,))),
                       ("bf", tensor_op("torch.BFloat16Storage", "1", 2, 0, (2,), (1,)))])
    recs = [("0", np.array([1.25, -3.5], ">f8").tobytes()),
            ("1", np.array([0x3FC0, 0xC040], ">u2").tobytes())]
    with pytest.warns(UserWarning, match="bfloat16"):
        out = ember.load(io.BytesIO(zip_with_pickle(pkl, records=recs, byteorder=b"big")))
    assert out["d"].tolist() == [1.25, -3.5] and out["d"].dtype is ember.float64
    assert out["bf"].tolist() == [1.5, -3.0] and out["bf"].dtype is ember.float32
    bad = zip_with_pickle(pkl, records=recs, byteorder=b"middle")
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        ember.load(io.BytesIO(bad))


def test_unsupported_torch_dtypes_and_tensors():
    u16 = op_global("torch", "uint16")
    pkl = dict_pickle([("u", tensor_op("torch.storage.UntypedStorage", "0", 4, 0, (2,), (1,),
                                       fn="_rebuild_tensor_v3", extra=u16))])
    with pytest.raises(RuntimeError, match="torch.uint16 are not supported"):
        ember.load(io.BytesIO(zip_with_pickle(pkl, records=[("0", bytes(4))])))
    pkl = b"\x80\x02ctorch._utils\n_rebuild_sparse_tensor\n)R."
    with pytest.raises(RuntimeError, match="sparse tensors are not supported"):
        ember.load(io.BytesIO(zip_with_pickle(pkl)))
    pkl = dict_pickle([("q", tensor_op("torch.QInt8Storage", "0", 4, 0, (4,), (1,)))])
    with pytest.raises(RuntimeError, match="quantized"):
        ember.load(io.BytesIO(zip_with_pickle(pkl, records=[("0", bytes(4))])))


def test_map_location():
    pkl = dict_pickle([("a", tensor_op("torch.FloatStorage", "0", 2, 0, (2,), (1,),
                                       location="cuda:0"))])
    data = zip_with_pickle(pkl, records=[("0", np.array([1, 2], "<f4").tobytes())])
    with pytest.raises(RuntimeError, match="map_location=ember.device\\('cpu'\\)"):
        ember.load(io.BytesIO(data))
    for ml in ["cpu", ember.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage,
               lambda storage, loc: None if loc == "cpu" else storage * 1]:
        assert ember.load(io.BytesIO(data), map_location=ml)["a"].tolist() == [1.0, 2.0]
    assert ember.load(io.BytesIO(data), map_location=lambda s, loc: s * 2)["a"].tolist() == [2, 4]
    seen = []
    ember.load(io.BytesIO(data), map_location=lambda s, loc: seen.append(loc) or s)
    assert seen == ["cuda:0"]
    with pytest.raises(RuntimeError, match="CUDA"):
        ember.load(io.BytesIO(data), map_location={"cuda:1": "cpu"})

    def boom(storage, loc):
        raise KeyError("from the user")
    with pytest.raises(KeyError, match="from the user"):
        ember.load(io.BytesIO(data), map_location=boom)


def test_torch_fixture():
    """A real torch.save file (torch 2.13), loaded without torch."""
    with pytest.warns(UserWarning, match="bfloat16"):
        sd = ember.load(io.BytesIO(TORCH_FIXTURE))
    base = np.arange(24, dtype=np.float32).reshape(4, 6) / 4
    assert type(sd) is collections.OrderedDict
    assert list(sd) == ["w", "t", "s", "n", "h", "b", "i8", "u8", "i16", "i32", "f64", "c64", "bf",
                        "p", "e", "meta"]
    np.testing.assert_array_equal(sd["w"]._data, base)
    np.testing.assert_array_equal(sd["t"]._data, base.T)
    np.testing.assert_array_equal(sd["s"]._data, base[1:3, ::2])
    expect = {"n": (7, ember.int64), "h": ([0.5, -2.0, 65504.0], ember.float16),
              "b": ([True, False, True], ember.bool), "i8": ([-128, 127], ember.int8),
              "u8": ([0, 255], ember.uint8), "i16": ([-32768, 32767], ember.int16),
              "i32": ([-2 ** 31, 2 ** 31 - 1], ember.int32), "f64": ([1 / 3, -0.0], ember.float64),
              "c64": ([1 + 2j], ember.complex64), "bf": ([1.5, -3.0], ember.float32),
              "p": ([1.0, 2.0], ember.float32)}
    for k, (v, dt) in expect.items():
        assert sd[k].tolist() == v and sd[k].dtype is dt, k
    assert sd["w"].dtype is ember.float32 and sd["n"].shape == ()
    assert np.signbit(sd["f64"]._data[1])
    assert type(sd["p"]) is ember.nn.Parameter and sd["p"].requires_grad
    assert not sd["w"].requires_grad and sd["e"].shape == (0, 3)
    assert sd["meta"] == {"epoch": 3, "lr": 0.1, "name": "x", "betas": (0.9, 0.999), "none": None}
    # truncations of a real torch file too
    for cut in range(0, len(TORCH_FIXTURE), 97):
        with pytest.raises(RuntimeError, match="truncated or corrupt"):
            ember.load(io.BytesIO(TORCH_FIXTURE[:cut]))


def test_load_does_not_import_torch(tmp_path):
    path = tmp_path / "f.pt"
    path.write_bytes(TORCH_FIXTURE)
    code = ("import sys, warnings, ember; warnings.simplefilter('ignore'); "
            f"sd = ember.load({str(path)!r}); assert sd['n'].item() == 7; "
            "assert 'torch' not in sys.modules, 'torch imported'")
    root = pathlib.Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


def test_load_arguments():
    data = saved_bytes({"a": 1})
    with pytest.raises(TypeError, match="unexpected keyword"):
        ember.load(io.BytesIO(data), bogus=1)
    assert ember.load(io.BytesIO(data), weights_only=None, encoding="utf-8") == {"a": 1}
    assert ember.load(io.BytesIO(data), None, pickle) == {"a": 1}
    with pytest.raises(ValueError, match="zip format"):
        ember.save(1, io.BytesIO(), _use_new_zipfile_serialization=False)
    for proto in (2, 3, 4, 5):
        buf = io.BytesIO()
        ember.save({"x": ember.ones(2), "b": b"x"}, buf, pickle_protocol=proto)
        buf.seek(0)
        out = ember.load(buf)
        assert out["b"] == b"x" and out["x"].tolist() == [1.0, 1.0]
