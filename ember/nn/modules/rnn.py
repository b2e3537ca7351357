"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step cells.

Parameters, their names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0``), shapes,
gate order (LSTM: i, f, g, o; GRU: r, z, n) and initialisation (U(-1/sqrt(h), 1/sqrt(h))) are
PyTorch's, so state_dicts move between the two. Each layer and direction runs as one Function
over the whole sequence (``ember.ops.rnn``, where the chapter's equations are written out):

    LSTM:  i = sigma(W_ii x + b_ii + W_hi h + b_hi)     f = sigma(W_if x + b_if + W_hf h + b_hf)
           g = tanh(W_ig x + b_ig + W_hg h + b_hg)      o = sigma(W_io x + b_io + W_ho h + b_ho)
           c' = f * c + i * g                           h' = o * tanh(c')
"""
import math
import numbers
import warnings

import numpy as np

from .module import Module
from ..parameter import Parameter
from .. import init
from ..utils.rnn import PackedSequence
from ...ops import rnn as _k

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_KERNELS = {"LSTM": _k.LSTMLayer, "GRU": _k.GRULayer, "RNN_TANH": _k.RNNTanhLayer,
            "RNN_RELU": _k.RNNReluLayer}


def _empty(*shape, dtype=None):
    from ..._dtype import get_default_dtype, to_dtype
    dt = get_default_dtype() if dtype is None else to_dtype(dtype)
    return np.empty(shape, dt.np)


def _dropout(x, p):
    """Dropout on a layer's output (between layers, training only), with ember's RNG."""
    from ...random import _rng
    a = x._data
    dt = a.dtype
    if p >= 1:
        m = np.zeros(a.shape, dt)
    else:
        m = (_rng().random(a.shape, dtype=np.float32) >= p).astype(dt)
        m *= dt.type(1.0 / (1.0 - p))
    return _k.RNNDropout.apply(x, m)


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, argument
    checks, and the layer-by-layer run over padded or packed input."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0, device=None,
                 dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
                or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: "
                            f"{type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: "
                            f"{type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_in = input_size if layer == 0 else real_hidden * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih_l{}{}", (gate_size, layer_in)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden))]
                if bias:
                    params += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(_empty(*shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def flatten_parameters(self):
        """Accepted for compatibility (cuDNN weight packing); nothing to do on NumPy."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---------------------------------------------------------------- argument checks
    def check_input(self, input, batch_sizes):
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({w.dtype}). Convert input: input.to({w.dtype}), or convert "
                             f"model: model.to({input.dtype})")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, h)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(tuple(expected_hidden_size), list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ---------------------------------------------------------------- the run
    def _prepare(self, input, hx, name):
        """Unpack the input: (x, batch_sizes tuple or None, sorted/unsorted indices,
        is_batched, batch_dim, hx with a batch dimension)."""
        if isinstance(input, PackedSequence):
            x, batch_sizes, sorted_indices, unsorted_indices = input
            bs = tuple(int(v) for v in batch_sizes._data.tolist())
            return x, bs, batch_sizes, sorted_indices, unsorted_indices, True, 1, hx
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             + ("tensor instead" if name == "RNN" else "instead"))
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        return input, None, None, None, None, is_batched, batch_dim, hx

    def _run(self, x, batch_sizes, states):
        """Run every layer and direction. ``x`` is (T, B, I) time-major or packed (N, I);
        ``states`` a list of (L*D, B, *) initial-state tensors or None. Returns the last
        layer's output and the list of final states, each (L*D, B, *)."""
        from ... import cat, stack
        kernel = _KERNELS[self.mode]
        D = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        finals = [[] for _ in range(2 if lstm else 1)]
        layer_in = x
        p = self.dropout if self.training else 0.0
        names = self._all_weights
        for layer in range(self.num_layers):
            outs = []
            for d in range(D):
                k = layer * D + d
                ws = [getattr(self, n) for n in names[k]]
                w_ih, w_hh = ws[0], ws[1]
                b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
                init_states = [None if s is None else s[k] for s in states]
                if lstm:
                    w_hr = ws[-1] if self.proj_size > 0 else None
                    y, hn, cn = kernel.apply(layer_in, init_states[0], init_states[1], w_ih,
                                             w_hh, b_ih, b_hh, w_hr, batch_sizes, d == 1)
                    finals[1].append(cn)
                else:
                    y, hn = kernel.apply(layer_in, init_states[0], w_ih, w_hh, b_ih, b_hh,
                                         batch_sizes, d == 1)
                finals[0].append(hn)
                outs.append(y)
            layer_in = outs[0] if D == 1 else cat(outs, -1)
            if p > 0 and layer < self.num_layers - 1:
                layer_in = _dropout(layer_in, p)
        return layer_in, [stack(f, 0) for f in finals]


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        self.__dict__["nonlinearity"] = nonlinearity   # set before Module.__init__, as PyTorch
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        x, bs, bs_t, sorted_idx, unsorted_idx, is_batched, batch_dim, hx = \
            self._prepare(input, hx, "RNN")
        packed = bs is not None
        if not packed:
            if not is_batched:
                if hx is not None:
                    if hx.dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx should also be 2-D "
                                           f"but got {hx.dim()}-D tensor")
                    hx = hx.unsqueeze(1)
            elif hx is not None and hx.dim() != 3:
                raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
        if hx is not None:
            self.check_forward_args(x, hx, bs)
            hx = self.permute_hidden(hx, sorted_idx)
        else:
            self.check_input(x, bs)
        return _finish(self, x, bs, bs_t, sorted_idx, unsorted_idx, is_batched,
                       batch_dim, [hx])


class LSTM(RNNBase):
    """Long short-term memory: ``LSTM(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False, proj_size=0)``; returns
    ``(output, (h_n, c_n))``."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input, hx=None):
        x, bs, bs_t, sorted_idx, unsorted_idx, is_batched, batch_dim, hx = \
            self._prepare(input, hx, "LSTM")
        packed = bs is not None
        if hx is not None:
            if not packed:
                if is_batched:
                    if hx[0].dim() != 3 or hx[1].dim() != 3:
                        raise RuntimeError("For batched 3-D input, hx and cx should also be "
                                           f"3-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) "
                                           "tensors")
                else:
                    if hx[0].dim() != 2 or hx[1].dim() != 2:
                        raise RuntimeError("For unbatched 2-D input, hx and cx should also be "
                                           f"2-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) "
                                           "tensors")
                    hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
            self.check_forward_args(x, hx, bs)
            hx = self.permute_hidden(hx, sorted_idx)
            states = list(hx)
        else:
            self.check_input(x, bs)
            states = [None, None]
        return _finish(self, x, bs, bs_t, sorted_idx, unsorted_idx, is_batched,
                       batch_dim, states)


class GRU(RNNBase):
    """Gated recurrent unit: ``GRU(input_size, hidden_size, num_layers=1, bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns ``(output, h_n)``."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    forward = RNN.forward

    def _prepare(self, input, hx, name):
        return RNNBase._prepare(self, input, hx, "GRU")


def _finish(m, x, bs, bs_t, sorted_idx, unsorted_idx, is_batched, batch_dim, states):
    """Run the layers and shape the outputs as PyTorch returns them."""
    packed = bs is not None
    for st in states:
        if st is not None and st.dtype != x.dtype:
            raise RuntimeError("Input and hidden tensors are not the same dtype, found input "
                               f"tensor with {x.dtype._tensor_type[:-6]} and hidden tensor with "
                               f"{st.dtype._tensor_type[:-6]}")
    if packed:
        xt = x
    elif m.batch_first:
        xt = x.transpose(0, 1)
    else:
        xt = x
    if not packed and xt.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    out, finals = m._run(xt, bs, states)
    if packed:
        output = PackedSequence(out, bs_t, sorted_idx, unsorted_idx)
    else:
        output = out.transpose(0, 1) if m.batch_first else out
        if not is_batched:
            output = output.squeeze(batch_dim)
            finals = [f.squeeze(1) for f in finals]
    if unsorted_idx is not None:
        finals = [f.index_select(1, unsorted_idx) for f in finals]
    if m.mode == "LSTM":
        return output, (finals[0], finals[1])
    return output, finals[0]


# ------------------------------------------------------------------------------------- cells

class RNNCellBase(Module):
    """Weights of one recurrent step: ``weight_ih`` (chunks*hidden, input), ``weight_hh``
    (chunks*hidden, hidden), optional ``bias_ih``, ``bias_hh``."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(_empty(num_chunks * hidden_size, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(_empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _cell_input(self, input, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} "
                               f"expected {self.input_size}")
        return input.dim() == 2

    def _check_state(self, h, B, i=0):
        if h.size(0) != B:
            raise RuntimeError(f"Input batch size {B} doesn't match hidden{i} batch size "
                               f"{h.size(0)}")
        if h.size(-1) != self.hidden_size:
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {h.size(-1)}, "
                               f"expected {self.hidden_size}")


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        is_batched = self._cell_input(input, "RNNCell")
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is not None:
            if not is_batched:
                hx = hx.unsqueeze(0)
            self._check_state(hx, input.size(0))
        if self.nonlinearity == "tanh":
            kernel = _k.RNNTanhLayer
        elif self.nonlinearity == "relu":
            kernel = _k.RNNReluLayer
        else:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        _, h = kernel.apply(input.unsqueeze(0), hx, self.weight_ih, self.weight_hh,
                            self.bias_ih, self.bias_hh, None, False)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got "
                                     f"{value.dim()}D instead")
        is_batched = self._cell_input(input, "LSTMCell")
        if not is_batched:
            input = input.unsqueeze(0)
        h0 = c0 = None
        if hx is not None:
            h0, c0 = hx
            if not is_batched:
                h0, c0 = h0.unsqueeze(0), c0.unsqueeze(0)
            self._check_state(h0, input.size(0), 0)
            self._check_state(c0, input.size(0), 1)
        _, h, c = _k.LSTMLayer.apply(input.unsqueeze(0), h0, c0, self.weight_ih,
                                     self.weight_hh, self.bias_ih, self.bias_hh, None, None,
                                     False)
        if not is_batched:
            return h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        is_batched = self._cell_input(input, "GRUCell")
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is not None:
            if not is_batched:
                hx = hx.unsqueeze(0)
            self._check_state(hx, input.size(0))
        _, h = _k.GRULayer.apply(input.unsqueeze(0), hx, self.weight_ih, self.weight_hh,
                                 self.bias_ih, self.bias_hh, None, False)
        return h if is_batched else h.squeeze(0)
