"""Chapter 5: a tabular binary classifier and its regularisation.

The chapter's pipeline on a table: two-valued yes/no columns become 1/0 flags, the other text
(and categorical) columns one-hot indicators, everything float32, a seeded 80/20 split. The
network is Listing 5-11's: three hidden ReLU layers of 96, 192 and 384 units after the input
columns, one sigmoid output, trained with BCE and Adam in mini-batches of 128. Five variants
as the chapter runs them: plain, L1 (lambda * sum |p| over all parameters), L2 (Adam's coupled
``weight_decay``), dropout (p on the input and after each hidden ReLU, Listing 5-14's placement)
and all three together. Each one reports Listing 5-10's train/validation accuracy, precision,
recall and ROC AUC, draws the ROC curves and the loss curves, and stops early on the validation
loss, keeping the best weights.

Numeric columns are standardised with the training part's statistics by default (raw incomes
and ages slow Adam down); ``--no-standardize`` feeds them raw, the book's way, and then trains for
up to 300 epochs instead of 60 with an early-stopping patience of 30 instead of 10.

``--csv PATH --target COLUMN`` runs the same thing on any CSV with a binary target (the book's
Kaggle ``bank.csv`` with ``--target deposit``). ``--search grid|random`` runs the chapter's
hyper-parameter search with ``ember.tune`` (Optuna) instead of the five variants: the grid over
learning rate, L1 lambda and dropout (18 points), random search over those and weight decay.
"""
import csv
import os

NAME = "ch5-tabular"
DESCRIPTION = ("bank-table classifier (Listing 5-11) plain / L1 / L2 / dropout / all three, "
               "ROC AUC, early stopping, hyper-parameter search")
DEFAULT_DATA = ("embedded Universal Bank table (5,000 rows, target 'Personal Loan'); "
                "--csv PATH --target COLUMN for any CSV")

VARIANTS = ("plain", "l1", "l2", "dropout", "all")
HIDDEN = (96, 192, 384)
EPOCHS = {True: 60, False: 300}   # default epochs, standardised / raw (raw inputs learn slowly)
PATIENCE = {True: 10, False: 30}  # default early-stopping patience (raw val_loss is noisier)
QUICK_ROWS = 1200               # training rows used by --quick


def add_arguments(parser):
    parser.set_defaults(batch_size=128, lr=1e-3)      # epochs: see EPOCHS
    parser.add_argument("--csv", default=None, metavar="PATH",
                        help="train on this CSV instead of the embedded bank table")
    parser.add_argument("--target", default=None, metavar="COLUMN",
                        help="the binary target column (default 'Personal Loan' for the bank "
                             "table; required with --csv)")
    parser.add_argument("--no-standardize", dest="standardize", action="store_false",
                        help="feed numeric columns raw (the book's way) instead of standardised")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help=f"comma-separated subset of {','.join(VARIANTS)} (default all)")
    parser.add_argument("--l1", type=float, default=1e-4, help="L1 lambda (default 1e-4)")
    parser.add_argument("--weight-decay", type=float, default=1e-3,
                        help="L2 weight decay of Adam (default 1e-3)")
    parser.add_argument("--dropout", type=float, default=0.1, help="dropout p (default 0.1)")
    parser.add_argument("--patience", type=int, default=None,
                        help="early-stopping patience in epochs on val_loss (default 10; "
                             "30 with --no-standardize)")
    parser.add_argument("--split-seed", type=int, default=2020,
                        help="seed of the 80/20 split (default 2020)")
    parser.add_argument("--search", choices=("grid", "random"), default=None,
                        help="run the chapter's hyper-parameter search instead of the variants")
    parser.add_argument("--trials", type=int, default=None,
                        help="number of search trials (random default 10; grid: all points)")


def _net_class():
    import ember.nn as nn

    class Net(nn.Module):
        """Listing 5-11's network on ``n_in`` inputs; with ``p > 0`` Listing 5-14's dropout
        on the input and after each hidden ReLU."""

        def __init__(self, n_in, p=0.0):
            super().__init__()
            self.fc1 = nn.Linear(n_in, HIDDEN[0])
            self.fc2 = nn.Linear(HIDDEN[0], HIDDEN[1])
            self.fc3 = nn.Linear(HIDDEN[1], HIDDEN[2])
            self.out = nn.Linear(HIDDEN[2], 1)
            self.relu = nn.ReLU()
            self.final = nn.Sigmoid()
            self.drop = nn.Dropout(p) if p > 0 else None

        def _d(self, x):
            return self.drop(x) if self.drop is not None else x

        def forward(self, x):
            x = self._d(x)
            x = self._d(self.relu(self.fc1(x)))
            x = self._d(self.relu(self.fc2(x)))
            x = self._d(self.relu(self.fc3(x)))
            return self.final(self.out(x))

    return Net


def variant_config(name, args):
    """``(l1, weight_decay, dropout)`` of a variant."""
    return {"plain": (0.0, 0.0, 0.0),
            "l1": (args.l1, 0.0, 0.0),
            "l2": (0.0, args.weight_decay, 0.0),
            "dropout": (0.0, 0.0, args.dropout),
            "all": (args.l1, args.weight_decay, args.dropout)}[name]


def load_data(args):
    """The split as a ``_tabular.Tabular``; ``RecipeError`` for the user's mistakes."""
    from . import RecipeError
    from . import _tabular as tab
    if args.csv is not None:
        cols = tab.read_csv(args.csv)
        if not args.target:
            raise RecipeError(f"--csv needs --target COLUMN, the binary column to predict "
                              f"(columns: {', '.join(cols)})")
        categorical, source = (), args.csv
    else:
        from ..datasets import BANK_TARGET
        cols, categorical = tab.bank_columns()
        source = "the bank table"
        args.target = args.target or BANK_TARGET
    X, y, names, mask, positive = tab.design_matrix(cols, args.target, categorical, source)
    return tab.split_and_scale(X, y, names, mask, seed=args.split_seed,
                               standardize=args.standardize, positive=positive, source=source)


def evaluate(model, X, y):
    """Listing 5-10's numbers for one part: accuracy, precision, recall, ROC AUC (threshold
    0.5), and the probabilities for the ROC plot."""
    import numpy as np

    import ember as torch
    import ember.metrics as M
    model.eval()
    with torch.no_grad():
        prob = model(torch.from_numpy(X)).numpy().ravel()
    truth = y.ravel()
    pred = np.where(prob > 0.5, 1.0, 0.0)
    both = len(np.unique(truth)) == 2
    return {"accuracy": float(M.accuracy_score(truth, pred)),
            "precision": float(M.precision_score(truth, pred, zero_division=0)),
            "recall": float(M.recall_score(truth, pred, zero_division=0)),
            "roc_auc": float(M.roc_auc_score(truth, prob)) if both else float("nan")}, prob


def train_variant(data, args, *, l1, weight_decay, dropout, out_dir=None, name="plain",
                  epochs=None, verbose=True, callbacks=()):
    """Build, train (early stopping on val_loss, best weights kept) and evaluate one model.
    Returns ``(model, history, metrics)``."""
    import ember as torch
    import ember.nn as nn
    import ember.optim as optim
    from ember.train import EarlyStopping, ModelCheckpoint, fit
    from ember.utils.data import DataLoader, TensorDataset

    torch.manual_seed(args.seed)                 # the book seeds the network's construction
    model = _net_class()(data.X_train.shape[1], p=dropout)
    train_loader = DataLoader(TensorDataset(torch.from_numpy(data.X_train),
                                            torch.from_numpy(data.y_train)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(data.X_val),
                                          torch.from_numpy(data.y_val)),
                            batch_size=1024, shuffle=False)
    optimizer = optim.Adam(model.parameters(), lr=args.lr, weight_decay=weight_decay)
    stopper = EarlyStopping(monitor="val_loss", patience=args.patience,
                            restore_best_weights=True)
    cbs = [stopper, *callbacks]
    if out_dir is not None:
        cbs.append(ModelCheckpoint(os.path.join(out_dir, "checkpoints", name),
                                   monitor="val_loss", save_best_only=True))
        tb = _tensorboard(os.path.join(out_dir, "tensorboard", name))
        if tb is not None:
            cbs.append(tb)
    history = fit(model, train_loader, val_loader, loss_fn=nn.BCELoss(), optimizer=optimizer,
                  epochs=epochs or args.epochs, l1=l1, callbacks=cbs, seed=args.seed,
                  verbose=0)
    tr, p_tr = evaluate(model, data.X_train, data.y_train)
    va, p_va = evaluate(model, data.X_val, data.y_val)
    metrics = {"train": tr, "val": va, "epochs_run": len(history.epoch),
               "best_epoch": None if stopper.best_epoch is None else stopper.best_epoch + 1,
               "stopped_early": stopper.stopped_epoch is not None,
               "config": {"l1": l1, "weight_decay": weight_decay, "dropout": dropout,
                          "lr": args.lr}}
    if verbose:
        print(f"[{name}] epochs {metrics['epochs_run']} (best {metrics['best_epoch']}"
              f"{', stopped early' if metrics['stopped_early'] else ''}), final loss "
              f"{history.history['loss'][-1]:.4f}, val_loss {min(history.history['val_loss']):.4f}")
        for part, m in (("Training", tr), ("Validation", va)):
            print(f"  {part} Accuracy- {m['accuracy']:.3f}  Precision- {m['precision']:.3f}  "
                  f"Recall- {m['recall']:.3f}  ROC AUC- {m['roc_auc']:.3f}")
    return model, history, metrics, (p_tr, p_va)


def _tensorboard(log_dir):
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        return None
    from ember.train import TensorBoardLogger
    return TensorBoardLogger(log_dir=log_dir)


def _plots(out, name, history, data, probs):
    """ROC (train vs validation) and loss curves; ``{}`` when matplotlib is missing."""
    try:
        from ember.train import plots
        roc = plots.plot_roc_curves((data.y_train.ravel(), probs[0]),
                                    (data.y_val.ravel(), probs[1]),
                                    path=os.path.join(out, f"roc_{name}.png"))
        loss = plots.plot_history(history, path=os.path.join(out, f"loss_{name}.png"),
                                  metrics=["loss"], title=f"{name}: BCE loss")
    except ImportError:
        return {}
    return {"roc": roc, "loss": loss}


def _write_history(out, histories):
    keys = ["loss", "val_loss"]
    path = os.path.join(out, "history.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["variant", "epoch", *keys])
        for name, h in histories.items():
            for i, e in enumerate(h.epoch):
                w.writerow([name, e + 1, *(f"{h.history[k][i]:.6g}" for k in keys)])
    return path


def _search(data, args):
    import ember.tune as tune
    if args.search == "grid":
        space = {"lr": [1e-3, 3e-3], "l1": [0.0, 1e-4, 1e-3], "dropout": [0.0, 0.1, 0.2]}
        if args.quick:
            space = {"lr": [args.lr], "l1": [0.0, 1e-4], "dropout": [0.1]}
    else:
        space = {"lr": tune.loguniform(1e-4, 1e-2), "l1": tune.loguniform(1e-4, 1e-2),
                 "weight_decay": tune.loguniform(1e-5, 1e-2), "dropout": tune.uniform(0.05, 0.3)}
    n_trials = args.trials or (2 if args.quick else (None if args.search == "grid" else 10))

    def train_fn(config):
        import copy
        a = copy.copy(args)
        a.lr = config.get("lr", args.lr)
        _, _, m, _ = train_variant(data, a, l1=config.get("l1", 0.0),
                                   weight_decay=config.get("weight_decay", 0.0),
                                   dropout=config.get("dropout", 0.0), verbose=False)
        return {"val_roc_auc": m["val"]["roc_auc"], "val_accuracy": m["val"]["accuracy"],
                "epochs": m["epochs_run"]}

    result = tune.search(train_fn, space, method=args.search, n_trials=n_trials,
                         seed=args.seed, direction="maximize", monitor="val_roc_auc",
                         pruner="none", save_path=os.path.join(args.out, "search.json"))
    print(result.table())
    return result


def run(args):
    from . import RecipeError, write_metrics
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        raise RecipeError(f"--variants: unknown {', '.join(unknown) or '(none)'}; "
                          f"choose from {', '.join(VARIANTS)}")
    if args.search:                  # say what is missing before any data is read
        try:
            import optuna  # noqa: F401
        except ImportError:
            raise RecipeError("--search needs optuna: pip install 'ember[tune]'") from None
    if args.epochs is None:
        args.epochs = EPOCHS[bool(args.standardize)]
    if args.patience is None:
        args.patience = PATIENCE[bool(args.standardize)]
    if args.quick:
        args.epochs = min(args.epochs, 2)
        args.patience = min(args.patience, 2)
        args.batch_size = min(args.batch_size, 32)
    data = load_data(args)
    if args.quick:                                 # a small, fast configuration for the tests
        data.X_train, data.y_train = data.X_train[:QUICK_ROWS], data.y_train[:QUICK_ROWS]
    base = float(max(data.y_val.mean(), 1 - data.y_val.mean()))
    print(f"data: {data.source}, target {args.target!r} (positive {data.positive!r}): "
          f"{len(data.X_train)} train / {len(data.X_val)} validation rows, "
          f"{data.X_train.shape[1]} input columns; majority baseline {base:.3f}")
    print("standardised: " + (", ".join(data.scaled) if data.scaled else "none"))
    metrics = {"recipe": NAME, "data": data.source, "target": args.target,
               "positive": data.positive, "n_train": len(data.X_train),
               "n_val": len(data.X_val), "n_features": int(data.X_train.shape[1]),
               "features": data.feature_names, "standardized": data.scaled,
               "majority_baseline": base, "epochs": args.epochs, "lr": args.lr,
               "batch_size": args.batch_size}

    if args.search:
        result = _search(data, args)
        metrics["search"] = {"method": args.search, "best_params": result.best_params,
                             "best_value": result.best_value, "monitor": "val_roc_auc",
                             "trials": result.to_dict().get("trials", [])}
        print("best:", result.best_params, f"val ROC AUC {result.best_value:.4f}")
        print("metrics:", write_metrics(args.out, metrics))
        return metrics

    histories, results, plots = {}, {}, {}
    for name in variants:
        l1, wd, p = variant_config(name, args)
        _, history, m, probs = train_variant(data, args, l1=l1, weight_decay=wd, dropout=p,
                                             out_dir=args.out, name=name)
        histories[name], results[name] = history, m
        plots[name] = _plots(args.out, name, history, data, probs)
    metrics["variants"] = results
    metrics["plots"] = plots
    metrics["history_csv"] = _write_history(args.out, histories)
    print(f"{'variant':<9}{'val acc':>9}{'precision':>11}{'recall':>8}{'ROC AUC':>9}")
    for name, m in results.items():
        v = m["val"]
        print(f"{name:<9}{v['accuracy']:9.3f}{v['precision']:11.3f}{v['recall']:8.3f}"
              f"{v['roc_auc']:9.3f}")
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
