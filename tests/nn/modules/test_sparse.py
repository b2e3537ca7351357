"""nn.Embedding and nn.EmbeddingBag modules."""
import numpy as np
import pytest

import ember
import ember.nn as nn


def test_embedding_init_repr_and_padding_row():
    ember.manual_seed(0)
    e = nn.Embedding(25002, 300, padding_idx=1)
    assert repr(e) == "Embedding(25002, 300, padding_idx=1)"
    w = e.weight.detach().numpy()
    assert w.dtype == np.float32 and w.shape == (25002, 300)
    assert np.all(w[1] == 0)
    assert abs(w.mean()) < 0.01 and abs(w.std() - 1) < 0.01        # N(0, 1)
    assert repr(nn.Embedding(5, 2, max_norm=1.0, scale_grad_by_freq=True)) == \
        "Embedding(5, 2, max_norm=1.0, scale_grad_by_freq=True)"
    assert nn.Embedding(5, 2, padding_idx=-1).padding_idx == 4


def test_embedding_forward_and_padding_gradient():
    e = nn.Embedding(6, 3, padding_idx=0)
    x = ember.tensor([[0, 2, 2], [5, 0, 1]])
    out = e(x)
    assert tuple(out.shape) == (2, 3, 3)
    np.testing.assert_array_equal(out.detach().numpy()[1, 0], e.weight.detach().numpy()[5])
    out.sum().backward()
    g = e.weight.grad.numpy()
    assert np.all(g[0] == 0) and np.all(g[2] == 2) and np.all(g[5] == 1) and np.all(g[3] == 0)


def test_book_style_row_assignment_and_copy():
    # Listing 7-10: weight.data.copy_(vectors), then the UNK and PAD rows zeroed via .data[idx]
    vectors = ember.randn(10, 4)
    e = nn.Embedding(10, 4, padding_idx=1)
    e.weight.data.copy_(vectors)
    e.weight.data[0] = ember.zeros(4)
    e.weight.data[1] = ember.zeros(4)
    w = e.weight.detach().numpy()
    assert np.all(w[:2] == 0)
    np.testing.assert_array_equal(w[2:], vectors.numpy()[2:])


def test_from_pretrained_freeze_and_sharing():
    pre = ember.tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    e = nn.Embedding.from_pretrained(pre)
    assert not e.weight.requires_grad
    np.testing.assert_array_equal(e(ember.tensor([3])).numpy(), [[9, 10, 11]])
    e2 = nn.Embedding.from_pretrained(pre, freeze=False, padding_idx=0)
    assert e2.weight.requires_grad and e2.padding_idx == 0
    assert np.shares_memory(e2.weight.detach().numpy(), pre.numpy())
    with pytest.raises(AssertionError, match="expected to be 2-dimensional"):
        nn.Embedding.from_pretrained(ember.zeros(3))
    with pytest.raises(AssertionError, match="Shape of weight does not match"):
        nn.Embedding(3, 3, _weight=ember.zeros(3, 2))


def test_embedding_max_norm_module():
    e = nn.Embedding(4, 2, max_norm=1.0)
    e.weight.data[...] = ember.tensor([[3.0, 4.0], [0.1, 0.1], [6.0, 8.0], [0.0, 2.0]])
    out = e(ember.tensor([0, 1]))
    np.testing.assert_allclose(np.linalg.norm(out.detach().numpy()[0]), 1.0, rtol=1e-5)
    np.testing.assert_allclose(e.weight.detach().numpy()[2], [6.0, 8.0])   # untouched row


def test_embedding_bag_module():
    bag = nn.EmbeddingBag(10, 3, mode="sum")
    assert repr(bag) == "EmbeddingBag(10, 3, mode='sum')"
    assert repr(nn.EmbeddingBag(10, 3, padding_idx=2)) == \
        "EmbeddingBag(10, 3, mode='mean', padding_idx=2)"
    w = bag.weight.detach().numpy()
    out = bag(ember.tensor([1, 2, 4, 5, 4]), ember.tensor([0, 2]))
    np.testing.assert_allclose(out.detach().numpy(), [w[1] + w[2], w[4] + w[5] + w[4]],
                               rtol=1e-6)
    out = bag(ember.tensor([1, 2, 4]), ember.tensor([0, 1]),
              per_sample_weights=ember.tensor([2.0, 1.0, -1.0]))
    np.testing.assert_allclose(out.detach().numpy(), [2 * w[1], w[2] - w[4]], rtol=1e-6)
    mx = nn.EmbeddingBag.from_pretrained(ember.tensor(w), mode="max")
    assert not mx.weight.requires_grad
    np.testing.assert_allclose(mx(ember.tensor([[1, 2], [4, 4]])).numpy(),
                               [np.maximum(w[1], w[2]), w[4]])
