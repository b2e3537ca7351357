"""``ember.utils``: ``ember.utils.data`` (datasets and ``DataLoader``), loaded on first use so
that ``import ember`` stays light."""
import importlib

__all__ = ["data"]


def __getattr__(name):
    if name == "data":
        return importlib.import_module(".data", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
