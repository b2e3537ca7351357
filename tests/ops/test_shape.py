"""Shape ops (ember/ops/shape.py): values on hand-checkable inputs, view semantics (shared
memory and version counter), multi-output splits, errors, and float64 gradient checks."""
import warnings

import numpy as np
import pytest

import ember
from helpers import check_grad

R = np.random.default_rng(0)


def A(*shape):
    return R.standard_normal(shape)


def T(a, dtype=None, rg=False):
    return ember.tensor(a, dtype=dtype, requires_grad=rg)


def ar(*shape):
    return ember.tensor(np.arange(float(np.prod(shape))).reshape(shape))


def name(t):
    return type(t.grad_fn).__name__


# ----------------------------------------------------------------------------- views


def test_view_and_reshape_values():
    x = ar(2, 3)
    assert x.view(3, 2).tolist() == [[0, 1], [2, 3], [4, 5]]
    assert x.view((6,)).tolist() == [0, 1, 2, 3, 4, 5]
    assert x.view(-1, 2).shape == (3, 2)
    assert x.view(ember.Size([1, 6])).shape == (1, 6)
    assert x.view(x.size(0), -1).shape == (2, 3)
    assert ember.reshape(x, (3, -1)).shape == (3, 2)
    assert x.t().reshape(6).tolist() == [0, 3, 1, 4, 2, 5]
    assert x.view_as(ember.zeros(6)).shape == (6,)
    assert x.reshape_as(ember.zeros(3, 2)).shape == (3, 2)
    assert T(5.).view(1, 1).shape == (1, 1)
    assert T(5.).reshape(-1).tolist() == [5.]
    assert ember.zeros(0, 3).view(3, 0).shape == (3, 0)


def test_view_shares_memory_version_and_base():
    x = ar(2, 3)
    v = x.view(6)
    v[0] = 10.
    assert x[0, 0].item() == 10.
    assert v._base is x and v._version is x._version
    x.add_(1)
    assert v._version_counter == x._version_counter == 2
    w = v.view(3, 2)
    assert w._base is x            # views of views point at the root
    r = x.t().reshape(6)           # needs a copy: not a view
    assert r._base is None
    r[0] = -1.
    assert x[0, 0].item() == 11.


def test_view_errors():
    x = ar(3, 4)
    with pytest.raises(RuntimeError, match=r"view size is not compatible .* Use \.reshape"):
        x.t().view(12)
    with pytest.raises(RuntimeError, match=r"shape '\[7, -1\]' is invalid for input of size 12"):
        x.view(7, -1)
    with pytest.raises(RuntimeError, match="only one dimension can be inferred"):
        x.view(-1, -1)
    with pytest.raises(RuntimeError, match="ambiguous"):
        ember.zeros(0, 3).view(0, -1)
    with pytest.raises(RuntimeError, match="invalid shape dimension -2"):
        x.reshape(-2, 6)
    with pytest.raises(RuntimeError, match="is invalid for input of size 12"):
        x.reshape(5)


def test_view_of_non_contiguous_compatible_layout_is_allowed():
    x = ar(2, 3, 4)
    y = x.permute(1, 0, 2)          # (3, 2, 4): last dim still contiguous
    assert y.view(3, 2, 2, 2).shape == (3, 2, 2, 2)
    assert x[:, 1].view(2, 2, 2).tolist() == x[:, 1].reshape(2, 2, 2).tolist()


def test_view_dtype_reinterprets():
    x = ember.zeros(2, dtype=ember.float32)
    assert x.view(ember.int32).tolist() == [0, 0]
    assert x.view(ember.int32).dtype == ember.int32


def test_contiguous_flatten_ravel():
    x = ar(2, 3)
    assert x.contiguous() is x
    y = x.t().contiguous()
    assert y.is_contiguous() and y.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert x.flatten().tolist() == [0, 1, 2, 3, 4, 5]
    assert ar(2, 3, 4).flatten(1).shape == (2, 12)
    assert ar(2, 3, 4).flatten(0, 1).shape == (6, 4)
    assert ar(2, 3, 4).flatten(-2, -1).shape == (2, 12)
    assert x.flatten(1, 1) is x
    assert T(3.).flatten().shape == (1,)
    assert x.t().ravel().tolist() == [0, 3, 1, 4, 2, 5]
    assert ember.ravel(x).shape == (6,)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        ar(2, 3, 4).flatten(2, 1)


def test_unflatten():
    x = ar(2, 6)
    assert x.unflatten(1, (2, 3)).shape == (2, 2, 3)
    assert ember.unflatten(x, -1, (3, -1)).shape == (2, 3, 2)
    assert x.unflatten(1, (2, 3))[1, 1].tolist() == [9, 10, 11]
    with pytest.raises(RuntimeError, match="don't multiply up to the size of dim 1"):
        x.unflatten(1, (4, 2))


def test_squeeze_unsqueeze():
    x = ember.zeros(1, 3, 1, 2)
    assert x.squeeze().shape == (3, 2)
    assert x.squeeze(0).shape == (3, 1, 2)
    assert x.squeeze(1).shape == (1, 3, 1, 2)          # not size 1: unchanged
    assert x.squeeze((0, 2)).shape == (3, 2)
    assert ember.squeeze(x, -2).shape == (1, 3, 2)
    assert T(2.).squeeze(0).shape == ()
    assert x.unsqueeze(0).shape == (1, 1, 3, 1, 2)
    assert x.unsqueeze(-1).shape == (1, 3, 1, 2, 1)
    assert T(2.).unsqueeze(0).shape == (1,)
    assert ember.unsqueeze(ember.zeros(3), 1).shape == (3, 1)
    with pytest.raises(IndexError, match=r"expected to be in range of \[-5, 4\], but got 5"):
        x.unsqueeze(5)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.squeeze(4)


def test_permute_transpose_t():
    x = ar(2, 3, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.permute((2, 0, 1))[3, 1, 2].item() == x[1, 2, 3].item()
    assert ember.permute(x, (-1, 0, 1)).shape == (4, 2, 3)
    assert x.transpose(0, 2).shape == (4, 3, 2)
    assert x.swapaxes(0, 1).shape == (3, 2, 4)
    assert ember.swapdims(x, -1, -2).shape == (2, 4, 3)
    m = ar(2, 3)
    assert m.t().tolist() == [[0, 3], [1, 4], [2, 5]]
    assert ember.t(ember.zeros(3)).shape == (3,)
    assert m.T.shape == (3, 2)
    assert x.mT.shape == (2, 4, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert x.T.shape == (4, 3, 2)
    assert "deprecated" in str(w[0].message)
    with pytest.raises(RuntimeError, match="t\\(\\) expects a tensor with <= 2 dimensions, but "
                                           "self is 3D"):
        x.t()
    with pytest.raises(RuntimeError, match="duplicate dims"):
        x.permute(0, 0, 1)
    with pytest.raises(RuntimeError, match="input.dim\\(\\) = 3 is not equal to len\\(dims\\) "
                                           "= 2"):
        x.permute(0, 1)
    with pytest.raises(RuntimeError, match="Got 1-D tensor"):
        ember.zeros(3).mT


def test_movedim():
    x = ember.zeros(2, 3, 4)
    assert x.movedim(0, -1).shape == (3, 4, 2)
    assert ember.movedim(x, (0, 1), (2, 0)).shape == (3, 4, 2)
    assert ember.moveaxis(x, -1, 0).shape == (4, 2, 3)
    with pytest.raises(RuntimeError, match="repeated dim in `source`"):
        x.movedim((0, 0), (1, 2))


def test_expand_broadcast():
    x = T([[1.], [2.]])
    e = x.expand(2, 3)
    assert e.tolist() == [[1, 1, 1], [2, 2, 2]]
    assert e._base is x and e.stride() == (1, 0)
    assert x.expand(4, -1, 3).shape == (4, 2, 3)
    assert x.expand_as(ember.zeros(2, 2)).shape == (2, 2)
    assert ember.broadcast_to(x, (2, 2, 5)).shape == (2, 2, 5)
    assert T(7.).expand(3).tolist() == [7., 7., 7.]
    a, b = ember.broadcast_tensors(ember.zeros(3, 1), ember.ones(4))
    assert a.shape == b.shape == (3, 4)
    assert ember.broadcast_shapes((3, 1), (4,), 1) == (3, 4)
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(3\) must match the "
                                           r"existing size \(2\) at non-singleton dimension 0"):
        x.expand(3, 3)
    with pytest.raises(RuntimeError, match="isn't allowed in a leading, non-existing"):
        x.expand(-1, 2, 3)
    with pytest.raises(RuntimeError, match="The size of tensor a"):
        ember.broadcast_tensors(ember.zeros(3), ember.zeros(4))


def test_repeat_tile():
    x = T([1., 2.])
    assert x.repeat(2).tolist() == [1, 2, 1, 2]
    assert x.repeat(2, 2).tolist() == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert ar(2, 1).repeat(1, 3).tolist() == [[0, 0, 0], [1, 1, 1]]
    assert ember.tile(ar(2, 2), (2,)).shape == (2, 4)
    assert x.tile((2, 1)).shape == (2, 2)
    assert ar(2, 2).tile(2, 1).shape == (4, 2)
    assert x.tile(3).tolist() == [1, 2, 1, 2, 1, 2]
    assert T(3.).repeat(2, 2).tolist() == [[3, 3], [3, 3]]
    with pytest.raises(RuntimeError, match="Number of dimensions of repeat dims"):
        ar(2, 2).repeat(2)


# ----------------------------------------------------------------------------- joins


def test_cat_stack_values_and_dtypes():
    a, b = ar(2, 2), ar(1, 2) + 10
    assert ember.cat([a, b]).tolist() == [[0, 1], [2, 3], [10, 11]]
    assert ember.cat((a, a), 1).shape == (2, 4)
    assert ember.concat([a, a], -1).shape == (2, 4)
    assert ember.concatenate([a, b], 0).shape == (3, 2)
    assert ember.cat([a, ember.zeros(0)]).shape == (2, 2)         # legacy skip of empty 1-d
    assert ember.cat([T([1, 2]), T([1.5])]).dtype == ember.float32
    assert ember.cat([T([1, 2]), T([True])]).tolist() == [1, 2, 1]
    assert ember.cat([T([1], dtype=ember.uint8), T([-1], dtype=ember.int8)]).dtype == ember.int16
    assert ember.stack([T(1.), T(2.)]).tolist() == [1., 2.]
    assert ember.stack([a, a], 2).shape == (2, 2, 2)
    assert ember.stack([T([1, 2]), T([2., 3.])]).dtype == ember.float32
    assert ember.hstack([T([1, 2]), T([3])]).tolist() == [1, 2, 3]
    assert ember.hstack([a, a]).shape == (2, 4)
    assert ember.vstack([T([1, 2]), T([3, 4])]).tolist() == [[1, 2], [3, 4]]
    assert ember.row_stack([T([1, 2]), T([3, 4])]).shape == (2, 2)
    assert ember.dstack([a, a]).shape == (2, 2, 2)
    with pytest.raises(RuntimeError, match="Sizes of tensors must match except in dimension 0. "
                                           "Expected size 2 but got size 3 for tensor number 1"):
        ember.cat([a, ar(1, 3)])
    with pytest.raises(RuntimeError, match="zero-dimensional tensor"):
        ember.cat([T(1.), T(2.)])
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        ember.stack([a, b])
    with pytest.raises(TypeError):
        ember.cat(a)


def test_atleast():
    assert ember.atleast_1d(T(1.)).shape == (1,)
    assert ember.atleast_2d(T([1., 2.])).shape == (1, 2)
    assert ember.atleast_3d(T([1., 2.])).shape == (1, 2, 1)
    assert ember.atleast_3d(ar(2, 3)).shape == (2, 3, 1)
    assert ember.atleast_3d(T(1.)).shape == (1, 1, 1)
    x = ar(2, 3)
    assert ember.atleast_2d(x) is x
    r = ember.atleast_1d(T(1.), T([2.]))
    assert isinstance(r, tuple) and [t.shape for t in r] == [(1,), (1,)]
    assert len(ember.atleast_2d([T(1.), T(2.), T(3.)])) == 3


# ----------------------------------------------------------------------------- splits


def test_chunk_split_sizes():
    x = ember.arange(10.)
    assert [len(c) for c in x.chunk(3)] == [4, 4, 2]
    assert [len(c) for c in ember.arange(5.).chunk(4)] == [2, 2, 1]
    assert [len(c) for c in ember.arange(6.).chunk(4)] == [2, 2, 2]
    assert [len(c) for c in x.split(4)] == [4, 4, 2]
    assert [len(c) for c in x.split([3, 7])] == [3, 7]
    assert [c.tolist() for c in ember.split(ar(2, 5), 2, 1)][2] == [[4.], [9.]]
    assert [len(c) for c in x.tensor_split(3)] == [4, 3, 3]
    assert [c.tolist() for c in ember.arange(7.).tensor_split([1, 5])] == \
        [[0.], [1., 2., 3., 4.], [5., 6.]]
    assert [c.tolist() for c in ember.arange(4.).tensor_split([3, 1])] == \
        [[0., 1., 2.], [], [1., 2., 3.]]
    assert [len(c) for c in x.tensor_split(T([2, 5]))] == [2, 3, 5]
    assert [len(c) for c in x.tensor_split(T(3))] == [4, 3, 3]
    assert [c.shape for c in ember.zeros(0).split(2)] == [(0,)]
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="split_with_sizes expects split_sizes to sum exactly "
                                           "to 10"):
        x.split([3, 3])
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        x.split(0)


def test_unbind_and_iteration():
    x = ar(3, 2)
    rows = x.unbind()
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    assert [c.tolist() for c in ember.unbind(x, 1)] == [[0, 2, 4], [1, 3, 5]]
    assert [r.tolist() for r in x] == [[0, 1], [2, 3], [4, 5]]
    assert [v.item() for v in ember.arange(3.)] == [0., 1., 2.]
    assert all(v.dim() == 0 for v in ember.arange(3.))
    rows[1][0] = 9.
    assert x[1, 0].item() == 9.              # views
    with pytest.raises(IndexError):
        T(1.).unbind()


def test_splits_are_one_node_and_backward_assembles():
    x = T(A(6, 2), rg=True)
    parts = x.split(2)
    assert len({id(p.grad_fn) for p in parts}) == 1
    assert name(parts[0]) == "SplitBackward0"
    assert name(x.split([1, 5])[0]) == "SplitWithSizesBackward0"
    assert name(x.chunk(2)[0]) == "SplitBackward0"
    assert name(x.unbind()[0]) == "UnbindBackward0"
    assert name(x.tensor_split(2)[1]) == "SliceBackward0"
    (parts[0] * 2 + parts[2] * 3).sum().backward()      # parts[1] gets no gradient
    assert x.grad.tolist() == [[2, 2], [2, 2], [0, 0], [0, 0], [3, 3], [3, 3]]
    y = T(A(4), rg=True)
    a, b, c = y.tensor_split([3, 1])                     # overlapping pieces add up
    (a.sum() + c.sum() * 10).backward()
    assert y.grad.tolist() == [1, 11, 11, 10]


def test_long_unbind_backward_is_linear():
    x = T(A(2000, 3), rg=True)
    h = ember.zeros(3)
    for row in x.unbind(0):
        h = h + row * 0.5
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 0.5)


# ----------------------------------------------------------------------------- reorderings


def test_flip_roll_rot90():
    x = ar(2, 3)
    assert x.flip(0).tolist() == [[3, 4, 5], [0, 1, 2]]
    assert ember.flip(x, (0, 1)).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert x.flip(-1, 0).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert ember.fliplr(x).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert ember.flipud(x).tolist() == [[3, 4, 5], [0, 1, 2]]
    f = x.flip(0)
    x[0, 0] = 100.
    assert f[1, 0].item() == 0.                  # flip copies, as in PyTorch
    x = ar(2, 3)
    assert x.roll(1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert x.roll(1, 1).tolist() == [[2, 0, 1], [5, 3, 4]]
    assert ember.roll(x, (1, -1), (0, 1)).tolist() == [[4, 5, 3], [1, 2, 0]]
    assert x.rot90().tolist() == [[2, 5], [1, 4], [0, 3]]
    assert ember.rot90(x, 2).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert x.rot90(-1).tolist() == [[3, 0], [4, 1], [5, 2]]
    assert x.rot90(1, (1, 0)).tolist() == x.rot90(3).tolist()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        x.flip(0, 0)
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        x.roll((1, 2), 0)


def test_tril_triu_and_inplace():
    x = ar(3, 3) + 1
    assert x.tril().tolist() == [[1, 0, 0], [4, 5, 0], [7, 8, 9]]
    assert ember.triu(x, 1).tolist() == [[0, 2, 3], [0, 0, 6], [0, 0, 0]]
    assert x.tril(diagonal=-1).tolist() == [[0, 0, 0], [4, 0, 0], [7, 8, 0]]
    assert ember.ones(2, 2, 2).triu().sum().item() == 6.
    y = x.clone()
    y.tril_()
    assert y.tolist() == x.tril().tolist()
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        ember.ones(3).tril()


def test_diagonals():
    x = ar(3, 4)
    assert x.diagonal().tolist() == [0, 5, 10]
    assert x.diagonal(1).tolist() == [1, 6, 11]
    assert x.diagonal(-1).tolist() == [4, 9]
    assert x.diagonal(5).shape == (0,)
    assert ember.diagonal(ar(2, 3, 3), 0, 1, 2).tolist() == [[0, 4, 8], [9, 13, 17]]
    d = x.diagonal()
    d[1] = -1.                                     # a writable view
    assert x[1, 1].item() == -1.
    assert ember.diag(T([1., 2.])).tolist() == [[1, 0], [0, 2]]
    assert ember.diag(T([1., 2.]), 1).tolist() == [[0, 1, 0], [0, 0, 2], [0, 0, 0]]
    assert ar(3, 3).diag(-1).tolist() == [3., 7.]
    assert T([[1., 2.]]).diag_embed().tolist() == [[[1, 0], [0, 2]]]
    assert ar(2, 3).diag_embed(1, 0, 2).shape == (4, 2, 4)
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors. Got 3D"):
        ember.zeros(2, 2, 2).diag()
    with pytest.raises(RuntimeError, match="diagonal dimensions cannot be identical"):
        x.diagonal(0, 1, 1)


def test_narrow_select():
    x = ar(3, 4)
    assert x.narrow(0, 1, 2).tolist() == [[4, 5, 6, 7], [8, 9, 10, 11]]
    assert ember.narrow(x, -1, -2, 2).tolist() == [[2, 3], [6, 7], [10, 11]]
    assert x.select(1, -1).tolist() == [3, 7, 11]
    assert ember.select(x, 0, 1)._base is x
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size "
                                           r"\(3\)"):
        x.narrow(0, 2, 2)
    with pytest.raises(IndexError, match=r"select\(\): index 3 out of range for tensor of size "
                                         r"\[3, 4\] at dimension 0"):
        x.select(0, 3)


def test_meshgrid():
    a, b = T([1., 2.]), T([3., 4., 5.])
    X, Y = ember.meshgrid(a, b, indexing="ij")
    assert X.shape == Y.shape == (2, 3)
    assert X.tolist() == [[1, 1, 1], [2, 2, 2]] and Y.tolist() == [[3, 4, 5], [3, 4, 5]]
    X, Y = ember.meshgrid([a, b], indexing="xy")
    assert X.shape == (3, 2) and X.tolist() == [[1, 2], [1, 2], [1, 2]]
    with pytest.warns(UserWarning, match="indexing argument"):
        ember.meshgrid(a, b)
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        ember.meshgrid(ar(2, 2), a, indexing="ij")


def test_inplace_view_ops():
    x = ember.zeros(1, 3)
    assert x.squeeze_() is x and x.shape == (3,)
    x.unsqueeze_(1)
    assert x.shape == (3, 1)
    x.t_()
    assert x.shape == (1, 3)
    x.transpose_(0, 1)
    assert x.shape == (3, 1)
    leaf = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.unsqueeze_(0)
    h = leaf * 2
    h.unsqueeze_(0)
    assert h.shape == (1, 3)
    h.sum().backward()
    assert leaf.grad.tolist() == [2., 2., 2.]


def test_grad_fn_names():
    x = T(A(3, 4), rg=True)
    cases = {
        "ViewBackward0": [x.view(12), x.reshape(12), x.flatten(), x.unflatten(1, (2, 2)),
                          x.ravel(), ember.atleast_3d(x[0, 0])],
        "UnsafeViewBackward0": [x.t().reshape(12), x.t().flatten()],
        "CloneBackward0": [x.t().contiguous()],
        "SqueezeBackward0": [x.squeeze()], "SqueezeBackward1": [x.squeeze(0)],
        "SqueezeBackward2": [x.squeeze((0, 1))], "UnsqueezeBackward0": [x.unsqueeze(0)],
        "PermuteBackward0": [x.permute(1, 0), x.T, x.movedim(0, 1)],
        "TransposeBackward0": [x.transpose(0, 1), x.mT], "TBackward0": [x.t()],
        "ExpandBackward0": [x.expand(2, 3, 4), x.broadcast_to(2, 3, 4)],
        "RepeatBackward0": [x.repeat(1, 2), x.tile(2)],
        "CatBackward0": [ember.cat([x, x]), ember.hstack([x, x]), ember.vstack([x, x])],
        "StackBackward0": [ember.stack([x, x])], "FlipBackward0": [x.flip(0), x.fliplr()],
        "RollBackward0": [x.roll(1)], "Rot90Backward0": [x.rot90()],
        "TrilBackward0": [x.tril()], "TriuBackward0": [x.triu()],
        "DiagEmbedBackward0": [x[0].diag(), x.diag_embed()],
        "DiagonalBackward0": [x.diagonal()], "DiagonalBackward0_copy": [x.diag()],
        "SliceBackward0": [x.narrow(0, 0, 2)], "SelectBackward0": [x.select(0, 1)],
    }
    for n, ts in cases.items():
        for t in ts:
            assert name(t) == n


# ----------------------------------------------------------------------------- gradients

GRADS = {
    "view": (lambda x: x.view(-1), [(3, 4), (), (2, 1, 3)]),
    "reshape": (lambda x: x.t().reshape(-1, 2) if x.dim() == 2 else x.reshape(-1),
                [(3, 4), (), (2, 3)]),
    "contiguous": (lambda x: x.t().contiguous() * x.sum(), [(3, 4), (), (1, 5)]),
    "flatten": (lambda x: x.flatten(), [(2, 3, 2), (), (4,)]),
    "unflatten": (lambda x: x.unflatten(-1, (-1, 1)), [(2, 3), (4,), (1, 2, 2)]),
    "squeeze": (lambda x: x.squeeze(), [(1, 3, 1), (), (2, 1)]),
    "squeeze_dims": (lambda x: x.squeeze((0, -1)), [(1, 3, 1), (1, 1), (1, 2, 1)]),
    "unsqueeze": (lambda x: x.unsqueeze(-1), [(3, 2), (), (4,)]),
    "permute": (lambda x: x.permute(*range(x.dim() - 1, -1, -1)), [(2, 3, 4), (), (3, 2)]),
    "transpose": (lambda x: x.transpose(0, -1), [(2, 3, 2), (), (3,)]),
    "t": (lambda x: x.t(), [(2, 3), (), (3,)]),
    "T": (lambda x: x.T, [(2, 3), (3, 1), (1, 2)]),
    "mT": (lambda x: x.mT, [(2, 3, 4), (2, 2), (1, 1, 3)]),
    "movedim": (lambda x: x.movedim(0, -1), [(2, 3, 4), (2,), (3, 1)]),
    "expand": (lambda x: x.expand(2, *x.shape), [(3, 1), (), (1,)]),
    "expand_bcast": (lambda x: x.expand(3, 4), [(3, 1), (), (1, 4)]),
    "broadcast_tensors": (lambda x, y: ember.broadcast_tensors(x, y),
                          [((3, 1), (4,)), ((), (2, 2)), ((2, 1, 3), (1, 2, 1))]),
    "broadcast_to": (lambda x: ember.broadcast_to(x, (2, 3, 2)), [(3, 1), (), (2,)]),
    "repeat": (lambda x: x.repeat(2, *([2] * x.dim())), [(2, 3), (), (3,)]),
    "tile": (lambda x: x.tile((2, 3)), [(2, 3), (), (1, 2, 2)]),
    "cat": (lambda x, y: ember.cat([x, y, x], -1), [((2, 3), (2, 1)), ((1,), (2,)),
                                                   ((2, 2, 1), (2, 2, 2))]),
    "stack": (lambda x, y: ember.stack([x, y], -1), [((2, 3), (2, 3)), ((), ()),
                                                     ((3,), (3,))]),
    "hstack": (lambda x, y: ember.hstack([x, y]), [((2, 3), (2, 1)), ((), ()), ((2,), (3,))]),
    "vstack": (lambda x, y: ember.vstack([x, y]), [((2, 3), (1, 3)), ((), ()), ((2,), (2,))]),
    "dstack": (lambda x, y: ember.dstack([x, y]), [((2, 3), (2, 3)), ((), ()),
                                                   ((1, 2, 1), (1, 2, 2))]),
    "atleast_3d": (lambda x: ember.atleast_3d(x), [(2, 3), (), (3,)]),
    "chunk": (lambda x: x.chunk(3, -1), [(2, 5), (4,), (1, 1, 3)]),
    "split": (lambda x: x.split(2), [(5, 2), (4,), (1,)]),
    "split_sizes": (lambda x: x.split([1, x.shape[0] - 1]), [(3, 2), (2,), (4, 1, 1)]),
    "split_partial": (lambda x: x.split(1)[-1] * 2, [(3, 2), (2,), (4,)]),
    "tensor_split": (lambda x: x.tensor_split([2, 1]), [(3, 2), (4,), (3, 1, 2)]),
    "unbind": (lambda x: x.unbind(-1), [(2, 3), (4,), (1, 2, 2)]),
    "unbind_partial": (lambda x: x.unbind()[1], [(2, 3), (3,), (2, 1, 2)]),
    "flip": (lambda x: x.flip(0) if x.dim() else x.flip(()), [(2, 3), (), (3,)]),
    "fliplr": (lambda x: ember.fliplr(x), [(2, 3), (3, 1), (2, 2, 2)]),
    "flipud": (lambda x: ember.flipud(x), [(2, 3), (3,), (2, 1, 2)]),
    "roll": (lambda x: x.roll(1), [(2, 3), (), (4,)]),
    "roll_dims": (lambda x: x.roll((1, -1), (0, -1)), [(2, 3), (3,), (2, 2, 3)]),
    "rot90": (lambda x: x.rot90(), [(2, 3), (1, 1), (2, 3, 2)]),
    "rot90_k": (lambda x: x.rot90(3, (1, 0)), [(2, 3), (2, 2), (3, 2, 1)]),
    "tril": (lambda x: x.tril(), [(3, 3), (2, 4), (2, 3, 2)]),
    "triu": (lambda x: x.triu(-1), [(3, 3), (4, 2), (2, 2, 3)]),
    "diag": (lambda x: x.diag(1), [(3,), (3, 3), (2, 4)]),
    "diagonal": (lambda x: x.diagonal(-1, 0, -1), [(3, 3), (2, 4, 3), (4, 1)]),
    "diag_embed": (lambda x: x.diag_embed(1), [(3,), (2, 2), (1, 2, 3)]),
    "narrow": (lambda x: x.narrow(-1, 1, 2), [(2, 3), (3,), (1, 2, 4)]),
    "select": (lambda x: x.select(0, -1), [(2, 3), (3,), (1, 2, 2)]),
    "meshgrid": (lambda x, y: ember.meshgrid(x, y, indexing="xy"), [((3,), (2,)), ((), ()),
                                                                    ((1,), (4,))]),
    "ravel": (lambda x: x.t().ravel() if x.dim() == 2 else x.ravel(), [(2, 3), (), (3,)]),
    "view_as": (lambda x: x.view_as(ember.zeros(x.numel())), [(2, 3), (), (3,)]),
    "expand_as": (lambda x: x.expand_as(ember.zeros(2, 3)), [(1, 3), (), (2, 1)]),
}


@pytest.mark.parametrize("op", sorted(GRADS))
def test_gradcheck(op):
    fn, cases = GRADS[op]
    for shapes in cases:
        if all(isinstance(s, int) for s in shapes):      # one input's shape
            shapes = (shapes,)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_grad(fn, *(A(*s) for s in shapes))


def test_mixed_dtype_cat_grads_cast_back():
    a = T(A(2, 2).astype(np.float32), rg=True)
    b = T(A(1, 2), rg=True)
    y = ember.cat([a, b])
    assert y.dtype == ember.float64
    (y * 2).sum().backward()
    assert a.grad.dtype == ember.float32 and b.grad.dtype == ember.float64
    assert a.grad.tolist() == [[2, 2], [2, 2]]
