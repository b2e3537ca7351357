"""``TensorBoardLogger``: a fit-loop callback writing TensorBoard event files.

Every epoch it logs each number in the epoch's logs (``loss``, ``val_loss``, metrics, ``lr``)
as a scalar whose tag is the log key and whose step is the 0-based epoch.  Every
``histogram_freq`` epochs (epochs 0, f, 2f, ... as Keras; 0 turns it off) it also logs
histograms, taken on the last training batch of that epoch:

* ``activations/<layer>``: the output of every layer (each module without children), through
  forward hooks that are active only while a training batch runs (validation passes are not
  recorded);
* ``gradients/<parameter>``: the gradient of every parameter for that batch, through gradient
  hooks on the parameters (so the order of ``zero_grad`` in the loop does not matter);
* ``weights/<parameter>``: the parameter values at the end of the epoch.

Needs tensorboardX: ``pip install 'ember[tensorboard]'``.
"""
import numbers

import numpy as np

from .callbacks import Callback

__all__ = ["TensorBoardLogger"]


def _leaf_modules(model):
    for name, mod in model.named_modules():
        if not any(True for _ in mod.children()):
            yield (name or type(model).__name__), mod


def _tensor_outputs(out):
    from ..tensor import Tensor
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (list, tuple)):
        res = []
        for o in out:
            res.extend(_tensor_outputs(o))
        return res
    return []


class TensorBoardLogger(Callback):
    """Log per-epoch metrics and, every ``histogram_freq`` epochs, histograms of activations,
    gradients and weights (see the module docstring).

    Args:
        log_dir: the run directory (``runs/DATE_HOST`` when None, as ``SummaryWriter``).
        histogram_freq: epochs between histogram logs; 0 for none.
        writer: an existing ``ember.utils.tensorboard.SummaryWriter`` to write to instead
            (it is not closed at the end of training).
        log_weights: also log ``weights/<parameter>`` histograms.
    """

    def __init__(self, log_dir=None, histogram_freq=0, writer=None, log_weights=True):
        if int(histogram_freq) < 0:
            raise ValueError(f"histogram_freq must be >= 0, got {histogram_freq}")
        self.histogram_freq = int(histogram_freq)
        self.log_weights = log_weights
        if writer is None:
            from ..utils.tensorboard import SummaryWriter
            writer = SummaryWriter(log_dir)
            self._owns_writer = True
        else:
            self._owns_writer = False
        self.writer = writer
        self.log_dir = writer.get_logdir()
        self._handles = []
        self._recording = False
        self._activations = {}
        self._gradients = {}
        self._batch_grads = {}

    # ----- hooks --------------------------------------------------------------------------
    def _histogram_epoch(self, epoch):
        return self.histogram_freq > 0 and epoch % self.histogram_freq == 0

    def _install_hooks(self):
        model = self.model
        for name, mod in _leaf_modules(model):
            def fwd(module, args, out, _name=name):
                if self._recording:
                    outs = _tensor_outputs(out)
                    if len(outs) == 1:
                        self._activations[_name] = np.array(outs[0].detach()._data)
                    else:
                        for i, t in enumerate(outs):
                            self._activations[f"{_name}/{i}"] = np.array(t.detach()._data)
                return None
            self._handles.append(mod.register_forward_hook(fwd))
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue

            def grad_hook(g, _name=name):
                if self._recording:
                    arr = np.array(g._data)
                    prev = self._batch_grads.get(_name)
                    self._batch_grads[_name] = arr if prev is None else prev + arr
                return None
            self._handles.append(p.register_hook(grad_hook))

    def _remove_hooks(self):
        for h in self._handles:
            h.remove()
        self._handles = []
        self._recording = False

    # ----- protocol -----------------------------------------------------------------------
    def on_epoch_begin(self, epoch, logs=None):
        self._activations = {}
        self._gradients = {}
        if self._histogram_epoch(epoch) and self.model is not None:
            self._install_hooks()

    def on_batch_begin(self, batch, logs=None):
        if self._handles:
            self._recording = True
            self._batch_grads = {}

    def on_batch_end(self, batch, logs=None):
        if self._recording:
            self._recording = False
            if self._batch_grads:
                self._gradients = self._batch_grads
            self._batch_grads = {}

    def on_epoch_end(self, epoch, logs=None):
        w = self.writer
        for key, value in (logs or {}).items():
            if isinstance(value, bool):
                continue
            if hasattr(value, "item") and np.ndim(value) == 0:
                value = value.item()
            if isinstance(value, numbers.Real):
                w.add_scalar(key, float(value), epoch)
        if self._handles:
            self._remove_hooks()
            for name, arr in self._activations.items():
                if arr.size:
                    w.add_histogram(f"activations/{name}", arr, epoch)
            for name, arr in self._gradients.items():
                if arr.size:
                    w.add_histogram(f"gradients/{name}", arr, epoch)
            if self.log_weights:
                for name, p in self.model.named_parameters():
                    if p.numel():
                        w.add_histogram(f"weights/{name}", p, epoch)
            self._activations, self._gradients = {}, {}
        w.flush()

    def on_train_end(self, logs=None):
        self._remove_hooks()
        if self._owns_writer:
            self.writer.close()
        else:
            self.writer.flush()
