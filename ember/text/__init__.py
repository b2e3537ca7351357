"""Text pipelines in the style of torchtext's legacy API (the book's chapter 7):
``from ember.text import data`` gives ``data.Field``, ``data.LabelField``,
``data.TabularDataset``, ``data.BucketIterator``; ``ember.text.vocab`` has ``Vocab``,
``Vectors``, ``GloVe``, ``FastText``. See docs/text.md for the line-by-line mapping."""
from . import data, vocab, tokenizers, vectors  # noqa: F401
from .data import (Batch, BucketIterator, Dataset, Example, Field, Iterator,  # noqa: F401
                   LabelField, RawField, TabularDataset)
from .tokenizers import get_tokenizer  # noqa: F401
from .vocab import Vocab, build_vocab_from_iterator, Vectors, GloVe, FastText  # noqa: F401
