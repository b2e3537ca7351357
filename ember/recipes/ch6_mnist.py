"""Chapter 6: a CNN with batch normalisation on MNIST digits (Listing 6-4's network).

The 5,000 digits that ship with the install are sorted by label, so they are shuffled before
the 4,000/1,000 split. Adam(1e-3), batch 64, 5 epochs; after each epoch the recipe prints the
epoch's mean training loss (the book prints its last batch's) and the book's validation line
(average loss, correct/total, accuracy), keeps the best checkpoint, and at the end prints and
plots the confusion matrix and a few validation images with their predictions. ``--data`` takes a Kaggle ``train.csv`` (label then
784 pixels) or a folder with the IDX files (``train-images-idx3-ubyte[.gz]`` and
``train-labels-idx1-ubyte[.gz]``, directly or under ``MNIST/raw``)."""
import os

NAME = "ch6-mnist"
DESCRIPTION = "Listing 6-4's CNN with batch norm on MNIST digits: val accuracy, confusion matrix"
DEFAULT_DATA = "5,000 embedded MNIST digits (4,000/1,000 split); --data train.csv or IDX folder"

_IDX = (("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))


def add_arguments(parser):
    parser.set_defaults(epochs=5, batch_size=64, lr=1e-3)
    parser.add_argument("--data", default=None, metavar="PATH",
                        help="a Kaggle digit-recognizer train.csv or a folder of MNIST IDX files")
    parser.add_argument("--val-size", type=int, default=1000,
                        help="validation images (default 1000)")
    parser.add_argument("--train-size", type=int, default=4000,
                        help="training images (default 4000; 0 = all the rest)")


def _find_idx(folder):
    for sub in ("", os.path.join("MNIST", "raw"), "raw"):
        d = os.path.join(folder, sub)
        for images, labels in _IDX:
            for ext in ("", ".gz"):
                pi, pl = os.path.join(d, images + ext), os.path.join(d, labels + ext)
                if os.path.isfile(pi) and os.path.isfile(pl):
                    return pi, pl
    return None


def load_data(path):
    """``(images uint8 (N, 784), labels int64 (N,), description)`` from the embedded digits
    (``path`` None), a digit CSV or an IDX folder."""
    import numpy as np

    from . import RecipeError
    if path is None:
        from ember.datasets import load_mnist
        images, labels = load_mnist()
        return images, labels, "embedded MNIST digits"
    if os.path.isdir(path):
        found = _find_idx(path)
        if found is None:
            raise RecipeError(f"--data {path}: no MNIST IDX files (train-images-idx3-ubyte and "
                              "train-labels-idx1-ubyte, optionally .gz) in that folder")
        from ember.vision.datasets.mnist import read_image_file, read_label_file
        try:
            images = np.asarray(read_image_file(found[0]), dtype=np.uint8)
            labels = np.asarray(read_label_file(found[1]), dtype=np.int64)
        except Exception as e:
            raise RecipeError(f"--data {path}: cannot read the IDX files: "
                              f"{' '.join(str(e).split())}")
        if images.shape[1:] != (28, 28) or len(images) != len(labels):
            raise RecipeError(f"--data {path}: expected 28x28 images with one label each, got "
                              f"images {images.shape} and {len(labels)} labels")
        return images.reshape(len(images), -1), labels, f"IDX files {found[0]}"
    if not os.path.isfile(path):
        raise RecipeError(f"--data {path}: no such file or folder")
    from ember.vision.datasets.csv import read_digit_csv
    try:
        images, labels = read_digit_csv(path)
    except (ValueError, UnicodeDecodeError) as e:
        raise RecipeError(f"--data: {' '.join(str(e).split())}")
    if labels is None:
        raise RecipeError(f"--data {path}: the CSV has no 'label' column (that is the Kaggle "
                          "test.csv; pass train.csv)")
    return images.reshape(len(images), -1), labels, f"digit CSV {path}"


def split(images, labels, val_size, train_size, seed):
    """Shuffle (the shipped digits are sorted by label) and split into train/validation."""
    import numpy as np

    from . import RecipeError
    n = len(labels)
    if val_size < 1 or val_size >= n:
        raise RecipeError(f"--val-size must be between 1 and {n - 1} for {n} images, "
                          f"got {val_size}")
    order = np.random.RandomState(seed).permutation(n)
    val, rest = order[:val_size], order[val_size:]
    if train_size:
        rest = rest[:train_size]
    return images[rest], labels[rest], images[val], labels[val]


def run(args):
    import numpy as np

    import ember as torch
    import ember.nn as nn
    from ember.metrics import confusion_matrix
    from ember.utils.data import DataLoader, TensorDataset

    from . import write_metrics
    from ._cnn import (DigitCNN, Recorder, digits_to_tensors, evaluate, save_grid,
                       train_keeping_best)

    if args.quick:
        args.epochs = min(args.epochs, 2)
        args.train_size = min(args.train_size or 600, 600)
        args.val_size = min(args.val_size, 200)
    images, labels, source = load_data(args.data)
    xtr, ytr, xva, yva = split(images, labels, args.val_size, args.train_size, args.seed)
    print(f"data: {source}; {len(ytr)} training / {len(yva)} validation images")
    x_train, y_train = digits_to_tensors(xtr, ytr)
    x_val, y_val = digits_to_tensors(xva, yva)
    train_loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size,
                              shuffle=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=args.batch_size)

    model = DigitCNN(num_classes=10)
    print(model)
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    rec = Recorder(args.out)
    ckpt = os.path.join(args.out, "best_model.pt")
    best = train_keeping_best(model, train_loader, val_loader, criterion, optimizer,
                              args.epochs, rec, ckpt, len(yva), val_label="Average Val Loss")
    written = rec.close()

    model.load_state_dict(torch.load(ckpt))
    val_loss, val_acc, y_true, y_pred = evaluate(model, val_loader)
    cm = confusion_matrix(y_true, y_pred, labels=list(range(10)))
    print(f"best epoch {best[1]}: validation accuracy {val_acc:.4f}")
    print("confusion matrix (rows: true digit, columns: predicted digit):")
    print("     " + "".join(f"{j:>5}" for j in range(10)))
    for i in range(10):
        print(f"{i:>5}" + "".join(f"{v:>5}" for v in cm[i]))
    plots = dict(written)
    try:
        from ember.train.plots import plot_confusion_matrix
        plots["confusion_matrix"] = plot_confusion_matrix(
            cm=cm, path=os.path.join(args.out, "confusion_matrix.png"),
            display_labels=list(range(10)))
    except ImportError:
        print("(matplotlib not installed: no plots; pip install 'ember[plots]')")
    k = min(10, len(yva))
    grid = save_grid([xva[i].reshape(28, 28) for i in range(k)],
                     [f"true {yva[i]} / pred {y_pred[i]}" for i in range(k)],
                     os.path.join(args.out, "samples.png"))
    if grid:
        plots["samples"] = grid

    metrics = {
        "recipe": NAME, "data": source, "train_size": int(len(ytr)), "val_size": int(len(yva)),
        "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "history": rec.rows, "best_epoch": best[1], "val_accuracy": val_acc,
        "val_loss": val_loss, "final_val_accuracy": rec.rows[-1]["val_accuracy"],
        "confusion_matrix": np.asarray(cm).tolist(), "checkpoint": ckpt, "artefacts": plots,
    }
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
