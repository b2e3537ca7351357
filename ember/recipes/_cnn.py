"""Shared pieces of the chapter 6 recipes: the book's two CNNs, a per-epoch train/evaluate loop
in the book's style (Adam, explicit zero_grad/backward/step, evaluation under ``no_grad``),
and the artefact writers (history.csv, learning curves, TensorBoard scalars)."""
import csv
import os

import numpy as np

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


class DigitCNN(nn.Module):
    """Listing 6-4's network: two conv units (Conv2d 3x3 padding 1, BatchNorm2d, ReLU,
    MaxPool 2) with 16 and 32 channels, then fc1 (7*7*32 -> 128) and fc2 (128 -> classes) with
    no activation between them, and log_softmax over the classes."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv_unit_1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.conv_unit_2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc1 = nn.Linear(7 * 7 * 32, 128)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        out = self.conv_unit_2(self.conv_unit_1(x))
        out = out.view(out.size(0), -1)
        return F.log_softmax(self.fc2(self.fc1(out)), dim=1)


class CatsDogsCNN(nn.Module):
    """Listing 6-12's network: four units of Conv2d 3x3 padding 1, ReLU, MaxPool 2 with channels
    3-16-32-64-128, then fc1 (128 * (size/16)^2 -> 128; 25088 at 224x224), fc2 (128 -> 1) and a
    final Sigmoid."""

    def __init__(self, image_size=224):
        super().__init__()
        if image_size % 16:
            raise ValueError(f"the image size must be a multiple of 16, got {image_size}")
        chans = (3, 16, 32, 64, 128)
        for i in range(4):
            setattr(self, f"conv_unit_{i + 1}", nn.Sequential(
                nn.Conv2d(chans[i], chans[i + 1], kernel_size=3, stride=1, padding=1),
                nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2)))
        side = image_size // 16
        self.fc1 = nn.Linear(128 * side * side, 128)
        self.fc2 = nn.Linear(128, 1)
        self.final = nn.Sigmoid()

    def forward(self, x):
        out = self.conv_unit_4(self.conv_unit_3(self.conv_unit_2(self.conv_unit_1(x))))
        out = out.view(out.size(0), -1)
        return self.final(self.fc2(self.fc1(out)))


def digits_to_tensors(images, labels):
    """uint8 pixels (N, 784) or (N, 28, 28) and int labels -> float32 (N, 1, 28, 28) in [0, 1]
    and int64 (N,), as Listing 6-3 scales them."""
    x = torch.tensor(np.asarray(images, dtype=np.float32)).view(-1, 1, 28, 28) / 255.0
    y = torch.tensor(np.asarray(labels, dtype=np.int64))
    return x, y


def train_epoch(model, loader, criterion, optimizer, binary=False):
    """One pass over ``loader``; returns the mean training loss."""
    model.train()
    total, n = 0.0, 0
    for images, labels in loader:
        out = model(images)
        target = labels.float().view(-1, 1) if binary else labels
        loss = criterion(out, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        n += len(labels)
    return total / max(n, 1)


def evaluate(model, loader, binary=False):
    """``(mean loss, accuracy, true labels, predicted labels)`` over ``loader`` in eval mode."""
    model.eval()
    total, correct, n = 0.0, 0, 0
    ys, ps = [], []
    with torch.no_grad():
        for images, labels in loader:
            out = model(images)
            if binary:
                total += F.binary_cross_entropy(out, labels.float().view(-1, 1),
                                                reduction="sum").item()
                pred = (out > 0.5).long().view(-1)
            else:
                total += F.nll_loss(out, labels, reduction="sum").item()
                pred = out.max(1, keepdim=True)[1].view(-1)
            correct += int((pred == labels).sum().item())
            n += len(labels)
            ys.append(labels.numpy())
            ps.append(pred.numpy())
    cat = (lambda a: np.concatenate(a) if a else np.zeros(0, np.int64))
    return total / max(n, 1), correct / max(n, 1), cat(ys), cat(ps)


def train_keeping_best(model, train_loader, val_loader, criterion, optimizer, epochs, rec,
                       ckpt, n_val, binary=False, val_label="Val Loss"):
    """Train for ``epochs``, printing the book's two lines per epoch, logging each epoch to
    ``rec`` and saving the best-validation-accuracy weights to ``ckpt``; returns
    ``(best accuracy, best epoch)``."""
    best = (-1.0, 0)
    for epoch in range(1, epochs + 1):
        train_loss = train_epoch(model, train_loader, criterion, optimizer, binary=binary)
        val_loss, val_acc, _, _ = evaluate(model, val_loader, binary=binary)
        print(f"Epoch [{epoch}/{epochs}], Loss: {train_loss:.4f}")
        print(f"{val_label}: {val_loss:.4f}, Val Accuracy: {round(val_acc * n_val)}/{n_val} "
              f"({100 * val_acc:.3f}%)")
        rec.log({"epoch": epoch, "loss": train_loss, "val_loss": val_loss,
                 "val_accuracy": val_acc})
        if val_acc > best[0]:
            best = (val_acc, epoch)
            torch.save(model.state_dict(), ckpt)
    return best


class Recorder:
    """Per-epoch rows -> history.csv, TensorBoard scalars (when the writer works) and the
    learning-curve plot (when matplotlib is installed)."""

    def __init__(self, out, tensorboard=True):
        self.out = out
        self.rows = []
        self.writer = None
        if tensorboard:
            from . import open_writer
            self.writer = open_writer(out)

    def log(self, row, prefix=""):
        self.rows.append(dict(row))
        if self.writer is not None:
            for k, v in row.items():
                if k != "epoch" and isinstance(v, (int, float)):
                    self.writer.add_scalar(f"{prefix}{k}", v, len(self.rows))

    def close(self, filename="history.csv", plot="learning_curves.png"):
        if self.writer is not None:
            self.writer.close()
        path = os.path.join(self.out, filename)
        keys = []
        for r in self.rows:
            keys += [k for k in r if k not in keys]
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=keys)
            w.writeheader()
            w.writerows(self.rows)
        written = {"history": path}
        if plot:
            try:
                from ember.train.plots import plot_history
                hist = {k: [r.get(k) for r in self.rows] for k in keys
                        if k not in ("epoch", "phase")}
                written["learning_curves"] = plot_history(hist, os.path.join(self.out, plot))
            except ImportError:
                pass
        return written


def save_grid(images, titles, path, cols=5):
    """A grid of grey or RGB images (arrays (H, W) or (H, W, 3)) with titles; None without
    matplotlib."""
    try:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        return None
    rows = (len(images) + cols - 1) // cols
    fig = Figure(figsize=(2 * cols, 2.2 * rows), dpi=80)
    FigureCanvasAgg(fig)
    for i, (img, title) in enumerate(zip(images, titles)):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(img, cmap="gray" if np.ndim(img) == 2 else None)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, format="png")
    return path


IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def image_folder_loaders(root, image_size, batch_size, seed=0, val_fraction=0.2, classes=2,
                         flag="--data"):
    """Listing 6-11's pipeline on an ImageFolder tree: ``root/train/<class>/...`` and
    ``root/test/<class>/...`` (the book's layout; ``val/`` or ``valid/`` also accepted), or a
    plain ``root/<class>/...`` tree split ``val_fraction`` for validation. Transforms: Resize
    (255/224 of the crop), CenterCrop(image_size), ToTensor, Normalize with ImageNet's
    statistics. Returns ``(train_loader, val_loader, class_names, n_train, n_val)``; a user
    mistake raises ``RecipeError`` with one line."""
    from ember.utils.data import DataLoader, Subset
    from ember.vision import transforms
    from ember.vision.datasets import ImageFolder

    from . import RecipeError
    if not os.path.isdir(root):
        raise RecipeError(f"{flag} {root}: no such folder (expected an ImageFolder tree: "
                          f"{root}/train/<class>/*.jpg and {root}/test/<class>/*.jpg)")
    tf = transforms.Compose([
        transforms.Resize(max(image_size, round(image_size * 255 / 224))),
        transforms.CenterCrop(image_size), transforms.ToTensor(),
        transforms.Normalize(mean=list(IMAGENET_MEAN), std=list(IMAGENET_STD))])

    def folder(path):
        try:
            ds = ImageFolder(path, transform=tf)
        except FileNotFoundError as e:
            raise RecipeError(f"{flag} {path}: {' '.join(str(e).split())}")
        except ImportError as e:
            raise RecipeError(f"reading images needs Pillow: pip install 'ember[vision]' ({e})")
        if classes is not None and len(ds.classes) != classes:
            raise RecipeError(f"{flag} {path}: expected {classes} class folders, found "
                              f"{len(ds.classes)} ({', '.join(ds.classes)})")
        if len(ds) == 0:
            raise RecipeError(f"{flag} {path}: no image files in the class folders")
        return ds

    train_dir = os.path.join(root, "train")
    val_dir = next((os.path.join(root, d) for d in ("test", "val", "valid")
                    if os.path.isdir(os.path.join(root, d))), None)
    if os.path.isdir(train_dir) and val_dir is not None:
        train_ds, val_ds = folder(train_dir), folder(val_dir)
        if train_ds.classes != val_ds.classes:
            raise RecipeError(f"{flag} {root}: train and validation class folders differ "
                              f"({train_ds.classes} vs {val_ds.classes})")
        names = train_ds.classes
    else:
        full = folder(root)
        names = full.classes
        n = len(full)
        if n < 2:
            raise RecipeError(f"{flag} {root}: need at least 2 images to split, found {n}")
        order = np.random.RandomState(seed).permutation(n).tolist()
        n_val = min(n - 1, max(1, int(round(n * val_fraction))))
        train_ds, val_ds = Subset(full, order[n_val:]), Subset(full, order[:n_val])
    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True)
    val_loader = DataLoader(val_ds, batch_size=batch_size)
    return train_loader, val_loader, list(names), len(train_ds), len(val_ds)


def denormalize(img):
    """A normalised (3, H, W) image tensor back to an (H, W, 3) array in [0, 1] for plotting."""
    a = np.asarray(img.numpy(), dtype=np.float32).transpose(1, 2, 0)
    return np.clip(a * np.array(IMAGENET_STD, np.float32) + np.array(IMAGENET_MEAN, np.float32),
                   0, 1)
