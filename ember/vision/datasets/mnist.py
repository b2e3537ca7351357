"""MNIST and Fashion-MNIST from the IDX files (``train-images-idx3-ubyte`` ..., raw or
``.gz``) under ``root/<ClassName>/raw``, as torchvision lays them out; ``download=True`` fetches
the gzipped files from the canonical mirrors and checks their MD5 sums."""
import gzip
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.error
import urllib.request

import numpy as np

from ...tensor import _new_tensor
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_sn3_pascalvincent_tensor", "read_image_file",
           "read_label_file"]

# IDX type byte -> big-endian NumPy dtype
_IDX_TYPES = {8: np.dtype(np.uint8), 9: np.dtype(np.int8), 11: np.dtype(">i2"),
              12: np.dtype(">i4"), 13: np.dtype(">f4"), 14: np.dtype(">f8")}


def _open(path):
    return gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (optionally gzipped) into a NumPy array of native byte order."""
    with _open(path) as f:
        try:
            data = f.read()
        except (OSError, EOFError) as e:
            raise RuntimeError(f"cannot read IDX file {str(path)!r}: {e}") from e
    if len(data) < 4:
        raise RuntimeError(f"{str(path)!r} is not an IDX file (only {len(data)} bytes)")
    magic = int.from_bytes(data[0:4], "big")
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in _IDX_TYPES):
        raise RuntimeError(f"{str(path)!r} is not an IDX file (magic number {magic:#010x})")
    if len(data) < 4 * (nd + 1):
        raise RuntimeError(f"{str(path)!r} is truncated (header of {nd} dimensions)")
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], "big") for i in range(nd)]
    dt = _IDX_TYPES[ty]
    count = int(np.prod(shape))
    need = 4 * (nd + 1) + count * dt.itemsize
    if len(data) < need or (strict and len(data) != need):
        raise RuntimeError(f"{str(path)!r}: IDX header says shape {tuple(shape)} "
                           f"({need} bytes) but the file has {len(data)} bytes")
    arr = np.frombuffer(data, dtype=dt, count=count, offset=4 * (nd + 1))
    return arr.astype(dt.newbyteorder("="), copy=True).reshape(shape)


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype} ({path})")
    if x.ndim != 1:
        raise ValueError(f"x should have 1 dimension instead of {x.ndim} ({path})")
    return x.astype(np.int64)


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f"x should be of dtype torch.uint8 instead of {x.dtype} ({path})")
    if x.ndim != 3:
        raise ValueError(f"x should have 3 dimension instead of {x.ndim} ({path})")
    return x


def _md5(path, chunk=1 << 20):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def _download(url, folder, filename, md5):
    """Fetch ``url`` to ``folder/filename`` (atomically), check its MD5, gunzip it beside."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    if not (os.path.isfile(path) and (md5 is None or _md5(path) == md5)):
        print(f"Downloading {url}")
        req = urllib.request.Request(url, headers={"User-Agent": "ember"})
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".download-")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(req, timeout=60) as resp:
                shutil.copyfileobj(resp, out)
            if md5 is not None and _md5(tmp) != md5:
                raise RuntimeError(f"File not found or corrupted: {url} (MD5 mismatch)")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    if filename.endswith(".gz"):
        print(f"Extracting {path} to {folder}")
        with gzip.open(path, "rb") as src, open(path[:-3], "wb") as dst:
            shutil.copyfileobj(src, dst)


class MNIST(VisionDataset):
    """The MNIST digits: ``data`` uint8 ``(N, 28, 28)``, ``targets`` int64 ``(N,)``; items are
    ``(PIL image in mode 'L', int label)`` before ``transform`` / ``target_transform``.

    Files are read from ``root/MNIST/raw`` (``train-images-idx3-ubyte`` etc., raw or ``.gz``)."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/",
               "http://yann.lecun.com/exdb/mnist/"]
    resources = [("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
                 ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
                 ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
                 ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c")]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it "
                               f"(looked for the IDX files in {self.raw_folder})")
        data, targets = self._load_data()
        self._data_np, self._targets_np = data, targets
        self.data = _new_tensor(data)
        self.targets = _new_tensor(targets)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _find(self, name):
        """The path of IDX file ``name`` in raw_folder, uncompressed or ``.gz``; None if absent."""
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self):
        return all(self._find(os.path.splitext(os.path.basename(url))[0]) is not None
                   for url, _ in self.resources)

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        image_path = self._find(f"{prefix}-images-idx3-ubyte")
        label_path = self._find(f"{prefix}-labels-idx1-ubyte")
        data = read_image_file(image_path)
        targets = read_label_file(label_path)
        if len(data) != len(targets):
            raise RuntimeError(f"{image_path} has {len(data)} images but {label_path} has "
                               f"{len(targets)} labels")
        return data, targets

    def download(self):
        """Fetch the four gzipped IDX files into ``raw_folder`` unless they are there."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    _download(url, self.raw_folder, filename, md5)
                except (urllib.error.URLError, OSError, RuntimeError) as error:
                    print(f"Failed to download (trying next):\n{error}", file=sys.stderr)
                    errors.append(f"{url}: {error}")
                    continue
                break
            else:
                raise RuntimeError(f"Error downloading {filename}:\n" + "\n".join(errors))

    def __getitem__(self, index):
        from ..transforms.functional import _pil
        img, target = self._data_np[index], int(self._targets_np[index])
        img = _pil().fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self._data_np)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: the MNIST layout with ten clothing classes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                 ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
                 ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
                 ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310")]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
