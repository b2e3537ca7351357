"""Chapter 6: transfer learning, without any download.

The default flow stays on the embedded MNIST digits: the ch. 6 CNN (Listing 6-4's network) is
pre-trained on digits 0-4; its two convolutional units are then frozen (``requires_grad_(False)``
and kept in eval mode so their batch-norm statistics stay those of the pre-training), the head
(fc1, fc2) is replaced by a new one for the five classes 5-9, and only the head is fine-tuned
on 50 images of digits 5-9 (10 of each). The same network trained from scratch on the same 50
images is the baseline; both are evaluated on held-out digits 5-9. The features learned on
0-4 (strokes, curves, junctions) carry over, so the transferred model generalises from 50
images far better. With a few hundred images (``--large-shots``, 300 by default) MNIST is easy
enough that training from scratch catches up and the benefit disappears; the recipe measures
that too.

``--data FOLDER --weights vgg16.pth`` runs the book's VGG16 flow instead (Listings 6-15..6-17):
torchvision's VGG16 weights loaded from the local file, all parameters frozen, the last
classifier layer replaced by Linear(4096, 256), ReLU, Dropout(0.4), Linear(256, 1), Sigmoid,
fine-tuned with BCELoss and Adam on a two-class ImageFolder tree (FOLDER/train/<class>,
FOLDER/test/<class>)."""
import os

NAME = "ch6-transfer"
DESCRIPTION = "transfer learning: frozen CNN from digits 0-4, new head on 50 digits 5-9 vs scratch"
DEFAULT_DATA = ("embedded MNIST digits (0-4 pre-training, 50 of 5-9 fine-tuning); "
                "--data FOLDER --weights vgg16.pth for VGG16")


def add_arguments(parser):
    parser.set_defaults(epochs=10, batch_size=64, lr=1e-3)
    parser.add_argument("--pretrain-epochs", type=int, default=2,
                        help="epochs of pre-training on digits 0-4 (default 2)")
    parser.add_argument("--shots", type=int, default=50,
                        help="fine-tuning images of digits 5-9 (default 50)")
    parser.add_argument("--large-shots", type=int, default=300,
                        help="a second, larger fine-tuning set showing the benefit fade "
                             "(default 300; 0 skips it)")
    parser.add_argument("--test-size", type=int, default=1500,
                        help="held-out digits 5-9 for evaluation (default 1500)")
    parser.add_argument("--data", default=None, metavar="FOLDER",
                        help="VGG16 flow: a two-class ImageFolder tree (needs --weights)")
    parser.add_argument("--weights", default=None, metavar="PTH",
                        help="VGG16 flow: torchvision's vgg16 state_dict file")
    parser.add_argument("--image-size", type=int, default=224,
                        help="VGG16 flow: centre-crop size (default 224)")


# ------------------------------------------------------------------------- MNIST flow

def _subset_per_class(labels, classes, n, rng, exclude=()):
    """``n`` indices spread evenly over ``classes`` (as even as ``n`` allows)."""
    import numpy as np
    excl = set(int(i) for i in exclude)
    out = []
    for j, c in enumerate(classes):
        k = n // len(classes) + (1 if j < n % len(classes) else 0)
        pool = [i for i in np.flatnonzero(labels == c) if int(i) not in excl]
        out += list(rng.choice(pool, size=k, replace=False))
    return np.array(rng.permutation(out), dtype=np.int64)


def _new_head(model, num_classes):
    import ember.nn as nn
    model.fc1 = nn.Linear(7 * 7 * 32, 128)
    model.fc2 = nn.Linear(128, num_classes)
    return model


def _freeze_convs(model):
    for unit in (model.conv_unit_1, model.conv_unit_2):
        unit.requires_grad_(False)


def _fit(model, x, y, args, frozen=False, epochs=None):
    """Book-style Adam loop over (x, y); frozen conv units stay in eval mode."""
    import ember as torch
    import ember.nn as nn
    from ember.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=args.batch_size, shuffle=True)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    for _ in range(args.epochs if epochs is None else epochs):
        model.train()
        if frozen:
            model.conv_unit_1.eval()
            model.conv_unit_2.eval()
        for images, labels in loader:
            loss = criterion(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return loss.item()


def _accuracy(model, x, y):
    from ember.utils.data import DataLoader, TensorDataset

    from ._cnn import evaluate
    return evaluate(model, DataLoader(TensorDataset(x, y), batch_size=256))[1]


def _compare(pretrained_state, x, y, x_test, y_test, args, tag):
    """Transferred (frozen convs, new head) vs from-scratch accuracy on the held-out set."""
    from ._cnn import DigitCNN
    model = DigitCNN(num_classes=5)
    model.load_state_dict(pretrained_state)
    _new_head(model, 5)
    _freeze_convs(model)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    _fit(model, x, y, args, frozen=True)
    transferred = _accuracy(model, x_test, y_test)
    scratch_model = DigitCNN(num_classes=5)
    _fit(scratch_model, x, y, args)
    scratch = _accuracy(scratch_model, x_test, y_test)
    print(f"{tag}: {len(y)} images of digits 5-9 -> transferred {transferred:.4f}, "
          f"from scratch {scratch:.4f} (benefit {transferred - scratch:+.4f})")
    return model, {"shots": int(len(y)), "transferred_accuracy": transferred,
                   "scratch_accuracy": scratch, "benefit": transferred - scratch,
                   "trainable_parameters": trainable}


def _run_mnist(args):
    import numpy as np

    import ember as torch
    import ember.nn as nn
    from ember.datasets import load_mnist
    from ember.utils.data import DataLoader, TensorDataset

    from . import RecipeError, write_metrics
    from ._cnn import DigitCNN, Recorder, digits_to_tensors, evaluate, save_grid, train_epoch

    if args.quick:
        args.pretrain_epochs = min(args.pretrain_epochs, 1)
        args.large_shots = 0
        args.test_size = min(args.test_size, 300)
    images, labels = load_mnist()
    rng = np.random.RandomState(args.seed)
    low = rng.permutation(np.flatnonzero(labels < 5))
    if args.quick:
        low = low[:800]
    high_classes = (5, 6, 7, 8, 9)
    n_high = int((labels >= 5).sum())
    if args.shots < 5 or args.large_shots < 0:
        raise RecipeError(f"--shots must be at least 5 (one per digit), got {args.shots}")
    if max(args.shots, args.large_shots) + args.test_size > n_high:
        raise RecipeError(f"--shots/--large-shots plus --test-size must not exceed the {n_high} "
                          f"images of digits 5-9")
    test_idx = _subset_per_class(labels, high_classes, args.test_size, rng)
    shot_idx = _subset_per_class(labels, high_classes, args.shots, rng, exclude=test_idx)
    x_low, y_low = digits_to_tensors(images[low], labels[low])
    x_test, y_test = digits_to_tensors(images[test_idx], labels[test_idx] - 5)
    x_few, y_few = digits_to_tensors(images[shot_idx], labels[shot_idx] - 5)

    # 1. pre-train on digits 0-4
    print(f"pre-training on {len(low)} images of digits 0-4 for {args.pretrain_epochs} epochs")
    base = DigitCNN(num_classes=5)
    rec = Recorder(args.out)
    loader = DataLoader(TensorDataset(x_low, y_low), batch_size=64, shuffle=True)
    opt = torch.optim.Adam(base.parameters(), lr=1e-3)
    crit = nn.CrossEntropyLoss()
    for epoch in range(1, args.pretrain_epochs + 1):
        loss = train_epoch(base, loader, crit, opt)
        acc = evaluate(base, DataLoader(TensorDataset(x_low, y_low), batch_size=256))[1]
        print(f"Pre-train epoch [{epoch}/{args.pretrain_epochs}], Loss: {loss:.4f}, "
              f"accuracy on digits 0-4: {acc:.4f}")
        rec.log({"epoch": epoch, "phase": "pretrain", "loss": loss, "accuracy": acc})
    pre_state = {k: v.clone() for k, v in base.state_dict().items()}
    torch.save(pre_state, os.path.join(args.out, "pretrained_0-4.pt"))

    # 2. frozen convs + new head on the few images, vs the same network from scratch
    print(f"fine-tuning the new head for {args.epochs} epochs (batch {args.batch_size}, "
          f"Adam lr {args.lr}); convolutional units frozen")
    model, few = _compare(pre_state, x_few, y_few, x_test, y_test, args, "few-shot")
    rec.log({"epoch": args.epochs, "phase": f"finetune-{few['shots']}",
             "transferred_accuracy": few["transferred_accuracy"],
             "scratch_accuracy": few["scratch_accuracy"]})
    ckpt = os.path.join(args.out, "best_model.pt")
    torch.save(model.state_dict(), ckpt)
    metrics = {"recipe": NAME, "flow": "mnist", "pretrain_images": int(len(low)),
               "pretrain_epochs": args.pretrain_epochs, "finetune_epochs": args.epochs,
               "batch_size": args.batch_size, "lr": args.lr, "test_size": int(len(y_test)),
               **few, "checkpoint": ckpt}

    # 3. with a few hundred images the benefit fades
    if args.large_shots:
        big_idx = _subset_per_class(labels, high_classes, args.large_shots, rng,
                                    exclude=test_idx)
        x_big, y_big = digits_to_tensors(images[big_idx], labels[big_idx] - 5)
        _, large = _compare(pre_state, x_big, y_big, x_test, y_test, args, "larger set")
        rec.log({"epoch": args.epochs, "phase": f"finetune-{large['shots']}",
                 "transferred_accuracy": large["transferred_accuracy"],
                 "scratch_accuracy": large["scratch_accuracy"]})
        metrics["large"] = large
        print(f"With {large['shots']} images training from scratch reaches "
              f"{large['scratch_accuracy']:.4f} against {large['transferred_accuracy']:.4f} "
              f"transferred: on MNIST a few hundred images are enough to learn the features "
              f"directly, so the benefit of transfer largely disappears; it matters when "
              f"labelled images are scarce.")
    metrics["artefacts"] = rec.close(plot=None)
    k = 10
    _, _, _, pred = evaluate(model, DataLoader(TensorDataset(x_test[:k], y_test[:k]),
                                               batch_size=k))
    grid = save_grid([images[i].reshape(28, 28) for i in test_idx[:k]],
                     [f"true {int(y_test[i]) + 5} / pred {int(pred[i]) + 5}" for i in range(k)],
                     os.path.join(args.out, "samples.png"))
    if grid:
        metrics["artefacts"]["samples"] = grid
    print("metrics:", write_metrics(args.out, metrics))
    return metrics


# ------------------------------------------------------------------------- VGG16 flow

def _vgg16(weights):
    """``ember.vision.models.vgg16(weights=path)``; a module attribute so tests can swap in a
    small VGG."""
    from ember.vision import models
    return models.vgg16(weights=weights)


def _run_vgg(args):
    import ember as torch
    import ember.nn as nn

    from . import RecipeError, write_metrics
    from ._cnn import Recorder, evaluate, image_folder_loaders, train_epoch

    if args.data is None or args.weights is None:
        raise RecipeError("the VGG16 flow needs both --data FOLDER (an ImageFolder tree) and "
                          "--weights vgg16.pth (torchvision's vgg16 state_dict, saved locally)")
    if not os.path.isfile(args.weights):
        raise RecipeError(f"--weights {args.weights}: no such file (ember never downloads "
                          f"weights: fetch torchvision's vgg16-397923af.pth elsewhere and "
                          f"pass its path)")
    if args.quick:
        args.epochs = min(args.epochs, 2)
        args.image_size = min(args.image_size, 32)
    train_loader, val_loader, classes, n_train, n_val = image_folder_loaders(
        args.data, args.image_size, args.batch_size, seed=args.seed)
    print(f"data: {args.data}; classes {classes}; {n_train} training / {n_val} validation")
    try:
        state = torch.load(args.weights, map_location="cpu")
    except Exception as e:
        raise RecipeError(f"--weights {args.weights}: cannot read it as a state_dict "
                          f"({' '.join(str(e).split())[:200]})")
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    if not isinstance(state, dict) or not {"features.0.weight", "classifier.6.weight"} <= set(
            state):
        raise RecipeError(f"--weights {args.weights}: not a vgg16 state_dict (no "
                          f"features.0.weight / classifier.6.weight entries)")
    del state
    try:
        model = _vgg16(args.weights)
    except (RuntimeError, KeyError, ValueError) as e:
        raise RecipeError(f"--weights {args.weights}: not a vgg16 state_dict "
                          f"({' '.join(str(e).split())[:200]})")
    for p in model.parameters():
        p.requires_grad = False
    print(model.classifier)
    n_inputs = model.classifier[6].in_features
    model.classifier[6] = nn.Sequential(nn.Linear(n_inputs, 256), nn.ReLU(), nn.Dropout(0.4),
                                        nn.Linear(256, 1), nn.Sigmoid())
    total = sum(p.numel() for p in model.parameters())
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"{total:,} total parameters, {trainable:,} trainable")
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad],
                                 lr=args.lr)
    rec = Recorder(args.out)
    ckpt = os.path.join(args.out, "best_model.pt")
    best = (-1.0, 0)
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(model, train_loader, criterion, optimizer, binary=True)
        val_loss, val_acc, _, _ = evaluate(model, val_loader, binary=True)
        print(f"Epoch [{epoch}/{args.epochs}], Loss: {loss:.4f}")
        print(f"Val Loss: {val_loss:.4f}, Val Accuracy: {round(val_acc * n_val)}/{n_val} "
              f"({100 * val_acc:.3f}%)")
        rec.log({"epoch": epoch, "loss": loss, "val_loss": val_loss, "val_accuracy": val_acc})
        if val_acc > best[0]:
            best = (val_acc, epoch)
            torch.save(model.classifier.state_dict(), ckpt)
    artefacts = rec.close()
    metrics = {"recipe": NAME, "flow": "vgg16", "data": args.data, "weights": args.weights,
               "classes": classes, "train_size": n_train, "val_size": n_val,
               "total_parameters": total, "trainable_parameters": trainable,
               "history": rec.rows, "best_epoch": best[1], "val_accuracy": best[0],
               "checkpoint": ckpt, "artefacts": artefacts}
    print("metrics:", write_metrics(args.out, metrics))
    return metrics


def run(args):
    if args.data is not None or args.weights is not None:
        return _run_vgg(args)
    return _run_mnist(args)
