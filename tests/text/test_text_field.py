"""Field / LabelField: preprocessing, padding, numericalisation."""
from collections import Counter

import pytest

import ember
from ember.text import data


def test_preprocess():
    f = data.Field(lower=True)
    assert f.preprocess("Hello World\n") == ["hello", "world"]
    f = data.Field(tokenize="basic_english", stop_words={"the"})
    assert f.preprocess("The cat, the hat.") == ["cat", ",", "hat", "."]
    f = data.Field(tokenize=lambda s: str(s).split(), preprocessing=lambda toks: toks[::-1])
    assert f.preprocess("a b c") == ["c", "b", "a"]
    lab = data.Field(sequential=False, use_vocab=False)
    assert lab.preprocess("1") == "1" and lab.pad_token is None
    with pytest.raises(ValueError, match="Stop words must be convertible to a set"):
        data.Field(stop_words=3)


def test_pad_variants():
    mb = [["a", "b", "c", "d"], ["a", "b"], ["x"]]
    f = data.Field()
    assert f.pad(mb) == [["a", "b", "c", "d"], ["a", "b", "<pad>", "<pad>"],
                         ["x", "<pad>", "<pad>", "<pad>"]]
    f = data.Field(init_token="<s>", eos_token="</s>", include_lengths=True)
    padded, lengths = f.pad(mb)
    assert padded[1] == ["<s>", "a", "b", "</s>", "<pad>", "<pad>"] and lengths == [6, 4, 3]
    f = data.Field(pad_first=True, fix_length=3, truncate_first=True)
    assert f.pad(mb) == [["b", "c", "d"], ["<pad>", "a", "b"], ["<pad>", "<pad>", "x"]]
    f = data.Field(fix_length=3, init_token="<s>")
    assert f.pad(mb)[0] == ["<s>", "a", "b"]


def test_numericalize_time_major_and_batch_first():
    f = data.Field(include_lengths=True)
    f.vocab = data.Field.vocab_cls(Counter("a a a b b c".split()), specials=["<unk>", "<pad>"])
    text, lengths = f.process([["a", "b", "c"], ["c", "zzz"], ["b"]])
    assert text.dtype == ember.int64 and lengths.dtype == ember.int64
    assert text.tolist() == [[2, 4, 3], [3, 0, 1], [4, 1, 1]]        # (T, B)
    assert lengths.tolist() == [3, 2, 1]
    f.batch_first = True
    text, _ = f.process([["a", "b", "c"], ["c", "zzz"], ["b"]])
    assert text.tolist() == [[2, 3, 4], [4, 0, 1], [3, 1, 1]]        # (B, T)
    with pytest.raises(ValueError, match="include_lengths set to True"):
        f.numericalize([["a"]])


def test_label_fields():
    lab = data.Field(sequential=False, use_vocab=False)
    t = lab.process(["0", "1", "1"])
    assert t.dtype == ember.int64 and t.tolist() == [0, 1, 1]
    flab = data.Field(sequential=False, use_vocab=False, dtype=ember.float32)
    assert flab.process(["0", "1"]).tolist() == [0.0, 1.0] and flab.process(["1"]).dtype == ember.float32
    lf = data.LabelField()
    assert lf.unk_token is None and lf.is_target and not lf.sequential
    lf.build_vocab(["pos", "neg", "pos", "pos"])
    assert lf.vocab.itos == ["pos", "neg"]
    assert lf.process(["neg", "pos"]).tolist() == [1, 0]
    with pytest.raises(KeyError):
        lf.process(["unknown-label"])


def test_build_vocab_sources_and_kwargs():
    f = data.Field(init_token="<sos>", eos_token="<eos>")
    f.build_vocab([["b", "a"], ["a"]], [["c"]], specials=["<mask>"], max_size=2)
    assert f.vocab.itos == ["<unk>", "<pad>", "<sos>", "<eos>", "<mask>", "a", "b"]
    assert f.vocab.freqs == {"a": 2, "b": 1, "c": 1}


def test_postprocessing_and_custom_dtype():
    f = data.Field(use_vocab=False, dtype=ember.float32, pad_token="0",
                   postprocessing=lambda arr, _: [[float(x) * 2 for x in ex] for ex in arr],
                   batch_first=True)
    out = f.process([["1", "2"], ["3"]])
    assert out.dtype == ember.float32 and out.tolist() == [[2.0, 4.0], [6.0, 0.0]]
    with pytest.raises(ValueError, match="can not be used with use_vocab=False"):
        data.Field(use_vocab=False, dtype=ember.bool).process([["1"]])
