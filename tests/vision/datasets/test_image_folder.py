"""ImageFolder / DatasetFolder on generated folder trees."""
import os

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader
from ember.vision import transforms as T
from ember.vision.datasets import DatasetFolder, ImageFolder, IMG_EXTENSIONS

Image = pytest.importorskip("PIL.Image")


def _save(path, seed, size=(6, 5), fmt=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    a = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    Image.fromarray(a).save(path, format=fmt)
    return a


@pytest.fixture
def tree(tmp_path):
    """root/{dog,cat,bird}: cat 2 png + a .txt, dog 1 png + 1 bmp in a sub-folder,
    bird 1 jpg; an empty 'zzz' file (not a folder) at the root."""
    root = tmp_path / "train"
    arrays = {}
    arrays["cat/1.png"] = _save(str(root / "cat" / "1.png"), 1)
    arrays["cat/0.PNG"] = _save(str(root / "cat" / "0.PNG"), 2, fmt="PNG")
    (root / "cat" / "notes.txt").write_text("not an image")
    arrays["dog/a.png"] = _save(str(root / "dog" / "a.png"), 3)
    arrays["dog/sub/b.bmp"] = _save(str(root / "dog" / "sub" / "b.bmp"), 4)
    _save(str(root / "bird" / "x.jpg"), 5)
    (root / "zzz").write_text("")
    return root, arrays


def test_classes_samples_targets(tree):
    root, arrays = tree
    ds = ImageFolder(str(root))
    assert ds.classes == ["bird", "cat", "dog"]
    assert ds.class_to_idx == {"bird": 0, "cat": 1, "dog": 2}
    rel = [(os.path.relpath(p, root).replace(os.sep, "/"), t) for p, t in ds.samples]
    assert rel == [("bird/x.jpg", 0), ("cat/0.PNG", 1), ("cat/1.png", 1),
                   ("dog/a.png", 2), ("dog/sub/b.bmp", 2)]
    assert ds.targets == [0, 1, 1, 2, 2] and ds.imgs == ds.samples and len(ds) == 5
    img, target = ds[2]
    assert img.mode == "RGB" and target == 1
    np.testing.assert_array_equal(np.asarray(img), arrays["cat/1.png"])
    assert ds.extensions == IMG_EXTENSIONS


def test_transforms_and_dataloader(tree):
    root, arrays = tree
    ds = ImageFolder(str(root), transform=T.Compose([T.Resize((4, 4)), T.ToTensor()]),
                     target_transform=lambda t: t * 10)
    x, y = ds[4]
    assert tuple(x.shape) == (3, 4, 4) and x.dtype == ember.float32 and y == 20
    batches = list(DataLoader(ds, batch_size=2, shuffle=False))
    assert [tuple(b[0].shape) for b in batches] == [(2, 3, 4, 4), (2, 3, 4, 4), (1, 3, 4, 4)]
    assert batches[0][1].tolist() == [0, 10]
    text = repr(ds)
    assert text.startswith("Dataset ImageFolder\n    Number of datapoints: 5\n    Root location: ")
    assert "StandardTransform\nTransform: Compose(" in text
    assert "Target transform: " in text


def test_corrupt_file_names_the_file(tree):
    root, _ = tree
    bad = root / "cat" / "2.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage, not a real png")
    ds = ImageFolder(str(root))
    idx = [p for p, _ in ds.samples].index(str(bad))
    with pytest.raises(OSError, match=r"2\.png"):
        ds[idx]
    trunc = root / "dog" / "t.png"
    data = (root / "dog" / "a.png").read_bytes()
    trunc.write_bytes(data[: len(data) // 2])
    ds = ImageFolder(str(root))
    idx = [p for p, _ in ds.samples].index(str(trunc))
    with pytest.raises(OSError, match=r"t\.png"):
        ds[idx]


def test_empty_class_and_no_class_errors(tmp_path, tree):
    root, _ = tree
    (root / "empty").mkdir()
    with pytest.raises(FileNotFoundError,
                       match=r"Found no valid file for the classes empty\. Supported extensions "
                             r"are: \.jpg, \.jpeg"):
        ImageFolder(str(root))
    assert "empty" in ImageFolder(str(root), allow_empty=True).classes
    (tmp_path / "flat").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        ImageFolder(str(tmp_path / "flat"))


def test_is_valid_file_loader_and_extensions(tree):
    root, _ = tree
    ds = ImageFolder(str(root), is_valid_file=lambda p: p.endswith(".png") or p.endswith(".jpg"))
    assert [os.path.basename(p) for p, _ in ds.samples] == ["x.jpg", "1.png", "a.png"]
    txt = DatasetFolder(str(root), loader=lambda p: open(p).read(), extensions=(".txt",),
                        allow_empty=True)
    assert txt.samples == [(str(root / "cat" / "notes.txt"), 1)] and txt[0] == ("not an image", 1)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        DatasetFolder(str(root), loader=open)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        DatasetFolder(str(root), loader=open, extensions=".txt", is_valid_file=bool)


def test_find_classes_override(tree):
    root, _ = tree

    class OnlyDogs(ImageFolder):
        def find_classes(self, directory):
            return ["dog"], {"dog": 0}
    ds = OnlyDogs(str(root))
    assert ds.classes == ["dog"] and ds.targets == [0, 0]
