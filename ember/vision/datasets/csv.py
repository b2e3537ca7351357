"""MNIST as CSV, in the Kaggle digit-recognizer layout the book reads (chapter 6): a header
row, then one image per row — ``label,pixel0,...,pixel783`` for ``train.csv``, the 784 pixels
alone for ``test.csv``. Plain or gzipped."""
import gzip
import io

import numpy as np

from ...tensor import _new_tensor
from .vision import VisionDataset

__all__ = ["read_digit_csv", "MNISTCSV"]


def read_digit_csv(path, image_size=(28, 28)):
    """``(images, labels)`` from a digit-recognizer CSV: uint8 ``(N, H, W)`` and int64 ``(N,)``
    (``labels`` is None for a file without a ``label`` column)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8-sig")
    nl = text.find("\n")
    header = [h.strip().strip('"') for h in (text if nl < 0 else text[:nl]).split(",")]
    npix = int(np.prod(image_size))
    has_label = header[0].lower() == "label"
    if len(header) != npix + has_label:
        raise ValueError(f"{str(path)!r}: expected {npix} pixel columns"
                         f"{' after the label' if has_label else ''} (image size "
                         f"{tuple(image_size)}), found {len(header) - has_label}")
    body = "" if nl < 0 else text[nl + 1:]
    if body.strip():
        table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.int64, ndmin=2)
    else:
        table = np.zeros((0, len(header)), np.int64)
    if table.shape[1] != len(header):
        raise ValueError(f"{str(path)!r}: rows have {table.shape[1]} values, the header has "
                         f"{len(header)}")
    pixels = table[:, 1:] if has_label else table
    if pixels.size and (pixels.min() < 0 or pixels.max() > 255):
        raise ValueError(f"{str(path)!r}: pixel values must be grey levels 0-255")
    images = pixels.astype(np.uint8).reshape(-1, *image_size)
    labels = table[:, 0].copy() if has_label else None
    return images, labels


class MNISTCSV(VisionDataset):
    """A digit-recognizer CSV as a dataset: ``data`` uint8 ``(N, 28, 28)``, ``targets`` int64
    (None without labels). Items are ``(PIL image 'L', label)`` like ``MNIST`` — or a uint8
    ``(1, 28, 28)`` tensor with ``to_pil=False``; a file without labels yields images alone."""

    def __init__(self, path, transform=None, target_transform=None, to_pil=True,
                 image_size=(28, 28)):
        super().__init__(None, transform=transform, target_transform=target_transform)
        self.path = str(path)
        self.to_pil = to_pil
        images, labels = read_digit_csv(path, image_size)
        self._data_np, self._targets_np = images, labels
        self.data = _new_tensor(images)
        self.targets = None if labels is None else _new_tensor(labels)

    def __len__(self):
        return len(self._data_np)

    def __getitem__(self, index):
        arr = self._data_np[index]
        if self.to_pil:
            from ..transforms.functional import _pil
            img = _pil().fromarray(arr)
        else:
            img = _new_tensor(arr[None].copy())
        if self.transform is not None:
            img = self.transform(img)
        if self._targets_np is None:
            return img
        target = int(self._targets_np[index])
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self):
        return f"File: {self.path}"
