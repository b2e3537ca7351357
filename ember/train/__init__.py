"""Training toolkit: the fit loop (``fit``, ``evaluate``, ``predict``), callbacks and
resumable checkpoints. ``import ember.train`` to use it (not imported by ``import ember``)."""
from .callbacks import (Callback, EarlyStopping, ModelCheckpoint, ProgressBar,  # noqa: F401
                        CSVLogger, LearningRateMonitor, LambdaCallback)
from .checkpoint import save_checkpoint, load_checkpoint, get_rng_state, set_rng_state  # noqa
from .fit import fit, evaluate, predict, History  # noqa: F401

__all__ = ["fit", "evaluate", "predict", "History", "Callback", "EarlyStopping",
           "ModelCheckpoint", "ProgressBar", "CSVLogger", "LearningRateMonitor",
           "LambdaCallback", "save_checkpoint", "load_checkpoint", "get_rng_state",
           "set_rng_state"]


def __getattr__(name):
    if name == "TensorBoardLogger":   # its own module; needs tensorboardX only when used
        from .tensorboard_logger import TensorBoardLogger
        return TensorBoardLogger
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
