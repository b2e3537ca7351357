"""Optimizers that update parameters in place from their ``.grad``."""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
