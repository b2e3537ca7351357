"""Pretrained vectors in GloVe / word2vec / fastText text formats."""
import gzip
import os

import numpy as np
import pytest

import ember
from ember.text.vectors import FastText, GloVe, Vectors, read_vectors


def _write(path, words, arr, header=False, gz=False):
    lines = ([f"{len(words)} {arr.shape[1]}\n"] if header else []) + \
        [w + " " + " ".join(repr(float(x)) for x in row) + "\n" for w, row in zip(words, arr)]
    data = "".join(lines).encode("utf-8")
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    return str(path)


WORDS = ["the", ",", "café", "Straße", "x\u00a0y"]   # a non-breaking space stays in the word


@pytest.fixture
def arr():
    return np.random.default_rng(0).standard_normal((5, 6)).astype(np.float32)


@pytest.mark.parametrize("header,gz,name", [(False, False, "glove.txt"),
                                            (True, False, "wiki.vec"),
                                            (True, True, "cc.vec.gz"),
                                            (False, True, "glove.txt.gz")])
def test_formats(tmp_path, arr, header, gz, name):
    p = _write(tmp_path / name, WORDS, arr, header=header, gz=gz)
    v = Vectors(p)
    assert v.itos == WORDS and v.dim == 6 and len(v) == 5
    assert v.vectors.dtype == ember.float32
    np.testing.assert_array_equal(v.vectors.numpy(), arr)
    np.testing.assert_array_equal(v["café"].numpy(), arr[2])
    assert not v["missing"].numpy().any() and tuple(v["missing"].shape) == (6,)
    assert not os.path.exists(".vector_cache/" + name + ".ember.npz")   # no cache without cache=


def test_max_vectors_unk_init_and_tokens(tmp_path, arr):
    p = _write(tmp_path / "v.txt", WORDS, arr)
    v = Vectors(p, max_vectors=2, unk_init=lambda t: t.normal_())
    assert v.itos == ["the", ","]
    ember.manual_seed(0)
    assert v["café"].numpy().any()
    full = Vectors(p)
    got = full.get_vecs_by_tokens(["THE", "café"], lower_case_backup=True)
    np.testing.assert_array_equal(got.numpy(), arr[[0, 2]])
    assert tuple(full.get_vecs_by_tokens("the").shape) == (6,)


def test_cache_file_is_reused(tmp_path, arr):
    p = _write(tmp_path / "v.txt", WORDS, arr)
    cache = tmp_path / "cache"
    Vectors(p, cache=str(cache))
    assert (cache / "v.txt.ember.npz").is_file()
    os.remove(p)                                    # now served from the parsed cache
    again = Vectors(p, cache=str(cache))
    assert again.itos == WORDS
    np.testing.assert_array_equal(again.vectors.numpy(), arr)


def test_aliases_resolve_in_cache(tmp_path, arr):
    _write(tmp_path / "wiki.simple.vec", WORDS, arr, header=True)
    ft = FastText(language="simple", cache=str(tmp_path))
    assert ft.itos == WORDS
    _write(tmp_path / "glove.6B.100d.txt", WORDS, arr)
    gl = GloVe(name="6B", dim=100, cache=str(tmp_path))
    np.testing.assert_array_equal(gl.vectors.numpy(), arr)


def test_errors(tmp_path, arr):
    bad = tmp_path / "bad.txt"
    bad.write_text("a 1 2 3\nb 1 2\n")
    with pytest.raises(RuntimeError, match="has 2 dimensions, but previously read vectors have 3"):
        Vectors(str(bad))
    nan = tmp_path / "nan.txt"
    nan.write_text("a 1 2\nb 1 x\n")
    with pytest.raises(ValueError, match="'b'"):
        read_vectors(str(nan))
    with pytest.raises(RuntimeError, match="no vectors found at"):
        Vectors("does-not-exist.txt", cache=str(tmp_path))
    with pytest.raises(RuntimeError, match="no vectors found at .*wiki.xx.vec"):
        Vectors("wiki.xx.vec", cache=str(tmp_path), url="file:///nonexistent/wiki.xx.vec")
