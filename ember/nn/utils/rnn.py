"""Variable-length batches for recurrent layers: ``PackedSequence`` and (un)packing helpers.

A packed batch stores, time step by time step, only the sequences still running at that step
(sorted longest first): ``data`` is (sum of lengths, *) and ``batch_sizes[t]`` counts the rows of
step t. RNN, LSTM and GRU take one and return one, so no step is spent on padding and each
sequence's final state is taken at its true last step.
"""
from collections import namedtuple

import numpy as np

from ...tensor import Tensor, _new_tensor
from ...ops.rnn import PackPadded, PadPacked, PadSequence, pack_indices

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]

_PackedSequenceBase = namedtuple("PackedSequence_",
                                 ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """Packed data of a batch of variable-length sequences (made by ``pack_padded_sequence``
    or ``pack_sequence``, never by hand): ``data``, ``batch_sizes`` (int64, per time step),
    ``sorted_indices`` / ``unsorted_indices`` (the batch permutation, or None)."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with(self, data):
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        """The same batch with ``data`` moved or converted (indices follow the device)."""
        return self._with(self.data.to(*args, **kwargs))

    def cpu(self, *args, **kwargs):
        return self._with(self.data.cpu())

    def cuda(self, *args, **kwargs):
        return self._with(self.data.cuda(*args, **kwargs))

    def pin_memory(self):
        return self

    def double(self):
        return self._with(self.data.double())

    def float(self):
        return self._with(self.data.float())

    def half(self):
        return self._with(self.data.half())

    def long(self):
        return self._with(self.data.long())

    def int(self):
        return self._with(self.data.int())

    def short(self):
        return self._with(self.data.short())

    def char(self):
        return self._with(self.data.char())

    def byte(self):
        return self._with(self.data.byte())

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The inverse permutation (``inv[perm[i]] = i``), or None for None."""
    if permutation is None:
        return None
    p = permutation._data
    inv = np.empty_like(p)
    inv[p] = np.arange(p.shape[0], dtype=p.dtype)
    return _new_tensor(inv)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        a = lengths._data
        if a.ndim != 1:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{a.ndim}D cpu Long tensor")
        return a.astype(np.int64)
    a = np.asarray(lengths)
    if a.ndim != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{a.ndim}D cpu Long tensor")
    return a.astype(np.int64)


def _batch_sizes(lengths, T):
    """Sequences still running at each step (lengths sorted longest first)."""
    return (np.arange(T)[:, None] < lengths[None, :]).sum(1).astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` when ``batch_first``) of sequences with
    the given ``lengths``. With ``enforce_sorted=False`` the batch is sorted by length here and
    the permutation is kept in the result (``unsorted_indices`` restores the order)."""
    lens = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = _new_tensor(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected a tensor of at least 2 dimensions, got {x.ndim}")
    T, B = (x.shape[1], x.shape[0]) if batch_first else (x.shape[0], x.shape[1])
    if lens.shape[0] != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lens.shape[0]} (batch_size={B})")
    if B and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if B > 1 and np.any(lens[1:] > lens[:-1]):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability.")
    if B and lens[0] > T:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to "
                           f"{lens[0]}, but got {T}")
    Tm = int(lens[0]) if B else 0
    idx = pack_indices(lens, T, batch_first)
    data = PackPadded.apply(input, idx)
    return PackedSequence(data, _new_tensor(_batch_sizes(lens, Tm)), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of ``pack_padded_sequence``: the padded batch ``(T, B, *)`` (``(B, T, *)`` when
    ``batch_first``) in the original order, and the lengths (int64)."""
    bsz = sequence.batch_sizes._data
    max_len = bsz.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_len}")
        max_len = total_length
    B = int(bsz[0]) if bsz.shape[0] else 0
    lens = (bsz[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    idx = pack_indices(lens, max_len, batch_first)
    data = sequence.data
    trail = tuple(data._data.shape[1:])
    shape = ((B, max_len) if batch_first else (max_len, B)) + trail
    padded = PadPacked.apply(data, idx, shape, padding_value)
    lengths = _new_tensor(lens)
    un = sequence.unsorted_indices
    if un is not None:
        padded = padded.index_select(0 if batch_first else 1, un)
        lengths = _new_tensor(lens[un._data])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack a list of ``(L_i, *)`` tensors into ``(T, B, *)`` (``(B, T, *)`` when
    ``batch_first``), padding with ``padding_value`` on ``padding_side``."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    try:
        sequences = tuple(sequences)
    except TypeError:
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}") from None
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise ValueError("Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    trail = sequences[0]._data.shape[1:]
    for s in sequences[1:]:
        st = s._data.shape[1:]
        if st != trail:
            for d, (a, b) in enumerate(zip(st, trail)):
                if a != b:
                    raise RuntimeError(f"The size of tensor a ({b}) must match the size of "
                                       f"tensor b ({a}) at non-singleton dimension {d + 1}")
            raise RuntimeError(f"The expanded size of the tensor ({len(st)}) must match the "
                               f"existing size ({len(trail)})")
    return PadSequence.apply(bool(batch_first), padding_value, padding_side == "left",
                             *sequences)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Inverse of ``pad_sequence``: a list of the ``(L_i, *)`` sequences."""
    lens = _lengths_array(lengths)
    out = []
    for i, n in enumerate(lens.tolist()):
        out.append(padded_sequences[i, :n] if batch_first else padded_sequences[:n, i])
    return out


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of ``(L_i, *)`` tensors (longest first, unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Inverse of ``pack_sequence``: the list of ``(L_i, *)`` tensors, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
