"""ember.nn.utils.rnn: PackedSequence, packing, padding and their round trips."""
import numpy as np
import pytest

import ember
from ember.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pad_packed_sequence,
                                pack_sequence, pad_sequence, unpad_sequence, unpack_sequence,
                                invert_permutation)


def padded(T=4, B=3, F=2):
    return ember.tensor(np.arange(T * B * F, dtype=np.float32).reshape(T, B, F))


def test_reachable_as_attribute():
    assert ember.nn.utils.rnn.pack_padded_sequence is pack_padded_sequence
    assert ember.nn.utils.rnn.PackedSequence is PackedSequence


def test_pack_sorted_layout():
    x = padded()
    p = pack_padded_sequence(x, [4, 2, 1])
    assert isinstance(p, PackedSequence) and isinstance(p, tuple)
    assert p.batch_sizes.tolist() == [3, 2, 1, 1] and p.batch_sizes.dtype == ember.int64
    assert p.sorted_indices is None and p.unsorted_indices is None
    a = x.numpy()
    expect = np.concatenate([a[0, :3], a[1, :2], a[2, :1], a[3, :1]])
    np.testing.assert_array_equal(p.data.numpy(), expect)
    data, bs, si, ui = p                # unpacks like PyTorch's namedtuple
    assert data is p.data and bs is p.batch_sizes


def test_pack_batch_first_and_tensor_lengths():
    x = padded()
    a = pack_padded_sequence(x, ember.tensor([4, 2, 1]))
    b = pack_padded_sequence(x.transpose(0, 1), [4, 2, 1], batch_first=True)
    np.testing.assert_array_equal(a.data.numpy(), b.data.numpy())
    assert a.batch_sizes.tolist() == b.batch_sizes.tolist()


def test_unsorted_round_trip():
    x = padded(5, 4, 2)
    lens = [2, 5, 1, 3]
    p = pack_padded_sequence(x, lens, enforce_sorted=False)
    assert p.sorted_indices.tolist() == [1, 3, 0, 2]
    assert p.unsorted_indices.tolist() == [2, 0, 3, 1]
    out, lengths = pad_packed_sequence(p)
    assert lengths.tolist() == lens and lengths.dtype == ember.int64
    a, o = x.numpy(), out.numpy()
    for b, n in enumerate(lens):
        np.testing.assert_array_equal(o[:n, b], a[:n, b])
        assert np.all(o[n:, b] == 0)


def test_pad_packed_options():
    x = padded()
    p = pack_padded_sequence(x, [4, 3, 1])
    out, lengths = pad_packed_sequence(p, batch_first=True, padding_value=-1.0, total_length=6)
    assert tuple(out.shape) == (3, 6, 2)
    assert np.all(out.numpy()[2, 1:] == -1) and np.all(out.numpy()[:, 4:] == -1)
    np.testing.assert_array_equal(out.numpy()[1, :3], x.numpy()[:3, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of "
                                         "the longest sequence in input, but got "
                                         "total_length=2 and max sequence length being 4"):
        pad_packed_sequence(p, total_length=2)


def test_pack_errors():
    x = padded()
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_padded_sequence(x, [2, 4, 1])
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [4, 2, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to "
                                           r"batch_size, but got 2 \(batch_size=3\)"):
        pack_padded_sequence(x, [4, 2])
    with pytest.raises(RuntimeError, match="'lengths' argument should be a 1D CPU int64 tensor"):
        pack_padded_sequence(x, ember.tensor([[4, 2, 1]]))


def test_pad_sequence_sides_and_layouts():
    a, b = ember.tensor([1.0, 2.0, 3.0]), ember.tensor([4.0])
    np.testing.assert_array_equal(pad_sequence([a, b]).numpy(), [[1, 4], [2, 0], [3, 0]])
    np.testing.assert_array_equal(pad_sequence([a, b], batch_first=True, padding_value=9).numpy(),
                                  [[1, 2, 3], [4, 9, 9]])
    np.testing.assert_array_equal(pad_sequence([a, b], batch_first=True,
                                               padding_side="left").numpy(),
                                  [[1, 2, 3], [0, 0, 4]])
    with pytest.raises(RuntimeError, match="received an empty list of sequences"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        pad_sequence([ember.zeros(2, 3), ember.zeros(2, 4)])


def test_pack_sequence_and_unpack():
    seqs = [ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0, 5.0]), ember.tensor([6.0])]
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_sequence(seqs)
    p = pack_sequence(seqs, enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1]
    np.testing.assert_array_equal(p.data.numpy(), [3, 1, 6, 4, 2, 5])
    back = unpack_sequence(p)
    for s, r in zip(seqs, back):
        np.testing.assert_array_equal(s.numpy(), r.numpy())


def test_unpad_sequence():
    seqs = [ember.ones(3, 2), ember.ones(1, 2) * 2]
    pad = pad_sequence(seqs)
    out = unpad_sequence(pad, ember.tensor([3, 1]))
    assert [tuple(o.shape) for o in out] == [(3, 2), (1, 2)]
    out = unpad_sequence(pad_sequence(seqs, batch_first=True), [3, 1], batch_first=True)
    np.testing.assert_array_equal(out[1].numpy(), [[2, 2]])


def test_packed_sequence_conversions_and_construction():
    p = pack_padded_sequence(padded(), [4, 2, 1], enforce_sorted=False)
    d = p.double()
    assert d.data.dtype == ember.float64 and d.batch_sizes is p.batch_sizes
    assert d.unsorted_indices is p.unsorted_indices
    assert p.to(ember.float32) is p
    q = PackedSequence(p.data, p.batch_sizes, p.sorted_indices)   # unsorted derived
    assert q.unsorted_indices.tolist() == p.unsorted_indices.tolist()
    r = PackedSequence((p.data, p.batch_sizes))
    assert r.batch_sizes is p.batch_sizes and not p.is_cuda
    assert invert_permutation(None) is None
    assert invert_permutation(ember.tensor([2, 0, 1])).tolist() == [1, 2, 0]


def test_gradients_flow_through_packing():
    x = ember.tensor(np.random.default_rng(0).standard_normal((4, 3, 2)), requires_grad=True)
    p = pack_padded_sequence(x, [3, 4, 1], enforce_sorted=False)
    assert type(p.data.grad_fn).__name__ == "PackPaddedSequenceBackward0"
    out, _ = pad_packed_sequence(p)
    out.sum().backward()
    mask = (np.arange(4)[:, None] < np.array([3, 4, 1])[None, :]).astype(float)
    np.testing.assert_array_equal(x.grad.numpy(), np.repeat(mask[:, :, None], 2, axis=2))
