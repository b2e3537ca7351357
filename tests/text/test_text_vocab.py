"""Vocab: ordering, limits, specials, lookups, vectors; build_vocab_from_iterator."""
import pickle
from collections import Counter

import numpy as np
import pytest

import ember
from ember.text.vocab import Vocab, build_vocab_from_iterator
from ember.text.vectors import Vectors


def _counter():
    return Counter({"hello": 4, "world": 3, "ᑌᑎIᑕOᗪᕮ_Tᕮ᙭T": 5, "freq_too_low": 2, "a": 3,
                    "b": 3})


def test_order_specials_and_ties():
    v = Vocab(_counter())
    assert v.itos == ["<unk>", "<pad>", "ᑌᑎIᑕOᗪᕮ_Tᕮ᙭T", "hello", "a", "b", "world",
                      "freq_too_low"]
    assert v.stoi["hello"] == 3 and v.unk_index == 0
    assert v.stoi["never-seen"] == 0 and v["never-seen"] == 0
    assert "never-seen" not in v.stoi                # lookups do not grow the map
    assert len(v) == 8 and v.freqs is not None and v.freqs["hello"] == 4


def test_max_size_min_freq_and_specials_last():
    v = Vocab(_counter(), max_size=3, min_freq=3)
    assert v.itos == ["<unk>", "<pad>", "ᑌᑎIᑕOᗪᕮ_Tᕮ᙭T", "hello", "a"]
    v = Vocab(_counter(), min_freq=4, specials=["<pad>", "<unk>"], specials_first=False)
    assert v.itos == ["ᑌᑎIᑕOᗪᕮ_Tᕮ᙭T", "hello", "<pad>", "<unk>"]
    assert v.unk_index == 3 and v["zzz"] == 3


def test_specials_are_not_counted_and_no_unk():
    c = Counter({"<pad>": 100, "x": 2, "y": 1})
    v = Vocab(c, specials=["<pad>"])
    assert v.itos == ["<pad>", "x", "y"] and v.unk_index is None
    with pytest.raises(KeyError):
        v.stoi["z"]
    with pytest.raises(RuntimeError, match="Token z not found and default index is not set"):
        v["z"]


def test_freqs_most_common_matches_counter():
    rng = np.random.default_rng(0)
    words = [f"w{int(i)}" for i in rng.zipf(1.5, 5000) if i < 500]
    v = Vocab(Counter(words))
    assert v.freqs.most_common(10) == Counter(words).most_common(10)


def test_lookup_api():
    v = build_vocab_from_iterator([["a", "b", "a"], ["c", "a", "b", "d"]],
                                  specials=["<unk>", "<pad>"])
    assert v.get_itos() == ["<unk>", "<pad>", "a", "b", "c", "d"]
    with pytest.raises(RuntimeError, match="default index is not set"):
        v["zzz"]
    v.set_default_index(v["<unk>"])
    assert v.lookup_indices(["a", "zzz", "d"]) == [2, 0, 5] == v(["a", "zzz", "d"])
    assert v.lookup_tokens([3, 4]) == ["b", "c"] and v.get_default_index() == 0
    assert "a" in v and "q" not in v
    v.append_token("e")
    v.insert_token("first", 0)
    assert v.get_itos()[:2] == ["first", "<unk>"] and v["e"] == 7 and v["nope"] == 1
    limited = build_vocab_from_iterator([["a", "b", "a", "c"]], min_freq=2, specials=["<unk>"],
                                        max_tokens=3)
    assert limited.get_itos() == ["<unk>", "a"]
    assert build_vocab_from_iterator([["x"]], specials=["<s>"], special_first=False).get_itos() \
        == ["x", "<s>"]


def test_pickle_roundtrip():
    v = Vocab(_counter())
    w = pickle.loads(pickle.dumps(v))
    assert w == v and w["unseen"] == 0 and w.stoi["hello"] == 3


def _vec_file(tmp_path, words, dim=4, seed=0):
    rng = np.random.default_rng(seed)
    arr = rng.standard_normal((len(words), dim)).astype(np.float32).round(4)
    p = tmp_path / "vecs.txt"
    p.write_text("".join(w + " " + " ".join(repr(float(x)) for x in row) + "\n"
                         for w, row in zip(words, arr)))
    return str(p), arr


def test_load_vectors_aligned_with_itos(tmp_path):
    path, arr = _vec_file(tmp_path, ["hello", "world", "a", "extra"])
    v = Vocab(_counter())
    v.load_vectors(Vectors(path))
    assert v.vectors.dtype == ember.float32 and tuple(v.vectors.shape) == (8, 4)
    for i, tok in enumerate(v.itos):
        expect = {"hello": arr[0], "world": arr[1], "a": arr[2]}.get(tok, np.zeros(4))
        np.testing.assert_allclose(v.vectors.numpy()[i], expect)
    ember.manual_seed(0)
    v2 = Vocab(_counter(), vectors=Vectors(path), unk_init=ember.Tensor.normal_)
    unk_rows = v2.vectors.numpy()[[0, 1, 2, 5, 7]]
    assert (unk_rows != 0).all() and len({r.tobytes() for r in unk_rows}) == 5
    np.testing.assert_allclose(v2.vectors.numpy()[3], arr[0])
    both = Vocab(_counter())
    both.load_vectors([Vectors(path), Vectors(path)])
    assert tuple(both.vectors.shape) == (8, 8)
    with pytest.raises(ValueError, match="allowed pretrained vectors"):
        v.load_vectors("glove.1B.7d")
    v.set_vectors({"hello": 1}, arr, 4)
    np.testing.assert_allclose(v.vectors.numpy()[3], arr[1])
    assert not v.vectors.numpy()[0].any()


def test_embedding_from_vocab_vectors(tmp_path):
    path, arr = _vec_file(tmp_path, ["hello", "world"])
    v = Vocab(_counter(), vectors=Vectors(path))
    emb = ember.nn.Embedding.from_pretrained(v.vectors, freeze=True)
    out = emb(ember.tensor(v.lookup_indices(["world", "zzz"])))
    np.testing.assert_allclose(out.numpy(), np.stack([arr[1], np.zeros(4)]))
