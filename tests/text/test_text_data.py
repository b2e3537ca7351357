"""TabularDataset, Dataset.split, Iterator / BucketIterator and Batch."""
import json
import random

import numpy as np
import pytest

import ember
from ember.text import data


def _csv(tmp_path, n=50, seed=0, name="d.csv", sep=","):
    rng = np.random.default_rng(seed)
    words = ["alpha", "beta", "gamma", "delta", "eps"]
    rows = []
    for i in range(n):
        k = int(rng.integers(1, 12))
        text = " ".join(words[int(j)] for j in rng.integers(0, 5, k))
        rows.append((f'"{text}, ok"' if sep == "," and i % 7 == 0 else text, str(i % 2)))
    p = tmp_path / name
    p.write_text(f"text{sep}label\n" + "".join(f"{t}{sep}{lab}\n" for t, lab in rows))
    return p


def _fields(**kw):
    TEXT = data.Field(tokenize="basic_english", **kw)
    LABEL = data.Field(sequential=False, use_vocab=False)
    return TEXT, LABEL


def test_tabular_csv_tsv_json_and_dict_fields(tmp_path):
    TEXT, LABEL = _fields()
    p = _csv(tmp_path)
    ds = data.TabularDataset(str(p), format="csv", fields=[("text", TEXT), ("label", LABEL)],
                             skip_header=True)
    assert len(ds) == 50 and ds.fields == {"text": TEXT, "label": LABEL}
    assert ds[0].text[-2:] == [",", "ok"] and ds[0].label == "0"      # quoted field kept whole
    assert list(ds.label)[:3] == ["0", "1", "0"]
    tsv = data.TabularDataset(str(_csv(tmp_path, name="d.tsv", sep="\t")), format="tsv",
                              fields=[("text", TEXT), ("label", LABEL)], skip_header=True)
    assert len(tsv) == 50
    by_name = data.TabularDataset(str(p), format="csv",
                                  fields={"label": ("y", LABEL), "text": ("x", TEXT)})
    assert vars(by_name[1]) == {"y": "1", "x": ds[1].text}
    skip = data.TabularDataset(str(p), format="csv", fields=[("text", None), ("label", LABEL)],
                               skip_header=True)
    assert vars(skip[0]) == {"label": "0"} and list(skip.fields) == ["text", "label"]
    j = tmp_path / "d.json"
    j.write_text("\n".join(json.dumps({"review": {"body": f"Row {i}!"}, "y": i % 2})
                           for i in range(5)) + "\n")
    js = data.TabularDataset(str(j), format="json",
                             fields={"review.body": ("text", TEXT), "y": ("label", LABEL)})
    assert js[3].text == ["row", "3", "!"] and js[3].label == 1
    with pytest.raises(ValueError, match="skip_header must be False"):
        data.TabularDataset(str(p), format="csv", fields={"text": ("t", TEXT)}, skip_header=True)
    with pytest.raises(ValueError, match="was not found"):
        data.TabularDataset(str(j), format="json", fields={"nope": ("t", TEXT)})


def test_splits_classmethod(tmp_path):
    TEXT, LABEL = _fields()
    _csv(tmp_path, name="Train.csv")
    _csv(tmp_path, n=20, name="Valid.csv")
    train, valid = data.TabularDataset.splits(path=str(tmp_path), train="Train.csv",
                                              validation="Valid.csv", format="csv",
                                              skip_header=True,
                                              fields=[("text", TEXT), ("label", LABEL)])
    assert (len(train), len(valid)) == (50, 20)


def test_dataset_split(tmp_path):
    TEXT, LABEL = _fields()
    ds = data.TabularDataset(str(_csv(tmp_path, n=101)), format="csv", skip_header=True,
                             fields=[("text", TEXT), ("label", LABEL)])
    tr, te = ds.split(0.7, random_state=5)
    assert (len(tr), len(te)) == (71, 30)
    assert {id(e) for e in tr} | {id(e) for e in te} == {id(e) for e in ds}
    tr2, _ = ds.split(0.7, random_state=5)
    assert [id(e) for e in tr] == [id(e) for e in tr2]
    a, b, c = ds.split([0.6, 0.2, 0.2], random_state=1)     # train, valid, test
    assert (len(a), len(b), len(c)) == (61, 20, 20)
    ember.manual_seed(3)
    s1 = [id(e) for e in ds.split()[0]]
    ember.manual_seed(3)
    assert [id(e) for e in ds.split()[0]] == s1
    st_tr, st_te = ds.split(0.5, stratified=True, strata_field="label", random_state=0)
    assert sum(e.label == "0" for e in st_tr) == round(51 * 0.5)
    random.seed(1)
    py = ds.split(0.5, random_state=random.getstate())[0]
    random.seed(1)
    assert [id(e) for e in ds.split(0.5, random_state=random.getstate())[0]] == [id(e) for e in py]
    with pytest.raises(AssertionError, match="not between 0 and 1"):
        ds.split(1.5)


def _dataset(tmp_path, n=230, **kw):
    TEXT, LABEL = _fields(**kw)
    ds = data.TabularDataset(str(_csv(tmp_path, n=n)), format="csv", skip_header=True,
                             fields=[("text", TEXT), ("label", LABEL)])
    TEXT.build_vocab(ds)
    return ds, TEXT


def test_iterator_batches_cover_dataset_once(tmp_path):
    ds, TEXT = _dataset(tmp_path)
    it = data.Iterator(ds, batch_size=32, train=False, sort=False, shuffle=False)
    batches = list(it)
    assert len(batches) == len(it) == 8 and [len(b) for b in batches][-1] == 230 - 7 * 32
    b = batches[0]
    assert b.text.dtype == ember.int64 and b.text.shape[1] == 32 and b.label.shape == (32,)
    longest = max(len(ds[i].text) for i in range(32))
    assert b.text.shape[0] == longest
    np.testing.assert_array_equal(b.text.numpy()[:, 1][:len(ds[1].text)],
                                  TEXT.vocab.lookup_indices(ds[1].text))
    assert b.label.tolist() == [int(ds[i].label) for i in range(32)]
    assert "[Batch of size 32]" in str(b) and "[.text]:" in str(b)
    x, y = b                 # (input fields, target fields); these label fields are inputs
    assert x[0] is b.text and x[1] is b.label and y is None


def test_bucket_iterator_shuffle_reproducible_and_epochs(tmp_path):
    ds, _ = _dataset(tmp_path)

    def labels_of(seed):
        ember.manual_seed(seed)
        it = data.BucketIterator(ds, batch_size=16, sort_key=lambda x: len(x.text))
        return [b.label.tolist() for b in it], [b.label.tolist() for b in it]
    e1, e2 = labels_of(0)
    assert labels_of(0) == (e1, e2)                            # same seed, same order
    assert e1 != e2                                            # a new shuffle each epoch
    assert labels_of(1)[0] != e1
    assert sorted(sum(e1, [])) == sorted(int(e.label) for e in ds)


def test_sort_within_batch_gives_descending_lengths_that_pack(tmp_path):
    ds, TEXT = _dataset(tmp_path, include_lengths=True)
    pack = pytest.importorskip("ember.nn.utils.rnn").pack_padded_sequence
    ember.manual_seed(0)
    train_it, valid_it = data.BucketIterator.splits((ds, ds), batch_size=20,
                                                    sort_key=lambda x: len(x.text),
                                                    sort_within_batch=True)
    emb = ember.nn.Embedding(len(TEXT.vocab), 3)
    lstm = ember.nn.LSTM(3, 4)
    for it in (train_it, valid_it):
        seen = 0
        for b in it:
            text, lengths = b.text
            lens = lengths.tolist()
            assert lens == sorted(lens, reverse=True)
            assert text.shape == (max(lens), len(b))
            seen += len(b)
            packed = pack(emb(text), lengths)
            assert int(packed.batch_sizes.sum().item()) == sum(lens)
            out, (h, c) = lstm(packed)
            assert tuple(h.shape) == (1, len(b), 4)
        assert seen == len(ds)
    # evaluation iterator (train=False) sorts the whole set: batches are in length order
    lens = [b.text[1].tolist() for b in valid_it]
    assert [max(x) for x in lens] == sorted(max(x) for x in lens)


def test_bucketing_groups_similar_lengths(tmp_path):
    ds, _ = _dataset(tmp_path, n=600, include_lengths=True)
    ember.manual_seed(0)
    sorted_it = data.BucketIterator(ds, batch_size=10, sort_key=lambda x: len(x.text),
                                    sort_within_batch=True)
    plain = data.Iterator(ds, batch_size=10, train=False, sort=False, shuffle=True)

    def spread(it):
        return np.mean([np.ptp(b.text[1].numpy()) for b in it])
    assert spread(sorted_it) < 0.5 * spread(plain)


def test_repeat_and_device(tmp_path):
    ds, _ = _dataset(tmp_path, n=10)
    it = data.Iterator(ds, batch_size=4, train=True, repeat=True,
                       device=ember.device("cpu"))
    got = []
    for b in it:
        got.append(len(b))
        if len(got) == 7:
            break
    assert got == [4, 4, 2, 4, 4, 2, 4] and it.epoch == 2
    with pytest.raises(ValueError, match="has no sort_key"):
        list(data.Iterator(ds, batch_size=4, train=False))
