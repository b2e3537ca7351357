"""Locating data files inside installed packages (without importing them) and the user cache."""
import importlib.util
import os
import tempfile

EXTRA = "book"


def package_file(package, relpath, loader):
    """The path of ``relpath`` inside the installed ``package``, found without importing it.

    Raises ``ModuleNotFoundError`` naming the extra to install when the package is missing."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"ember.datasets.{loader} reads its data from the '{package}' package, which is not "
            f"installed: pip install 'ember[{EXTRA}]' (or pip install {package})", name=package)
    for root in spec.submodule_search_locations:
        path = os.path.join(root, *relpath.split("/"))
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"ember.datasets.{loader}: the installed '{package}' package has no "
                            f"{relpath} (looked in {list(spec.submodule_search_locations)}); "
                            f"reinstall it: pip install --force-reinstall {package}")


def cache_dir():
    """ember's user cache folder: ``$EMBER_CACHE_DIR``, else ``$XDG_CACHE_HOME/ember``, else
    ``~/.cache/ember`` (created on demand). Nothing is ever written elsewhere by default."""
    d = os.environ.get("EMBER_CACHE_DIR")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "ember")
    os.makedirs(d, exist_ok=True)
    return d


def write_atomic(path, data):
    """Write ``data`` (str or bytes) to ``path`` via a temporary file and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def require_pandas(loader):
    try:
        import pandas
    except ImportError:
        raise ModuleNotFoundError(f"ember.datasets.{loader}(as_frame=True) needs pandas: "
                                  f"pip install 'ember[{EXTRA}]' (or pip install pandas)",
                                  name="pandas") from None
    return pandas
