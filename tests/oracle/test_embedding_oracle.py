"""embedding / embedding_bag and the Embedding modules against PyTorch 2.13: values, weight and
per-sample-weight gradients, dtypes, grad_fn names, renormalisation and errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from ember.ops.embedding import embedding, embedding_bag

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _run(fn_e, fn_t, W, psw=None, seed=0):
    """Both frameworks: output, weight gradient (and psw gradient) of sum(out * g)."""
    res = []
    g = None
    for fw, fn in ((torch, fn_t), (ember, fn_e)):
        w = fw.tensor(W.copy(), requires_grad=True)
        p = None if psw is None else fw.tensor(psw.copy(), requires_grad=True)
        out = fn(fw, w, p)
        if g is None:
            g = np.random.default_rng(seed).standard_normal(tuple(out.shape)).astype(W.dtype)
        (out * fw.tensor(g)).sum().backward()
        res.append((out.detach().numpy(), w.grad.numpy(),
                    None if p is None else p.grad.numpy(), type(out.grad_fn).__name__))
    (to, tw, tp, tn), (eo, ew, ep, en) = res
    rtol, atol = (1e-6, 1e-9) if W.dtype == np.float64 else (1e-5, 1e-5)
    assert eo.dtype == to.dtype and eo.shape == to.shape
    np.testing.assert_allclose(eo, to, rtol=rtol, atol=atol)
    assert ew.dtype == tw.dtype
    np.testing.assert_allclose(ew, tw, rtol=rtol, atol=atol)
    if tp is not None:
        np.testing.assert_allclose(ep, tp, rtol=rtol, atol=atol)
    assert en == tn


def _emb(fw):
    return TF.embedding if fw is torch else embedding


def _bag(fw):
    return TF.embedding_bag if fw is torch else embedding_bag


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(0, 4), min_size=0, max_size=3), V=st.integers(1, 12),
       D=st.integers(1, 5), pad=st.one_of(st.none(), st.integers(-3, 2)),
       freq=st.booleans(), dt=st.sampled_from([np.float32, np.float64]),
       idt=st.sampled_from([np.int64, np.int32]), seed=st.integers(0, 999))
def test_embedding_matches_torch(shape, V, D, pad, freq, dt, idt, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((V, D)).astype(dt)
    ix = rng.integers(0, V, shape).astype(idt)
    if pad is not None and not -V <= pad < V:
        pad = None

    def fn(fw, w, p):
        return _emb(fw)(fw.tensor(ix), w, padding_idx=pad, scale_grad_by_freq=freq)
    _run(fn, fn, W)


def test_embedding_max_norm_matches_torch():
    rng = np.random.default_rng(0)
    W = (rng.standard_normal((8, 4)) * 2).astype(np.float32)
    ix = np.array([[0, 3, 3], [7, 1, 0]])
    for max_norm, p in ((1.0, 2.0), (2.5, 1.0), (0.5, float("inf")), (1.5, 3.0)):
        wt, we = torch.tensor(W.copy()), ember.tensor(W.copy())
        ot = TF.embedding(torch.tensor(ix), wt, max_norm=max_norm, norm_type=p)
        oe = embedding(ember.tensor(ix), we, max_norm=max_norm, norm_type=p)
        np.testing.assert_allclose(we.numpy(), wt.numpy(), rtol=1e-6)
        np.testing.assert_allclose(oe.numpy(), ot.numpy(), rtol=1e-6)
    tm = torch.nn.Embedding(8, 4, max_norm=1.0)
    em = ember.nn.Embedding(8, 4, max_norm=1.0)
    em.load_state_dict({"weight": ember.tensor(tm.weight.detach().numpy().copy())})
    np.testing.assert_allclose(em(ember.tensor(ix)).detach().numpy(),
                               tm(torch.tensor(ix)).detach().numpy(), rtol=1e-6)


def _random_offsets(rng, n, nbags):
    cuts = np.sort(rng.integers(0, n + 1, max(nbags - 1, 0)))
    return np.concatenate(([0], cuts)).astype(np.int64)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(0, 12), nbags=st.integers(1, 5), V=st.integers(1, 9), D=st.integers(1, 4),
       mode=st.sampled_from(["sum", "mean", "max"]), pad=st.one_of(st.none(), st.integers(0, 2)),
       last=st.booleans(), use_psw=st.booleans(), dt=st.sampled_from([np.float32, np.float64]),
       seed=st.integers(0, 999))
def test_embedding_bag_1d_matches_torch(n, nbags, V, D, mode, pad, last, use_psw, dt, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((V, D)).astype(dt)
    ix = rng.integers(0, V, n)
    offs = _random_offsets(rng, n, nbags)
    if last:
        offs = np.append(offs, n)       # torch CPU handles a terminal offset < n inconsistently
    if pad is not None and pad >= V:
        pad = None
    psw = rng.standard_normal(n).astype(dt) if use_psw and mode == "sum" else None

    def fn(fw, w, p):
        return _bag(fw)(fw.tensor(ix), w, fw.tensor(offs), mode=mode, per_sample_weights=p,
                        include_last_offset=last, padding_idx=pad)
    _run(fn, fn, W, psw)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_matches_torch(mode):
    rng = np.random.default_rng(1)
    W = rng.standard_normal((10, 3)).astype(np.float32)
    ix = rng.integers(0, 10, (4, 5))
    ix[1, :] = 2                       # a bag of padding only

    def fn(fw, w, p):
        return _bag(fw)(fw.tensor(ix), w, mode=mode, padding_idx=2)
    _run(fn, fn, W)

    def fn2(fw, w, p):
        return _bag(fw)(fw.tensor(ix), w, mode=mode, max_norm=1.0)
    _run(fn2, fn2, W)


def test_embedding_bag_scale_grad_by_freq_single_count_cases():
    # torch 2.13's CPU kernel scales by the wrong index's count when counts differ
    # (pytorch/pytorch#190063); where all indices share one count the results agree.
    W = np.random.default_rng(2).standard_normal((6, 2)).astype(np.float32)
    ix = np.array([1, 1, 4, 4, 2, 2])

    def fn(fw, w, p):
        return _bag(fw)(fw.tensor(ix), w, fw.tensor(np.array([0, 3])), mode="mean",
                        scale_grad_by_freq=True)
    _run(fn, fn, W)


def test_modules_match_torch():
    torch.manual_seed(0)
    te = torch.nn.Embedding(12, 4, padding_idx=3)
    ee = ember.nn.Embedding(12, 4, padding_idx=3)
    ee.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in te.state_dict().items()})
    ix = np.array([[3, 1, 11], [0, 3, 3]])
    to, eo = te(torch.tensor(ix)), ee(ember.tensor(ix))
    np.testing.assert_array_equal(eo.detach().numpy(), to.detach().numpy())
    to.sum().backward()
    eo.sum().backward()
    np.testing.assert_array_equal(ee.weight.grad.numpy(), te.weight.grad.numpy())
    assert repr(ee) == repr(te)
    for kw in ({}, {"mode": "sum"}, {"mode": "max", "padding_idx": 0},
               {"max_norm": 2.0, "norm_type": 1.0, "scale_grad_by_freq": True}):
        assert repr(ember.nn.EmbeddingBag(12, 4, **kw)) == repr(torch.nn.EmbeddingBag(12, 4,
                                                                                      **kw))
    tb = torch.nn.EmbeddingBag.from_pretrained(te.weight.detach(), mode="sum", freeze=False)
    eb = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(te.weight.detach().numpy()),
                                               mode="sum", freeze=False)
    assert eb.weight.requires_grad == tb.weight.requires_grad
    np.testing.assert_allclose(eb(ember.tensor(ix)).detach().numpy(),
                               tb(torch.tensor(ix)).detach().numpy(), rtol=1e-6)
    tf = torch.nn.Embedding.from_pretrained(te.weight.detach())
    ef = ember.nn.Embedding.from_pretrained(ember.tensor(te.weight.detach().numpy()))
    assert ef.weight.requires_grad == tf.weight.requires_grad is False


def _both_raise(fn, upto=None):
    errs = []
    for fw in (torch, ember):
        with pytest.raises(Exception) as e:
            fn(fw)
        errs.append(e.value)
    assert type(errs[0]) is type(errs[1]), errs
    a, b = str(errs[0]).replace("torch.", ""), str(errs[1]).replace("ember.", "")
    if upto is not None:
        a, b = a.split(upto)[0], b.split(upto)[0]
    assert a == b


def test_errors_match_torch():
    W = np.zeros((5, 2), np.float32)
    _both_raise(lambda fw: _emb(fw)(fw.tensor([5]), fw.tensor(W)))
    _both_raise(lambda fw: _emb(fw)(fw.tensor([1.0]), fw.tensor(W)))
    _both_raise(lambda fw: _emb(fw)(fw.tensor([1]), fw.tensor(W), padding_idx=5))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W)))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([[1, 2]]), fw.tensor(W), fw.tensor([0])),
                upto="<class")                            # up to the offsets' type name
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([0]),
                                    mode="prod"))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([0]),
                                    per_sample_weights=fw.ones(2)))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([0]),
                                    mode="max", scale_grad_by_freq=True))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([1])),
                upto="\n")                               # torch appends "[ LongTensor{} ]"
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([0, 3])))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 7]), fw.tensor(W), fw.tensor([0])))
    _both_raise(lambda fw: _bag(fw)(fw.tensor([1, 2]), fw.tensor(W), fw.tensor([0]),
                                    per_sample_weights=fw.ones(3), mode="sum"))
    _both_raise(lambda fw: fw.nn.Embedding(4, 2, padding_idx=4))
    _both_raise(lambda fw: fw.nn.Embedding.from_pretrained(fw.zeros(4)))


def test_functional_forms_match_torch():
    """F.embedding / F.embedding_bag, the functional forms code written for PyTorch calls."""
    w = np.random.RandomState(0).standard_normal((6, 3))
    res = []
    for fw in (ember, torch):
        F = fw.nn.functional
        W = fw.tensor(w, requires_grad=True)
        y = F.embedding(fw.tensor([[0, 2], [5, 2]]), W, padding_idx=2)
        b = F.embedding_bag(fw.tensor([0, 1, 5, 3, 3]), W, fw.tensor([0, 2]), mode="mean")
        ((y * fw.arange(12.).reshape(2, 2, 3)).sum() + (b ** 2).sum()).backward()
        res.append((y.detach().numpy(), b.detach().numpy(), W.grad.numpy()))
    for a, t in zip(*res):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-12)
