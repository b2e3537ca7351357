"""In-place fills and copies (ember/ops/fill.py)."""
import numpy as np
import pytest

import ember
from helpers import check_grad


def test_copy_broadcasts_casts_and_shows_through_views():
    a = ember.zeros(2, 3)
    v = a[0]
    a.copy_(ember.tensor([1, 2, 3]))          # int64 source cast to float32, broadcast
    np.testing.assert_array_equal(a.numpy(), [[1, 2, 3], [1, 2, 3]])
    assert a.dtype == ember.float32 and v.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(RuntimeError, match="must match"):
        a.copy_(ember.ones(4))
    with pytest.raises(TypeError):
        a.copy_([1, 2, 3])


def test_weight_data_copy_like_listing_7_10():
    emb = ember.nn.Embedding(4, 2)
    pretrained = ember.arange(8.0).view(4, 2)
    emb.weight.data.copy_(pretrained)
    np.testing.assert_array_equal(emb.weight.detach().numpy(), pretrained.numpy())
    assert emb.weight.is_leaf and emb.weight.requires_grad


def test_fill_and_zero_values_and_versions():
    a = ember.ones(3)
    ver = a._version[0]
    assert a.fill_(2.5).tolist() == [2.5, 2.5, 2.5]
    assert a.zero_().tolist() == [0.0, 0.0, 0.0]
    assert a._version[0] == ver + 2
    a.fill_(ember.tensor(4.0))
    assert a.tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(RuntimeError, match="0-dimension"):
        a.fill_(ember.ones(2))


def test_inplace_on_leaf_requiring_grad_raises():
    w = ember.ones(2, requires_grad=True)
    for op in (lambda: w.fill_(1.0), lambda: w.zero_(), lambda: w.copy_(ember.ones(2))):
        with pytest.raises(RuntimeError, match="leaf Variable"):
            op()
    with ember.no_grad():
        w.zero_()                       # allowed without recording, as in PyTorch
    assert w.tolist() == [0.0, 0.0]


def test_gradients_through_fill_and_copy():
    x = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    src = ember.tensor([5.0], requires_grad=True)
    y = x * 2
    y.copy_(src)
    assert type(y.grad_fn).__name__ == "CopyBackwards"
    (y * ember.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and src.grad.tolist() == [6.0]
    v = ember.tensor(1.5, requires_grad=True)
    z = x * 1
    z.fill_(v)
    assert type(z.grad_fn).__name__ == "FillBackward3"
    z.sum().backward()
    assert v.grad.item() == 3.0
    z = x * 1
    z.zero_()
    assert type(z.grad_fn).__name__ == "ZeroBackward0"


def test_gradcheck_copy_and_fill():
    check_grad(lambda x, s: (x * 1).copy_(s) * x, np.random.rand(2, 3), np.random.rand(3))
    check_grad(lambda x, v: (x * 1).fill_(v) * x, np.random.rand(4), np.array(0.3))
    check_grad(lambda x: (x * 1).zero_() + x, np.random.rand(2, 2))


def test_fill_diagonal():
    a = ember.zeros(3, 4)
    a.fill_diagonal_(7)
    np.testing.assert_array_equal(a.numpy(), np.eye(3, 4) * 7)
    b = ember.zeros(5, 3)
    b.fill_diagonal_(1, wrap=True)
    expected = np.zeros((5, 3))
    expected[[0, 1, 2, 4], [0, 1, 2, 0]] = 1
    np.testing.assert_array_equal(b.numpy(), expected)
    c = ember.zeros(2, 2, 2)
    c.fill_diagonal_(3)
    assert c[1, 1, 1].item() == 3 and c.sum().item() == 6
