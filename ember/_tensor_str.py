"""Tensor printing: ``repr(tensor)`` laid out exactly like PyTorch's ``torch/_tensor_str.py``.

The recipe, as in PyTorch:

1. Decide whether to *summarize* (more than ``threshold`` elements): then only the first and
   last ``edgeitems`` entries of every dimension are shown, with ``...`` in between.
2. Build a ``_Formatter`` from the (summarized) values. It picks one style for the whole tensor
   (integer-valued floats ``5.``, fixed ``0.1235`` or scientific ``1.2346e+08``) and one common
   width, so the columns line up.
3. Print nested brackets recursively; 1-d rows wrap at ``linewidth``.
4. Append suffixes such as ``dtype=ember.float64`` or ``requires_grad=True``.

Complex tensors get two formatters, one for the real parts and one for the imaginary parts.
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import _dtype

__all__ = ["PRINT_OPTS", "set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None  # None (choose automatically), True or False


PRINT_OPTS = _PrinterOptions()

# profile name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set print options, as ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") resets the four numeric options first; explicit
    arguments then override it. ``sci_mode`` is always assigned, so leaving it out means "auto".
    """
    if profile in _PROFILES:  # torch silently ignores unknown profile names
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**d)`` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Context manager that changes print options temporarily."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """One style and one width for every element of a real-valued (or bool/int) array."""

    def __init__(self, data):
        self.floating = data.dtype.kind == "f"
        self.int_mode = True   # floats that are all whole numbers print as "5."
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)

        if not self.floating:  # bool and integers: just the widest str()
            for value in np.unique(flat).tolist():
                self.max_width = max(self.max_width, len(str(value)))
            return

        # Only nonzero finite values decide the style; inf/nan/0 never do.
        values = flat[np.isfinite(flat) & (flat != 0)]
        if values.size == 0:
            return
        abs_values = np.abs(values).astype(np.float64)
        lo, hi = float(abs_values.min()), float(abs_values.max())
        self.int_mode = bool(np.all(values == np.ceil(values)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        p = PRINT_OPTS.precision
        for value in np.unique(values).tolist():
            if self.sci_mode:
                text = f"{value:.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}."
            else:
                text = f"{value:.{p}f}"
            self.max_width = max(self.max_width, len(text))

    def width(self):
        return self.max_width

    def format(self, value):
        """Format one Python number, right-aligned to the common width."""
        if self.floating:
            p = PRINT_OPTS.precision
            if self.sci_mode:
                text = f"{value:{self.max_width}.{p}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."  # marks a float: "5." (but "inf", "nan" stay as they are)
            else:
                text = f"{value:.{p}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _format_element(value, real_fmt, imag_fmt=None):
    """One element; complex numbers are ``real`` + ``[+-]imag`` + ``j``."""
    if imag_fmt is None:
        return real_fmt.format(value)
    real = real_fmt.format(value.real)
    imag = (imag_fmt.format(value.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _vector_str(data, indent, summarize, real_fmt, imag_fmt=None):
    """A 1-d row ``[a, b, c]``, wrapped so lines fit in ``linewidth``."""
    element_length = real_fmt.width() + 2  # the element plus ", "
    if imag_fmt is not None:
        element_length += imag_fmt.width() + 1  # the imaginary part and its "j"
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def fmt(values):
        return [_format_element(v, real_fmt, imag_fmt) for v in values.tolist()]

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = fmt(data[:edge]) + [" ..."] + fmt(data[-edge:])
    else:
        items = fmt(data)

    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(data, indent, summarize, real_fmt, imag_fmt=None):
    """Nested brackets; sub-tensors of a d-dim tensor are separated by d-1 newlines."""
    if data.ndim == 0:
        return _format_element(data.item(), real_fmt, imag_fmt)
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, real_fmt, imag_fmt)

    def sub(i):
        return _tensor_str_with_formatter(data[i], indent + 1, summarize, real_fmt, imag_fmt)

    n, edge = data.shape[0], PRINT_OPTS.edgeitems
    if summarize and n > 2 * edge:
        slices = [sub(i) for i in range(edge)] + ["..."] + [sub(i) for i in range(n - edge, n)]
    else:
        slices = [sub(i) for i in range(n)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(data):
    """The values that a summarized print shows (first/last ``edgeitems`` along each axis)."""
    edge = PRINT_OPTS.edgeitems
    if data.ndim > 1 and not edge:
        return data[(slice(0, 0),) * data.ndim]
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            # like torch, data[-0:] is everything, so edgeitems=0 keeps a 1-d tensor whole
            head = np.take(data, range(edge), axis=axis)
            tail = np.take(data, range(size - edge if edge else 0, size), axis=axis)
            data = np.concatenate([head, tail], axis=axis)
    return data


def _tensor_str(data, indent):
    """The bracketed contents of a tensor's repr (without ``tensor(`` and suffixes)."""
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold

    def formatter(values):
        return _Formatter(_summarized_data(values) if summarize else values)

    if data.dtype.kind == "c":
        return _tensor_str_with_formatter(data, indent, summarize,
                                          formatter(data.real), formatter(data.imag))
    return _tensor_str_with_formatter(data, indent, summarize, formatter(data))


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    """Append ``, suffix`` items, starting a new line when one would pass ``linewidth``."""
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1  # torch's arithmetic, kept
    for suffix in suffixes:
        if force_newline or last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
            force_newline = False
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, tensor_contents=None):
    """``repr`` of a tensor-like ``t`` (with ``_data``, ``dtype``, ``requires_grad``, ``grad_fn``).

    ``tensor_contents``, when given, replaces the bracketed values (the suffixes stay).
    """
    prefix = "tensor("
    indent = len(prefix)
    data = np.asarray(t._data)
    suffixes = []

    default = _dtype.get_default_dtype()
    default_complex = _dtype.complex128 if default is _dtype.float64 else _dtype.complex64
    has_default_dtype = t.dtype in (default, default_complex, _dtype.int64, _dtype.bool)

    if data.size == 0:
        # The shape is printed unless it is (0,); with no values to show, so is any
        # dtype other than the default float one (int64 and bool included).
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        if t.dtype is not default:
            suffixes.append("dtype=" + str(t.dtype))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + str(t.dtype))
        tensor_str = _tensor_str(data, indent) if tensor_contents is None else None
    if tensor_contents is not None:
        tensor_str = tensor_contents

    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent)
