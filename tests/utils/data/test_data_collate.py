"""default_collate and default_convert: the batching rules for each leaf and container type."""
import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert

Point = collections.namedtuple("Point", "x y")


def test_tensors_are_stacked():
    b = default_collate([ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])])
    assert b.shape == (2, 2) and b.dtype == ember.float32
    assert b.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([ember.zeros(2), ember.zeros(3)])


def test_numpy_arrays_and_scalars():
    b = default_collate([np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)])
    assert isinstance(b, ember.Tensor) and b.dtype == ember.int32 and b.tolist() == [[1, 2], [3, 4]]
    s = default_collate([np.float32(1.5), np.float32(2.5)])
    assert s.dtype == ember.float32 and s.tolist() == [1.5, 2.5]
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([np.array(["a"]), np.array(["b"])])


def test_python_numbers():
    f = default_collate([1.0, 2.5])
    assert f.dtype == ember.float64 and f.tolist() == [1.0, 2.5]
    i = default_collate([1, 2, 3])
    assert i.dtype == ember.int64
    b = default_collate([True, False])
    assert b.dtype == ember.bool


def test_strings_and_bytes_stay():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate([b"x", b"y"]) == [b"x", b"y"]


def test_tuples_transpose_to_list_and_nested():
    batch = [(ember.tensor([1.0]), 0, "a"), (ember.tensor([2.0]), 1, "b")]
    out = default_collate(batch)
    assert isinstance(out, list) and len(out) == 3
    assert out[0].shape == (2, 1) and out[1].tolist() == [0, 1] and out[2] == ("a", "b")
    lists = default_collate([[1, 2], [3, 4]])
    assert isinstance(lists, list) and [t.tolist() for t in lists] == [[1, 3], [2, 4]]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([[1, 2], [3]])


def test_dicts_and_namedtuples():
    out = default_collate([{"x": 1.0, "y": {"z": 2}}, {"x": 3.0, "y": {"z": 4}}])
    assert out["x"].tolist() == [1.0, 3.0] and out["y"]["z"].tolist() == [2, 4]
    p = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.x.tolist() == [1, 3] and p.y.dtype == ember.float64
    od = default_collate([collections.OrderedDict(a=1)] * 2)
    assert isinstance(od, collections.OrderedDict)


def test_unknown_type_error():
    with pytest.raises(TypeError, match="found <class 'object'>"):
        default_collate([object(), object()])


def test_default_convert():
    t = default_convert(np.array([1.0, 2.0]))
    assert isinstance(t, ember.Tensor) and t.dtype == ember.float64
    assert default_convert(3) == 3 and default_convert("s") == "s"
    out = default_convert((np.int64(3), [np.zeros(2)], {"k": np.ones(1)}))
    assert isinstance(out, list) and isinstance(out[0], ember.Tensor)
    assert isinstance(out[1][0], ember.Tensor) and isinstance(out[2]["k"], ember.Tensor)
    s = np.array(["a"])
    assert default_convert(s) is s
    x = ember.ones(2)
    assert default_convert(x) is x
    p = default_convert(Point(np.float32(1), 2))
    assert isinstance(p, Point) and isinstance(p.x, ember.Tensor)
