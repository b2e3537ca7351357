"""Training plots saved as PNG: learning curves, ROC and precision-recall curves (train vs
validation, as the book's Listing 5-10 figure) and a confusion-matrix heat-map.

Figures are drawn with matplotlib's object API on an Agg canvas (``matplotlib.figure.Figure``
+ ``FigureCanvasAgg``), never through ``pyplot``: the global backend and any figures a user
already has open in pyplot are left alone.  Each function returns the path of the PNG; its
size in pixels is ``figsize * dpi`` exactly.

matplotlib is optional: ``pip install 'ember[plots]'``.
"""
import os

import numpy as np

__all__ = ["plot_history", "plot_roc_curves", "plot_pr_curves", "plot_roc_pr",
           "plot_confusion_matrix"]

_HINT = "pip install 'ember[plots]'"


def _figure(figsize, dpi):
    try:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as e:
        raise ImportError(f"ember.train.plots needs matplotlib: {_HINT}") from e
    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path, dpi):
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png")
    return path


def _np(x):
    from ..tensor import Tensor
    if isinstance(x, Tensor):
        return np.asarray(x.detach()._data)
    return np.asarray(x)


def _history_dict(history):
    """A dict of per-epoch lists from a ``History`` (``.history``), a dict of lists, or a list
    of per-epoch dicts."""
    h = getattr(history, "history", history)
    if isinstance(h, dict):
        return {k: list(v) for k, v in h.items()}
    if isinstance(h, (list, tuple)):
        out = {}
        for i, row in enumerate(h):
            for k, v in row.items():
                out.setdefault(k, [None] * i).append(v)
            for k in out:
                if len(out[k]) < i + 1:
                    out[k].append(None)
        return out
    raise TypeError(f"history should be a History, a dict of lists or a list of dicts, "
                    f"got {type(history).__name__}")


def _as_float(v):
    if v is None:
        return np.nan
    if hasattr(v, "item"):
        v = v.item()
    try:
        return float(v)
    except (TypeError, ValueError):
        return np.nan


def plot_history(history, path="learning_curves.png", metrics=None, figsize=None, dpi=100,
                 title=None):
    """Learning curves: one panel per metric (``loss`` first), the training curve and, when
    logged, the ``val_`` curve, against the 1-based epoch.

    ``metrics`` picks the base names (e.g. ``["loss", "accuracy"]``); by default every logged
    quantity except ``lr``/``epoch`` (a learning rate curve is drawn when only ``lr`` is asked).
    """
    h = _history_dict(history)
    skip = {"epoch", "epochs", "lr", "size"}
    if metrics is None:
        bases = []
        for k in h:
            b = k[4:] if k.startswith("val_") else k
            if b not in bases and b not in skip and not b.startswith("lr_group"):
                bases.append(b)
        bases.sort(key=lambda b: (b != "loss",))
    else:
        bases = [metrics] if isinstance(metrics, str) else list(metrics)
        missing = [b for b in bases if b not in h and "val_" + b not in h]
        if missing:
            raise KeyError(f"plot_history: {missing} not in the history (has {sorted(h)})")
    if not bases:
        raise ValueError("plot_history: nothing to plot (the history is empty)")
    n = len(bases)
    figsize = figsize or (5.0 * n, 4.0)
    fig = _figure(figsize, dpi)
    from matplotlib.ticker import MaxNLocator      # after _figure, which says what to install
    axes = fig.subplots(1, n, squeeze=False)[0]
    for ax, b in zip(axes, bases):
        for key, label, style in ((b, "train", "-o"), ("val_" + b, "validation", "-s")):
            if key in h:
                y = np.array([_as_float(v) for v in h[key]], dtype=np.float64)
                ax.plot(np.arange(1, len(y) + 1), y, style, markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))     # epochs are whole numbers
        ax.set_ylabel(b)
        ax.set_title(b)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _save(fig, path, dpi)


def _curves(curves):
    """``{"train": (y_true, y_score), ...}`` or a sequence of (label, y_true, y_score)."""
    if isinstance(curves, dict):
        items = [(k, v[0], v[1]) for k, v in curves.items()]
    else:
        items = [tuple(c) for c in curves]
    if not items:
        raise ValueError("no curves to plot: pass {'train': (y_true, y_score), ...}")
    return [(label, _np(t).ravel(), _np(s).ravel()) for label, t, s in items]


def _named(train, val, curves):
    out = {}
    if train is not None:
        out["train"] = train
    if val is not None:
        out["validation"] = val
    if curves:
        out.update(curves)
    return out


def _draw_roc(ax, items, pos_label):
    from ..metrics import roc_curve, auc
    for label, t, s in items:
        fpr, tpr, _ = roc_curve(t, s, pos_label=pos_label)
        ax.plot(fpr, tpr, label=f"{label} (AUC = {auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="chance")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate")
    ax.set_title("ROC curve")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")


def _draw_pr(ax, items, pos_label):
    from ..metrics import precision_recall_curve, average_precision_score
    for label, t, s in items:
        precision, recall, _ = precision_recall_curve(t, s, pos_label=pos_label)
        ap = average_precision_score(t, s, pos_label=1 if pos_label is None else pos_label)
        ax.step(recall, precision, where="post", label=f"{label} (AP = {ap:.3f})")
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.05)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_title("Precision-recall curve")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower left")


def plot_roc_curves(train=None, val=None, path="roc.png", curves=None, pos_label=None,
                    figsize=(6.0, 5.0), dpi=100):
    """ROC curves with their AUC, e.g. ``plot_roc_curves((y_tr, p_tr), (y_va, p_va))``.
    ``train``/``val`` are ``(y_true, y_score)`` pairs; ``curves`` adds more by label."""
    items = _curves(_named(train, val, curves))
    fig = _figure(figsize, dpi)
    _draw_roc(fig.add_subplot(1, 1, 1), items, pos_label)
    fig.tight_layout()
    return _save(fig, path, dpi)


def plot_pr_curves(train=None, val=None, path="pr.png", curves=None, pos_label=None,
                   figsize=(6.0, 5.0), dpi=100):
    """Precision-recall curves with their average precision (train vs validation)."""
    items = _curves(_named(train, val, curves))
    fig = _figure(figsize, dpi)
    _draw_pr(fig.add_subplot(1, 1, 1), items, pos_label)
    fig.tight_layout()
    return _save(fig, path, dpi)


def plot_roc_pr(train=None, val=None, path="roc_pr.png", curves=None, pos_label=None,
                figsize=(12.0, 5.0), dpi=100):
    """The ROC (left) and precision-recall (right) panels side by side, train vs validation,
    as the figure of the book's Listing 5-10."""
    items = _curves(_named(train, val, curves))
    fig = _figure(figsize, dpi)
    _draw_roc(fig.add_subplot(1, 2, 1), items, pos_label)
    _draw_pr(fig.add_subplot(1, 2, 2), items, pos_label)
    fig.tight_layout()
    return _save(fig, path, dpi)


def plot_confusion_matrix(y_true=None, y_pred=None, path="confusion_matrix.png", labels=None,
                          display_labels=None, normalize=None, cm=None, cmap="Blues",
                          figsize=(6.0, 5.0), dpi=100, title="Confusion matrix"):
    """A heat-map of ``ember.metrics.confusion_matrix(y_true, y_pred, labels=, normalize=)``
    (rows: true class, columns: predicted class) with the count in each cell; or pass the
    matrix itself as ``cm``."""
    if cm is None:
        if y_true is None or y_pred is None:
            raise ValueError("plot_confusion_matrix needs y_true and y_pred, or cm=")
        from ..metrics import confusion_matrix
        from ..metrics._base import unique_labels
        t, p = _np(y_true).ravel(), _np(y_pred).ravel()
        cm = confusion_matrix(t, p, labels=labels, normalize=normalize)
        if display_labels is None:
            display_labels = list(labels) if labels is not None else list(unique_labels(t, p))
    cm = _np(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"the confusion matrix should be square, got shape {cm.shape}")
    n = cm.shape[0]
    if display_labels is None:
        display_labels = list(range(n))
    if len(display_labels) != n:
        raise ValueError(f"display_labels has {len(display_labels)} names for {n} classes")
    fig = _figure(figsize, dpi)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(cm, interpolation="nearest", cmap=cmap)
    fig.colorbar(im, ax=ax)
    integer = np.issubdtype(cm.dtype, np.integer)
    lo, hi = (float(cm.min()), float(cm.max())) if cm.size else (0.0, 0.0)
    thresh = (lo + hi) / 2.0
    for i in range(n):
        for j in range(n):
            v = cm[i, j]
            ax.text(j, i, f"{int(v)}" if integer else f"{float(v):.2f}", ha="center",
                    va="center", color="white" if v > thresh else "black")
    ax.set_xticks(np.arange(n))
    ax.set_yticks(np.arange(n))
    ax.set_xticklabels([str(x) for x in display_labels])
    ax.set_yticklabels([str(x) for x in display_labels])
    ax.set_xlabel("Predicted label")
    ax.set_ylabel("True label")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return _save(fig, path, dpi)
