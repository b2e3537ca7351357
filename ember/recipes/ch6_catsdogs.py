"""Chapter 6: Listing 6-12's CNN for cats vs dogs on an ImageFolder tree.

Give the folder with ``--data``: the book's layout ``ROOT/train/{cat,dog}`` and
``ROOT/test/{cat,dog}`` (the test folder is the validation set), or a single
``ROOT/{cat,dog}`` tree that is split 80/20. Images go through Resize, CenterCrop(224),
ToTensor and Normalize; the network is four units of Conv2d 3x3 (padding 1), ReLU and
MaxPool 2 with 3-16-32-64-128 channels, fc1 (25088 -> 128 at 224x224), fc2 (128 -> 1) and a
Sigmoid, trained with BCELoss and Adam(1e-3). ``--image-size`` (a multiple of 16) trains
smaller images; fc1 is sized to match. No images ship with ember, so ``--data`` is required
(``--quick`` without it generates a tiny random folder, for tests only)."""
import os

NAME = "ch6-catsdogs"
DESCRIPTION = "Listing 6-12's CNN (4 conv units, sigmoid, BCE) on a cats-vs-dogs ImageFolder"
DEFAULT_DATA = "none: --data ROOT with ROOT/train/{cat,dog} and ROOT/test/{cat,dog} images"


def add_arguments(parser):
    parser.set_defaults(epochs=10, batch_size=32, lr=1e-3)
    parser.add_argument("--data", default=None, metavar="FOLDER",
                        help="ImageFolder root: FOLDER/train/<class>, FOLDER/test/<class>")
    parser.add_argument("--image-size", type=int, default=224,
                        help="centre-crop size, a multiple of 16 (default 224)")


def make_random_folder(root, per_class=12, size=40, seed=0):
    """A tiny ImageFolder tree of random RGB images in ``root/{train,test}/{cat,dog}``; the dog
    images are brighter so that a network can tell the classes apart. Returns ``root``."""
    import numpy as np
    from PIL import Image
    rng = np.random.RandomState(seed)
    for split, n in (("train", per_class), ("test", max(2, per_class // 2))):
        for label, (lo, hi) in (("cat", (0, 110)), ("dog", (145, 256))):
            d = os.path.join(root, split, label)
            os.makedirs(d, exist_ok=True)
            for i in range(n):
                px = rng.randint(lo, hi, size=(size, size, 3)).astype(np.uint8)
                Image.fromarray(px, "RGB").save(os.path.join(d, f"{label}.{i}.png"))
    return root


def _samples_of_each_class(loader, per_class):
    """Up to ``per_class`` validation images of each class, alternating, as ``(images,
    labels)``: an ImageFolder loader lists one class after the other, so its first batch may
    hold a single class."""
    import ember as torch
    picked = {0: [], 1: []}
    for images, labels in loader:
        for img, lab in zip(images, labels.tolist()):
            if len(picked[int(lab)]) < per_class:
                picked[int(lab)].append(img)
        if all(len(v) == per_class for v in picked.values()):
            break
    order = [(c, img) for pair in zip(picked[0], picked[1]) for c, img in enumerate(pair)]
    order += [(c, img) for c in (0, 1) for img in picked[c][min(map(len, picked.values())):]]
    return (torch.stack([img for _, img in order]),
            torch.tensor([c for c, _ in order], dtype=torch.int64))


def run(args):
    import ember as torch
    import ember.nn as nn

    from . import RecipeError, write_metrics
    from ._cnn import (CatsDogsCNN, Recorder, denormalize, evaluate, image_folder_loaders,
                       save_grid, train_keeping_best)

    if args.image_size < 16 or args.image_size % 16:
        raise RecipeError(f"--image-size must be a positive multiple of 16, got "
                          f"{args.image_size}")
    data = args.data
    if data is None:
        if not args.quick:
            raise RecipeError("ch6-catsdogs needs images: pass --data FOLDER with "
                              "FOLDER/train/{cat,dog} and FOLDER/test/{cat,dog} (e.g. Kaggle's "
                              "dogs-vs-cats, unpacked); no images ship with ember")
        data = make_random_folder(os.path.join(args.out, "random_images"), seed=args.seed)
        print(f"--quick without --data: generated random images in {data}")
    if args.quick:
        args.epochs = min(args.epochs, 3)
        args.image_size = min(args.image_size, 32)
        args.batch_size = min(args.batch_size, 8)
    train_loader, val_loader, classes, n_train, n_val = image_folder_loaders(
        data, args.image_size, args.batch_size, seed=args.seed)
    print(f"data: {data}; classes {classes}; {n_train} training / {n_val} validation images "
          f"at {args.image_size}x{args.image_size}")
    print(f"Total Batches: {len(train_loader)}")

    model = CatsDogsCNN(image_size=args.image_size)
    print(model)
    print(f"parameters: {sum(p.numel() for p in model.parameters()):,}")
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    rec = Recorder(args.out)
    ckpt = os.path.join(args.out, "best_model.pt")
    best = train_keeping_best(model, train_loader, val_loader, criterion, optimizer,
                              args.epochs, rec, ckpt, n_val, binary=True)
    artefacts = rec.close()

    model.load_state_dict(torch.load(ckpt))
    val_loss, val_acc, y_true, y_pred = evaluate(model, val_loader, binary=True)
    from ember.metrics import confusion_matrix
    cm = confusion_matrix(y_true, y_pred, labels=[0, 1])
    print(f"best epoch {best[1]}: validation accuracy {val_acc:.4f}")
    print(f"confusion matrix (rows true {classes}, columns predicted): {cm.tolist()}")
    try:
        from ember.train.plots import plot_confusion_matrix
        artefacts["confusion_matrix"] = plot_confusion_matrix(
            cm=cm, path=os.path.join(args.out, "confusion_matrix.png"), display_labels=classes)
    except ImportError:
        print("(matplotlib not installed: no plots; pip install 'ember[plots]')")
    images, labels = _samples_of_each_class(val_loader, per_class=4)
    k = len(labels)
    with torch.no_grad():
        model.eval()
        pred = (model(images) > 0.5).long().view(-1).tolist()
    grid = save_grid([denormalize(images[i]) for i in range(k)],
                     [f"{classes[int(labels[i])]} / pred {classes[pred[i]]}" for i in range(k)],
                     os.path.join(args.out, "samples.png"), cols=4)
    if grid:
        artefacts["samples"] = grid

    metrics = {
        "recipe": NAME, "data": data, "classes": classes, "image_size": args.image_size,
        "train_size": n_train, "val_size": n_val, "epochs": args.epochs,
        "batch_size": args.batch_size, "lr": args.lr,
        "parameters": sum(p.numel() for p in model.parameters()),
        "history": rec.rows, "best_epoch": best[1], "val_accuracy": val_acc,
        "val_loss": val_loss, "confusion_matrix": cm.tolist(), "checkpoint": ckpt,
        "artefacts": artefacts,
    }
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
