"""The book's exercises as runnable pipelines: ``ember run <recipe>``.

A recipe is a module in this package exposing

- ``NAME``: the command-line name, e.g. ``"ch4-autograd"`` (module ``ch4_autograd.py``),
- ``DESCRIPTION``: one line for ``ember recipes``,
- ``DEFAULT_DATA``: one line naming the data it uses when given none,
- ``add_arguments(parser)``: its own options; it may change the defaults of the common ones
  with ``parser.set_defaults(epochs=5, batch_size=64, lr=1e-3)``,
- ``run(args) -> dict``: does the work, prints progress, writes its artefacts (at least
  ``metrics.json``, see ``write_metrics``) into ``args.out`` and returns the metrics.

The CLI adds the common options (``--epochs --batch-size --lr --seed --out --device
--quick``), creates ``args.out``, seeds ember and NumPy, then calls ``run``. A recipe reports a
user mistake (missing file, unknown column) by raising ``RecipeError`` with one clear line.
Recipe modules keep their module-level imports light: ``ember recipes`` imports them all.
"""
import importlib
import json
import os
import pkgutil
import re
import time

__all__ = ["RecipeError", "names", "available", "get", "add_common_arguments", "default_out",
           "write_metrics", "open_writer", "write_scalars", "REQUIRED"]

REQUIRED = ("NAME", "DESCRIPTION", "DEFAULT_DATA", "add_arguments", "run")


class RecipeError(Exception):
    """A user-facing recipe failure; the CLI prints its message as one line and exits 1."""


def _natural(name):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _module_names():
    return sorted((m.name for m in pkgutil.iter_modules(__path__)
                   if not m.name.startswith("_")), key=_natural)


def _load(module_name):
    mod = importlib.import_module(f"{__name__}.{module_name}")
    missing = [a for a in REQUIRED if not hasattr(mod, a)]
    if missing:
        raise RecipeError(f"recipe module {mod.__name__} lacks {', '.join(missing)}")
    return mod


def available():
    """``{name: module}`` for every recipe module that imports, in chapter order; a module that
    fails to import is listed as ``{name: exception}`` so ``ember recipes`` can say why."""
    out = {}
    for module_name in _module_names():
        try:
            mod = _load(module_name)
        except Exception as e:     # a broken or incomplete recipe must not hide the others
            out[module_name.replace("_", "-")] = e
            continue
        if mod.NAME in out:
            raise RecipeError(f"two recipes are named {mod.NAME!r}")
        out[mod.NAME] = mod
    return out


def names():
    """Recipe names in chapter order."""
    return [n for n, m in available().items() if not isinstance(m, Exception)]


def get(name):
    """The recipe module called ``name``; ``KeyError`` when there is none."""
    module_name = name.replace("-", "_")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", module_name) and module_name in _module_names():
        mod = _load(module_name)
        if mod.NAME == name:
            return mod
    for n, mod in available().items():
        if n == name and not isinstance(mod, Exception):
            return mod
    raise KeyError(name)


def add_common_arguments(parser):
    """The options every recipe accepts. ``None`` means "the recipe's own default"."""
    g = parser.add_argument_group("common options")
    g.add_argument("--epochs", type=int, default=None, help="training epochs")
    g.add_argument("--batch-size", type=int, default=None, help="mini-batch size")
    g.add_argument("--lr", type=float, default=None, help="learning rate")
    g.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    g.add_argument("--out", default=None, metavar="DIR",
                   help="output folder (default runs/<recipe>-<timestamp>)")
    g.add_argument("--device", default="cpu", help="device to train on (default cpu)")
    g.add_argument("--quick", action="store_true",
                   help="a small, fast configuration (used by the tests)")
    return g


def default_out(name, root="runs"):
    """``runs/<name>-<YYYYmmdd-HHMMSS>``, made unique if it exists already."""
    base = os.path.join(root, f"{name}-{time.strftime('%Y%m%d-%H%M%S')}")
    path, i = base, 1
    while os.path.exists(path):
        path, i = f"{base}-{i}", i + 1
    return path


def _jsonable(obj):
    if hasattr(obj, "tolist"):        # NumPy arrays and scalars, ember tensors
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    return str(obj)


def write_metrics(out, metrics, filename="metrics.json"):
    """Write ``metrics`` as JSON into folder ``out`` atomically; returns the file's path."""
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, filename)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(metrics, f, indent=2, default=_jsonable)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def open_writer(out, folder="tensorboard"):
    """A ``SummaryWriter`` logging to ``out/folder``, or None with a one-line note when
    tensorboardX is not installed: TensorBoard events are optional, never fatal."""
    try:
        from ember.utils.tensorboard import SummaryWriter
        return SummaryWriter(log_dir=os.path.join(out, folder))
    except ImportError:
        print("tensorboardX is not installed: TensorBoard events skipped "
              "(pip install 'ember[tensorboard]')")
        return None


def write_scalars(out, series, folder="tensorboard"):
    """TensorBoard events for ``series`` = ``{tag: [(step, value), ...]}`` under
    ``out/folder``; returns that folder, or None without tensorboardX."""
    writer = open_writer(out, folder)
    if writer is None:
        return None
    try:
        for tag, points in series.items():
            for step, value in points:
                writer.add_scalar(tag, float(value), int(step))
    finally:
        writer.close()
    return os.path.join(out, folder)
