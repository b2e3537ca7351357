"""Chapter 3: a feed-forward binary classifier trained with three optimizers.

The chapter's data: ``sklearn.datasets.make_blobs`` with 5,000 points in 64 dimensions, two
centres, cluster standard deviation 10 and ``random_state=2020``; the labels become a float
column; the first 4,000 rows train, the last 1,000 test. The network: Linear(64, 256) -> ReLU ->
Linear(256, 1024) -> ReLU -> Linear(1024, 1) -> Sigmoid (280,833 parameters), seeded inside
``__init__`` so every instance starts from the same weights. Each optimizer trains a fresh
instance with ``BCELoss``, mini-batches of 16 taken in order, 10 epochs, printing the epoch's
loss as the book does (the sum over batches of the batch's mean loss times the batch size) in
lines ``Epoch: n - Loss:x``; then the test set is thresholded at 0.5 for the accuracy.

Optimizers, as in the chapter: RMSprop(lr=0.01, alpha=0.9, eps=1e-08, weight_decay=0.1,
momentum=0.1, centered=True), Adam(lr=0.001) and SGD(lr=0.01, momentum=0.9). ``--lr`` replaces
all three learning rates. Artefacts: metrics.json, history.csv (loss per epoch per optimizer),
losses.png (matplotlib, optional), best_model.pt (the network with the best test accuracy) and
TensorBoard events under tensorboard/ (tensorboardX, optional).
"""
import csv
import math
import os

NAME = "ch3-optimizers"
DESCRIPTION = "the ch. 3 feed-forward net on make_blobs data with RMSprop, Adam and SGD"
DEFAULT_DATA = ("sklearn make_blobs(n_samples=5000, centers=2, n_features=64, cluster_std=10, "
                "random_state=2020): 4000 train / 1000 test")

OPTIMIZERS = ("rmsprop", "adam", "sgd")
QUICK_SAMPLES, QUICK_EPOCHS = 400, 2


def add_arguments(parser):
    parser.set_defaults(epochs=10, batch_size=16, seed=2020)   # the book seeds the net with 2020
    parser.add_argument("--optimizers", default=",".join(OPTIMIZERS),
                        help="comma-separated optimizers to compare, from rmsprop, adam, sgd "
                             "(default all three)")
    parser.add_argument("--samples", type=int, default=None,
                        help="points drawn by make_blobs; the first 80%% train "
                             f"(default 5000, {QUICK_SAMPLES} with --quick)")


def _error(msg):
    from . import RecipeError
    raise RecipeError(msg)


def build_net(seed):
    """The chapter's network class, seeded with ``seed`` in ``__init__``."""
    import ember as torch
    import ember.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(seed)
            self.fc1 = nn.Linear(64, 256)
            self.relu1 = nn.ReLU()
            self.fc2 = nn.Linear(256, 1024)
            self.relu2 = nn.ReLU()
            self.out = nn.Linear(1024, 1)
            self.final = nn.Sigmoid()

        def forward(self, x):
            x = self.relu1(self.fc1(x))
            x = self.relu2(self.fc2(x))
            return self.final(self.out(x))
    return Net


def make_optimizer(name, params, lr=None):
    import ember.optim as optim
    if name == "rmsprop":
        return optim.RMSprop(params, lr=0.01 if lr is None else lr, alpha=0.9, eps=1e-08,
                             weight_decay=0.1, momentum=0.1, centered=True)
    if name == "adam":
        return optim.Adam(params, lr=0.001 if lr is None else lr)
    return optim.SGD(params, lr=0.01 if lr is None else lr, momentum=0.9)


def train(model, loss_fn, optimizer, x, y, epochs, batch_size, log=print):
    """The chapter's loop: in-order slices, the epoch loss summed as loss * batch size."""
    losses = []
    model.train()
    n = x.shape[0]
    for epoch in range(epochs):
        total = 0.0
        for i in range(0, n, batch_size):
            xb, yb = x[i:i + batch_size], y[i:i + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * xb.shape[0]
        losses.append(total)
        log(f"Epoch: {epoch + 1} - Loss:{total:.4f}")
    return losses


def accuracy(model, x, y):
    import numpy as np

    import ember as torch
    model.eval()
    with torch.no_grad():
        pred = model(x)
    labels = np.where(pred.cpu().numpy() > 0.5, 1, 0)
    return float((labels == y.cpu().numpy()).mean())


def _plot(out, history):
    try:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        print("matplotlib is not installed: loss plot skipped (pip install 'ember[plots]')")
        return None
    fig = Figure(figsize=(7, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for name, losses in history.items():
        epochs = range(1, len(losses) + 1)
        ax.plot(epochs, [max(v, 1e-12) if math.isfinite(v) else float("nan") for v in losses],
                marker="o", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (sum over the epoch)")
    ax.set_title("Chapter 3 network: loss per epoch by optimizer")
    ax.legend()
    path = os.path.join(out, "losses.png")
    fig.savefig(path, format="png")
    return path


def _tensorboard(out, history, acc):
    from . import write_scalars
    series = {}
    for name, losses in history.items():
        series[f"loss/{name}"] = list(enumerate(losses))
        series[f"test_accuracy/{name}"] = [(len(losses) - 1, acc[name])]
    return write_scalars(out, series)


def run(args):
    import ember as torch
    import ember.nn as nn
    from . import write_metrics

    names = [p.strip().lower() for p in str(args.optimizers).split(",") if p.strip()]
    if not names:
        _error("--optimizers names no optimizer")
    for n in names:
        if n not in OPTIMIZERS:
            _error(f"unknown optimizer {n!r} in --optimizers (choose from {', '.join(OPTIMIZERS)})")
    if len(set(names)) != len(names):
        _error(f"--optimizers lists an optimizer twice: {args.optimizers!r}")
    epochs = QUICK_EPOCHS if args.quick and args.epochs == 10 else args.epochs
    samples = args.samples if args.samples is not None else (
        QUICK_SAMPLES if args.quick else 5000)
    if epochs is None or epochs < 1:
        _error(f"--epochs must be at least 1, got {epochs}")
    if args.batch_size is None or args.batch_size < 1:
        _error(f"--batch-size must be at least 1, got {args.batch_size}")
    if samples < 10:
        _error(f"--samples must be at least 10, got {samples}")
    if args.lr is not None and not (args.lr > 0 and math.isfinite(args.lr)):
        _error(f"--lr must be a positive number, got {args.lr}")

    from sklearn.datasets import make_blobs
    X, y = make_blobs(n_samples=samples, centers=2, n_features=64, cluster_std=10,
                      random_state=2020)
    y = y.reshape(-1, 1)
    X, y = torch.from_numpy(X).float().to(args.device), torch.from_numpy(y).float().to(args.device)
    n_train = samples * 4 // 5
    x_train, x_test, y_train, y_test = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    print(f"data: make_blobs, train {tuple(x_train.shape)} {x_train.dtype}, "
          f"test {tuple(x_test.shape)}; epochs {epochs}, batch size {args.batch_size}")

    Net = build_net(args.seed)
    n_params = sum(p.numel() for p in Net().parameters())
    print(f"network: 64-256-1024-1, {n_params:,} parameters")
    loss_fn = nn.BCELoss()
    history, acc, models = {}, {}, {}
    for name in names:
        model = Net().to(args.device)
        opt = make_optimizer(name, model.parameters(), args.lr)
        print(f"--- {type(opt).__name__} ---")
        history[name] = train(model, loss_fn, opt, x_train, y_train, epochs, args.batch_size)
        acc[name] = accuracy(model, x_test, y_test)
        models[name] = model
        print(f"{type(opt).__name__}: test accuracy {acc[name]:.4f}")

    print("loss per epoch:")
    print(f"  {'epoch':<13}" + "".join(f"{n:>14}" for n in names))
    for e in range(epochs):
        print(f"  {e + 1:<13}" + "".join(f"{history[n][e]:>14.4f}" for n in names))
    print(f"  {'test accuracy':<13}" + "".join(f"{acc[n]:>14.4f}" for n in names))

    hist = os.path.join(args.out, "history.csv")
    with open(hist, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["epoch"] + [f"{n}_loss" for n in names])
        for e in range(epochs):
            wr.writerow([e + 1] + [f"{history[n][e]:.10g}" for n in names])

    def key(n):
        final = history[n][-1]
        return (acc[n], -(final if math.isfinite(final) else float("inf")))
    best = max(names, key=key)
    ckpt = os.path.join(args.out, "best_model.pt")
    torch.save(models[best].state_dict(), ckpt)
    print(f"best: {best} (test accuracy {acc[best]:.4f}), saved to {ckpt}")
    plot = _plot(args.out, history)
    tb = _tensorboard(args.out, history, acc)

    metrics = {
        "recipe": NAME,
        "samples": samples,
        "n_train": n_train,
        "n_test": samples - n_train,
        "epochs": epochs,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "parameters": n_params,
        "optimizers": names,
        "loss": history,
        "final_loss": {n: history[n][-1] for n in names},
        "test_accuracy": acc,
        "best": best,
        "checkpoint": ckpt,
        "history": hist,
        "plots": [plot] if plot else [],
        "tensorboard": tb,
    }
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
