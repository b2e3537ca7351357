"""``ember.nn.functional``: the stateless forms of layers, activations and losses.

Signatures, defaults, warnings and errors are PyTorch's. The arithmetic lives in
``ember.ops.nn_ops`` (one fused Function per kernel); this module does the argument handling
PyTorch's ``torch/nn/functional.py`` does (legacy ``size_average``/``reduce``, implicit softmax
dims, dropout probability checks, target-shape checks) and nothing per element.
"""
import math
import warnings

import numpy as np

from ..ops import nn_ops as _k
from ..ops.nn_ops import (linear, bilinear, one_hot, cosine_similarity,  # noqa: F401
                          pairwise_distance, _float_only, _tname, _inplace, _dropout_impl,
                          NONE, MEAN, SUM, BATCHMEAN)
from ..ops.elementwise import Relu as _Relu, Sigmoid as _Sigmoid, Tanh as _Tanh, Neg as _Neg
from ..tensor import _new_tensor, _wrap_dim
from .._dtype import result_type

__all__ = [
    # activations
    "threshold", "threshold_", "relu", "relu_", "glu", "hardtanh", "hardtanh_", "relu6", "elu",
    "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu",
    "rrelu_", "logsigmoid", "gelu", "hardshrink", "tanhshrink", "softsign", "softplus",
    "softmin", "softmax", "gumbel_softmax", "log_softmax", "softshrink", "tanh", "sigmoid",
    "hardsigmoid", "silu", "mish", "hardswish",
    # dropout
    "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
    # losses
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "hinge_embedding_loss", "multi_margin_loss", "soft_margin_loss",
    "multilabel_soft_margin_loss", "multilabel_margin_loss", "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss", "triplet_margin_with_distance_loss",
    # linear maps, distances, misc
    "linear", "bilinear", "one_hot", "pad", "normalize", "cosine_similarity",
    "pairwise_distance",
]

# ============================================================================ activations


def threshold(input, threshold, value, inplace=False):
    """x where x > threshold, else value."""
    if inplace:
        return _inplace(_k.Threshold, input, "threshold_", threshold, value)
    return _k.Threshold.apply(input, threshold, value)


def threshold_(input, threshold, value):
    return _inplace(_k.Threshold, input, "threshold_", threshold, value)


def relu(input, inplace=False):
    """max(x, 0) (ember.relu: the same op)."""
    if inplace:
        return input.relu_()
    return _Relu.apply(input)


def relu_(input):
    return input.relu_()


def glu(input, dim=-1):
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    _float_only(input, "glu_cpu")
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{a.shape[d]}")
    return _k.Glu.apply(input, d)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """x clipped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(_k.Hardtanh, input, "hardtanh_", min_val, max_val)
    return _k.Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    _float_only(input, "elu_cpu")
    if inplace:
        return _inplace(_k.Elu, input, "elu_", float(alpha), 1.0, 1.0)
    return _k.Elu.apply(input, float(alpha), 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU = (1.6732632423543772, 1.0507009873554805, 1.0)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with alpha = 1.6733, scale = 1.0507 (self-normalising)."""
    _float_only(input, "elu_cpu")
    if inplace:
        return _inplace(_k.Elu, input, "selu_", *_SELU)
    return _k.Elu.apply(input, *_SELU)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    _float_only(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    if inplace:
        return _inplace(_k.Celu, input, "celu_", float(alpha), 1.0, 1.0 / alpha)
    return _k.Celu.apply(input, float(alpha), 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    _float_only(input, "leaky_relu_cpu")
    if inplace:
        return _inplace(_k.LeakyRelu, input, "leaky_relu_", float(negative_slope))
    return _k.LeakyRelu.apply(input, float(negative_slope))


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


prelu = _k.prelu


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slope ~ U(lower, upper) in training, their mean otherwise."""
    return _k._rrelu(input, lower, upper, training, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def logsigmoid(input):
    """log(sigmoid(x)), stable for large |x|."""
    _float_only(input, "log_sigmoid_cpu")
    return _k.LogSigmoid.apply(input)


def gelu(input, approximate="none"):
    """x * Phi(x) (Phi the normal CDF), or its tanh approximation."""
    if approximate != "none" and approximate != "tanh":
        raise RuntimeError("approximate argument must be either none or tanh.")
    _float_only(input, "GeluKernelImpl")
    return _k.Gelu.apply(input, approximate)


def hardshrink(input, lambd=0.5):
    return _k.hardshrink(input, lambd)


def tanhshrink(input):
    """x - tanh(x)."""
    return _k.Tanhshrink.apply(input)


def softsign(input):
    """x / (1 + |x|)."""
    return _k.Softsign.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear where beta * x > threshold."""
    _float_only(input, "softplus_cpu")
    return _k.Softplus.apply(input, beta, threshold)


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input._data.ndim, _stacklevel)
    return _k.softmax(_Neg.apply(input), dim, dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input._data.ndim, _stacklevel)
    return _k.softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed stably."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input._data.ndim, _stacklevel)
    return _k.log_softmax(input, dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution; ``hard`` gives one-hot samples with the
    soft sample's gradient (straight-through)."""
    from ..random import _rng
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    a = logits._data
    gumbels = -np.log(_rng().exponential(size=a.shape)).astype(a.dtype)
    y_soft = softmax((logits + _new_tensor(gumbels)) / tau, dim)
    if not hard:
        return y_soft
    d = _wrap_dim(dim, a.ndim)
    idx = np.expand_dims(y_soft._data.argmax(d), d)
    y_hard = np.zeros_like(a)
    np.put_along_axis(y_hard, idx, 1.0, axis=d)
    return _new_tensor(y_hard) - y_soft.detach() + y_soft


def softshrink(input, lambd=0.5):
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    _float_only(input, "softshrink_check")
    return _k.Softshrink.apply(input, lambd)


def tanh(input):
    return _Tanh.apply(input)


def sigmoid(input):
    return _Sigmoid.apply(input)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    _float_only(input, "hardsigmoid_cpu")
    if inplace:
        return _inplace(_k.Hardsigmoid, input, "hardsigmoid_")
    return _k.Hardsigmoid.apply(input)


def silu(input, inplace=False):
    """x * sigmoid(x) (swish)."""
    _float_only(input, "silu_cpu")
    if inplace:
        return _inplace(_k.Silu, input, "silu_")
    return _k.Silu.apply(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    _float_only(input, "mish_cpu")
    if inplace:
        return _inplace(_k.Mish, input, "mish_")
    return _k.Mish.apply(input)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _float_only(input, "hardswish_cpu")
    if inplace:
        return _inplace(_k.Hardswish, input, "hardswish_")
    return _k.Hardswish.apply(input)


# ============================================================================ dropout


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability p, scale the survivors by 1 / (1 - p); identity when
    not training."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps the mean and variance of SELU activations."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=2, alpha=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _dropout_impl(input, p, training, inplace, feature=2 if nd == 3 else 1)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (dim 1) of (N, C, H, W) inputs."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=2)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    nd = input._data.ndim
    if nd not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, feature=2 if nd == 5 else 1)


# ============================================================================ losses


def _legacy(size_average, reduce, stacklevel=3):
    """PyTorch's legacy_get_string: the reduction named by size_average/reduce, with warning."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=stacklevel)
    return ret


def _red(reduction):
    r = _k._REDUCTIONS.get(reduction)
    if r is None:
        if reduction == "elementwise_mean":
            warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                          "reduction='mean' instead.", stacklevel=3)
            return MEAN
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


def _size_warning(input, target):
    if input._data.shape != target._data.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _check_broadcast(a, b):
    sa, sb = a._data.shape, b._data.shape
    if sa == sb:
        return
    nd = max(len(sa), len(sb))
    for i in range(1, nd + 1):
        x = sa[-i] if i <= len(sa) else 1
        y = sb[-i] if i <= len(sb) else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {nd - i}")


def _promote(a, b):
    """Both tensors at PyTorch's result dtype (a no-op when they already agree)."""
    if a._data.dtype is b._data.dtype or a._data.dtype == b._data.dtype:
        return a, b
    dt = result_type(a, b)
    return (a if a.dtype is dt else a.to(dt)), (b if b.dtype is dt else b.to(dt))


def _weighted(input, loss, weight, reduction, by_weight=True):
    """The weighted forms of l1/mse/huber loss (PyTorch composes them from ops)."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    wl = loss * weight
    if reduction == "none":
        return wl
    if reduction == "sum":
        return wl.sum()
    if reduction == "mean":
        return wl.sum() / weight.sum() if by_weight else wl.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', "
                     "'sum'.")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-w * (y log x + (1 - y) log(1 - x)), logs clamped at -100; ``input`` holds
    probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    red = _red(reduction)
    x, t = input._data, target._data
    if t.shape != x.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_tname(t.dtype)} but expected {_tname(x.dtype)}")
    lo, hi = (x.min(), x.max()) if x.size else (0.5, 0.5)
    if not (lo >= 0 and hi <= 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    w = None
    if weight is not None:
        w = weight._data
        try:
            np.broadcast_shapes(w.shape, t.shape)
        except ValueError:
            from ..tensor import Size
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {w.shape[-1]} at -1! Mismatching "
                f"argument at index 1 had {Size(w.shape)}; but expected shape should be "
                f"broadcastable to {list(t.shape)}") from None
        if w.dtype != x.dtype:
            w = w.astype(x.dtype)
    return _k.BinaryCrossEntropy.apply(input, target, w, red, bool(lo == 0 or hi == 1))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from logits in one op;
    ``pos_weight`` weighs the positive term per class."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    red = _red(reduction)
    x, t = input._data, target._data
    if t.shape != x.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    if t.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_tname(t.dtype)}")
    _float_only(input, "log_sigmoid_cpu")
    if x.dtype != t.dtype:
        input = input.to(target.dtype)
    w = None if weight is None else weight._data.astype(t.dtype, copy=False)
    pw = None if pos_weight is None else pos_weight._data.astype(t.dtype, copy=False)
    return _k.BinaryCrossEntropyWithLogits.apply(input, target, w, pw, red)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """log_softmax + nll_loss in one fused op; ``target`` holds class indices (any of (N,),
    (N, d1, ...), ()) or class probabilities of the input's shape."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    return _k.cross_entropy_loss(input, target, weight, _red(reduction), ignore_index,
                                 label_smoothing)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """-input[n, target[n]] weighted, for log-probability inputs."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    return _k.nll_loss_nd(input, target, weight, _red(reduction), ignore_index)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """(input - target) ** 2, reduced."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    _check_broadcast(input, target)
    input, target = _promote(input, target)
    if weight is not None:
        return _weighted(input, _k.MseLoss.apply(input, target, NONE), weight, reduction)
    red = _red(reduction)
    _float_only(input, "mse_cpu")
    return _k.MseLoss.apply(input, target, red)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """|input - target|, reduced."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    _check_broadcast(input, target)
    input, target = _promote(input, target)
    if weight is not None:
        return _weighted(input, _k._L1[NONE].apply(input, target, NONE), weight, reduction)
    red = _red(reduction)
    return _k._L1[red].apply(input, target, red)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (d = input - target)."""
    _size_warning(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    red = _red(reduction)
    _check_broadcast(input, target)
    input, target = _promote(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _k._L1[red].apply(input, target, red)
    return _k.SmoothL1Loss.apply(input, target, red, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2)."""
    _size_warning(input, target)
    _check_broadcast(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    if weight is not None:
        return _weighted(input, _k.HuberLoss.apply(input, target, NONE, float(delta)), weight,
                         reduction, False)
    red = _red(reduction)
    return _k.HuberLoss.apply(input, target, red, float(delta))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence of ``target`` from log-probabilities ``input``:
    target * (log(target) - input); ``reduction='batchmean'`` divides the sum by the batch
    size (the mathematically correct KL)."""
    if size_average is not None or reduce is not None:
        red = _red(_legacy(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.", stacklevel=2)
        if reduction == "batchmean":
            red = BATCHMEAN if input._data.ndim else SUM
        else:
            red = _red(reduction)
    if input._data.dtype.kind != "f" or target._data.dtype.kind != "f":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    _check_broadcast(input, target)
    input, target = _promote(input, target)
    k = 4 if (log_target and red == NONE) else red
    return _k._KL[k].apply(input, target, red, bool(log_target))


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (log_input) or input - target * log(input + eps), plus the
    Stirling term when ``full``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    red = _red(reduction)
    input, target = _promote(input, target)
    k = 3 if (full and red == NONE) else red
    return _k._POISSON[k].apply(input, target, red, bool(log_input), bool(full), eps)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)^2 / var), var clamped at eps."""
    from ..autograd import no_grad
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * input.new_ones(input.shape)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var._data.shape != input._data.shape:
        if input._data.shape[:-1] == var._data.shape:
            var = var.unsqueeze(-1)
        elif input._data.ndim == var._data.ndim and sum(
                y for x, y in zip(input._data.shape, var._data.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _legacy_enum(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _red(_legacy(size_average, reduce, 4))
    return _red(reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target == 1, max(0, margin - input) where target == -1."""
    red = _legacy_enum(size_average, reduce, reduction)
    _check_broadcast(input, target)
    return _k._HINGE[red].apply(input, target, red, margin)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), reduced."""
    red = _legacy_enum(size_average, reduce, reduction)
    _check_broadcast(input, target)
    if target._data.dtype != input._data.dtype:
        target = target.to(input.dtype)
    return _k.SoftMarginLoss.apply(input, target, red)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: sum over j != y of max(0, margin - x[y] + x[j]) ** p / C."""
    red = _legacy_enum(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight._data.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x, t = input._data, target._data
    if x.ndim > 2 or x.size == 0:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    n = x.shape[0] if x.ndim == 2 else 1
    c = x.shape[-1] if x.ndim else 1
    if t.ndim > 1 or t.size != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(t.shape)}. Input has shape {list(x.shape)}.")
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_tname(t.dtype)}")
    if t.size and (t.min() < 0 or t.max() >= c):
        raise RuntimeError("target out of range")
    w = None
    if weight is not None:
        w = weight._data
        if w.size != c:
            raise RuntimeError(f"inconsistent weight size, expected {c} but got "
                               f"{list(w.shape)}")
        if w.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {_tname(x.dtype)} but found "
                               f"{_tname(w.dtype)}")
    return _k.MultiMargin.apply(input, target, w, red, p, margin)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss; each target row lists class indices, ended by -1."""
    red = _legacy_enum(size_average, reduce, reduction)
    x, t = input._data, target._data
    if x.ndim > 2 or x.size == 0:
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    if t.shape != x.shape and not (x.ndim <= 1 and t.ndim <= 1 and t.size == x.size):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: "
                           f"{list(x.shape)}")
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {_tname(t.dtype)}")
    c = x.shape[-1] if x.ndim else 1
    if t.size and (t.min() < -1 or t.max() >= c):
        raise RuntimeError("target out of range")
    return _k.MultilabelMargin.apply(input, target, red)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Mean over classes of the per-class logistic loss."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    c = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / c
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    red = _legacy_enum(size_average, reduce, reduction)
    a1, a2, t = input1._data, input2._data, target._data
    if t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.ndim == 1:
        if a1.ndim != 2 or a2.ndim != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                               f"with sizes {list(a1.shape)} and {list(a2.shape)}.")
    elif a1.ndim != 1 or a2.ndim != 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {list(a1.shape)} and {list(a2.shape)}.")
    input1, input2 = _promote(input1, input2)
    return _k._COSEMB[red].apply(input1, input2, target, red, margin)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    red = _legacy_enum(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    if target._data.dtype != input1._data.dtype:
        target = target.to(input1.dtype)
    return _k._MRANK[red].apply(input1, input2, target, red, margin)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance."""
    red = _legacy_enum(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    return loss if red == NONE else loss.sum() if red == SUM else loss.mean()


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """triplet_margin_loss with any distance function (pairwise_distance by default)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(distance_function(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss


# ============================================================================ misc


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dimensions: pad = (left, right, top, bottom, ...)."""
    n = len(pad)
    if n % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input._data.ndim
    if n // 2 > nd:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {n} and input of dimension {nd}")
    if mode == "constant":
        return _k.constant_pad_nd(input, pad, 0 if value is None else value)
    if mode in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad(mode={mode!r}) is not implemented yet in ember; only "
                                  "mode='constant' is available")
    raise NotImplementedError(f"Unrecognised padding mode {mode}")


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along ``dim``."""
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    r = _k.Normalize.apply(input, float(p), d if a.ndim else None, eps)
    if out is not None:
        np.copyto(out._data, r._data, casting="unsafe")
        out._version[0] += 1
        return out
    return r


# convolution, pooling, normalisation, image and embedding ops live in ember.ops.conv/pool/
# norm/vision_ops/embedding
from ..ops.conv import FUNCTIONAL as _conv_f  # noqa: E402
from ..ops.pool import FUNCTIONAL as _pool_f  # noqa: E402
from ..ops.norm import FUNCTIONAL as _norm_f  # noqa: E402
from ..ops.vision_ops import FUNCTIONAL as _vision_f  # noqa: E402
from ..ops.embedding import embedding, embedding_bag  # noqa: E402
_embedding_f = {"embedding": embedding, "embedding_bag": embedding_bag}
for _fns in (_conv_f, _pool_f, _norm_f, _vision_f, _embedding_f):
    globals().update(_fns)
    __all__ += [_n for _n in _fns if _n not in __all__]
