"""Embedding kernels (ember/ops/embedding.py): lookups, bags, padding_idx, max_norm,
scale_grad_by_freq, the scatter-add of the weight gradient, and float64 gradchecks."""
import numpy as np
import pytest

import ember
from ember.ops.embedding import embedding, embedding_bag, _scatter_rows, FUNCTIONAL
from helpers import check_grad, t64

rng = np.random.default_rng(0)
W = rng.standard_normal((7, 3))


def idx(a):
    return ember.tensor(np.asarray(a, dtype=np.int64))


# ---------------------------------------------------------------------------- embedding

def test_lookup_values_and_shape():
    w = ember.tensor(W)
    out = embedding(idx([[1, 2, 1], [6, 0, 0]]), w)
    assert tuple(out.shape) == (2, 3, 3)
    np.testing.assert_array_equal(out.numpy(), W[[[1, 2, 1], [6, 0, 0]]])
    np.testing.assert_array_equal(embedding(idx(4), w).numpy(), W[4])     # 0-d index


def test_float32_weight_stays_float32():
    w = ember.tensor(W.astype(np.float32), requires_grad=True)
    out = embedding(idx([1, 1, 2]), w)
    assert out.dtype == ember.float32
    out.sum().backward()
    assert w.grad.dtype == ember.float32
    np.testing.assert_array_equal(w.grad.numpy()[:, 0], [0, 2, 1, 0, 0, 0, 0])


def test_grad_sums_repeated_rows_and_skips_padding():
    w = ember.tensor(W, requires_grad=True)
    out = embedding(idx([3, 1, 3, 3, 5]), w, padding_idx=5)
    g = np.arange(15.0).reshape(5, 3)
    (out * ember.tensor(g)).sum().backward()
    expect = np.zeros_like(W)
    expect[3] = g[0] + g[2] + g[3]
    expect[1] = g[1]                      # row 5 is padding: no gradient
    np.testing.assert_allclose(w.grad.numpy(), expect)


def test_negative_padding_idx_and_scale_grad_by_freq():
    w = ember.tensor(W, requires_grad=True)
    embedding(idx([6, 2, 2, 2, 0]), w, padding_idx=-1, scale_grad_by_freq=True).sum().backward()
    expect = np.zeros_like(W)
    expect[2] = 1.0                       # three occurrences, each scaled by 1/3
    expect[0] = 1.0
    np.testing.assert_allclose(w.grad.numpy(), expect)


@pytest.mark.parametrize("shape", [(5,), (2, 3), ()])
def test_embedding_gradcheck(shape):
    ix = rng.integers(0, 7, shape)
    check_grad(lambda w: embedding(idx(ix), w), W)
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: checked by hand above)


def test_max_norm_renormalises_used_rows_in_place():
    w0 = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    w = ember.tensor(w0.copy())
    out = embedding(idx([0, 1]), w, max_norm=1.0)
    np.testing.assert_allclose(w.numpy()[0], [0.6, 0.8], rtol=1e-6)   # norm 5 -> 1
    np.testing.assert_array_equal(w.numpy()[1], w0[1])                 # under the bound
    np.testing.assert_array_equal(w.numpy()[2], w0[2])                 # not looked up
    np.testing.assert_allclose(out.numpy()[0], [0.6, 0.8], rtol=1e-6)
    w = ember.tensor(w0.copy())
    embedding(idx([2]), w, max_norm=2.0, norm_type=1.0)
    np.testing.assert_allclose(np.abs(w.numpy()[2]).sum(), 2.0, rtol=1e-6)


def test_embedding_errors():
    w = ember.tensor(W)
    with pytest.raises(IndexError, match="index out of range in self"):
        embedding(idx([7]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        embedding(ember.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        embedding(idx([1]), w, padding_idx=7)


@pytest.mark.parametrize("n,V,D,heavy", [(200, 10, 3, 0), (3000, 50, 4, 1500), (1, 3, 2, 0)])
def test_scatter_rows_matches_add_at(n, V, D, heavy):
    r = np.random.default_rng(n)
    ix = r.integers(0, V, n)
    ix[:heavy] = 1                        # one very frequent index (the summed path)
    g = r.standard_normal((n, D))
    expect = np.zeros((V, D))
    np.add.at(expect, ix, g)
    np.testing.assert_allclose(_scatter_rows(ix, g, V), expect, atol=1e-10)
    expect[2] = 0
    np.testing.assert_allclose(_scatter_rows(ix, g, V, padding_idx=2), expect, atol=1e-10)


def test_functional_table():
    assert FUNCTIONAL["embedding"] is embedding and FUNCTIONAL["embedding_bag"] is embedding_bag


# ------------------------------------------------------------------------- embedding_bag

FLAT = np.array([1, 2, 4, 5, 4, 3, 2, 9 % 7])
OFFS = np.array([0, 2, 2, 5])            # bags [1, 2], [], [4, 5, 4], [3, 2, 2]


def _bags(mode, pad=None):
    rows = [W[FLAT[a:b]] for a, b in zip(OFFS, list(OFFS[1:]) + [len(FLAT)])]
    out = []
    for bag_ix, r in zip([FLAT[a:b] for a, b in zip(OFFS, list(OFFS[1:]) + [len(FLAT)])], rows):
        if pad is not None:
            r = r[bag_ix != pad]
        if len(r) == 0:
            out.append(np.zeros(3))
        else:
            out.append({"sum": r.sum(0), "mean": r.mean(0), "max": r.max(0)}[mode])
    return np.array(out)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("pad", [None, 2])
def test_bag_values(mode, pad):
    out = embedding_bag(idx(FLAT), ember.tensor(W), idx(OFFS), mode=mode, padding_idx=pad)
    np.testing.assert_allclose(out.numpy(), _bags(mode, pad), rtol=1e-12)


def test_bag_2d_input_and_include_last_offset():
    ix = rng.integers(0, 7, (4, 3))
    w = ember.tensor(W)
    np.testing.assert_allclose(embedding_bag(idx(ix), w, mode="sum").numpy(), W[ix].sum(1))
    out = embedding_bag(idx(FLAT), w, idx(np.append(OFFS, len(FLAT))), mode="mean",
                        include_last_offset=True)
    np.testing.assert_allclose(out.numpy(), _bags("mean"))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_bag_gradcheck(mode):
    check_grad(lambda w: embedding_bag(idx(FLAT), w, idx(OFFS), mode=mode), W)
    check_grad(lambda w: embedding_bag(idx(FLAT), w, idx(OFFS), mode=mode, padding_idx=4), W)
    check_grad(lambda w: embedding_bag(idx(FLAT[:6].reshape(2, 3)), w, mode=mode), W)


def test_bag_per_sample_weights_gradcheck():
    psw = rng.standard_normal(len(FLAT))
    check_grad(lambda w, p: embedding_bag(idx(FLAT), w, idx(OFFS), mode="sum",
                                          per_sample_weights=p), W, psw)
    check_grad(lambda w, p: embedding_bag(idx(FLAT), w, idx(OFFS), mode="sum",
                                          per_sample_weights=p, padding_idx=2), W, psw)
    w = t64(W)
    out = embedding_bag(idx(FLAT), w, idx(OFFS), mode="sum", per_sample_weights=t64(psw))
    np.testing.assert_allclose(out.detach().numpy()[0], W[1] * psw[0] + W[2] * psw[1])


def test_bag_max_gradient_goes_to_the_max_row():
    w = ember.tensor(np.array([[1.0, 5.0], [3.0, 2.0], [0.0, 0.0]]), requires_grad=True)
    embedding_bag(idx([0, 1, 2]), w, idx([0]), mode="max").sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0, 1], [1, 0], [0, 0]])


def test_bag_scale_grad_by_freq_documented_semantics():
    # each index's gradient divided by its count in the batch (torch 2.13's CPU kernel divides
    # by another index's count: pytorch/pytorch#190063)
    w = ember.tensor(np.zeros((4, 1)), requires_grad=True)
    embedding_bag(idx([1, 1, 3]), w, idx([0]), mode="sum", scale_grad_by_freq=True).sum()\
        .backward()
    np.testing.assert_allclose(w.grad.numpy()[:, 0], [0, 1, 0, 1])


def test_bag_errors():
    w = ember.tensor(W)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        embedding_bag(idx(FLAT), w)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        embedding_bag(idx([[1, 2]]), w, idx([0]))
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        embedding_bag(idx(FLAT), w, idx(OFFS), mode="median")
    with pytest.raises(NotImplementedError, match="per_sample_weights is only supported"):
        embedding_bag(idx(FLAT), w, idx(OFFS), per_sample_weights=ember.ones(len(FLAT)))
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        embedding_bag(idx(FLAT), w, idx(OFFS), mode="max", scale_grad_by_freq=True)
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        embedding_bag(idx(FLAT), w, idx([1, 3]))
    with pytest.raises(RuntimeError, match="which is not in the valid range"):
        embedding_bag(idx([0, 7]), w, idx([0]))
