"""RNN / LSTM / GRU, cells and nn.utils.rnn against PyTorch 2.13: with weights copied from torch,
outputs, final states and every parameter gradient match, packed and padded; state_dicts move
both ways; Listing 7-9's ImprovedRNN runs unchanged and agrees."""
import io

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")

_CLS = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN", "relu": "RNN"}


def _make(fw, kind, I, H, **kw):
    if kind == "relu":
        kw["nonlinearity"] = "relu"
    return getattr(fw.nn, _CLS[kind])(I, H, **kw)


def _copy_from_torch(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                        for k, v in tm.state_dict().items()})


def _tol(dt):
    return (1e-6, 1e-9) if dt == np.float64 else (1e-5, 1e-5)


def _compare(kind, T, B, I, H, layers, bidir, batch_first, packed, init, dt, proj=0, seed=0,
             lens=None, enforce_sorted=False, train_dropout=False):
    rng = np.random.default_rng(seed)
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first)
    if proj:
        kw["proj_size"] = proj
    torch.manual_seed(seed)
    tm = _make(torch, kind, I, H, **kw)
    em = _make(ember, kind, I, H, **kw)
    if dt == np.float64:
        tm, em = tm.double(), em.double()
    _copy_from_torch(tm, em)
    D = 2 if bidir else 1
    P = proj or H
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I)).astype(dt)
    if lens is None:
        lens = rng.integers(1, T + 1, B)
        lens[rng.integers(0, B)] = T
        if enforce_sorted:
            lens = np.sort(lens)[::-1].copy()
    h0 = rng.standard_normal((layers * D, B, P)).astype(dt)
    c0 = rng.standard_normal((layers * D, B, H)).astype(dt)
    results = []
    for fw, m in ((torch, tm), (ember, em)):
        xt = fw.tensor(x.copy(), requires_grad=True)
        ht = fw.tensor(h0.copy(), requires_grad=True)
        ct = fw.tensor(c0.copy(), requires_grad=True)
        inp = xt
        if packed:
            inp = fw.nn.utils.rnn.pack_padded_sequence(xt, fw.tensor(lens.astype(np.int64)),
                                                       batch_first=batch_first,
                                                       enforce_sorted=enforce_sorted)
        hx = ((ht, ct) if kind == "lstm" else ht) if init else None
        out, hn = m(inp, hx)
        if packed:
            assert isinstance(out, fw.nn.utils.rnn.PackedSequence)
            out, out_lens = fw.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
            assert out_lens.tolist() == lens.tolist()
        outs = [out] + (list(hn) if kind == "lstm" else [hn])
        loss = None
        for k, o in enumerate(outs):
            w = np.cos(np.arange(o.numel()) * 0.37 + k).reshape(tuple(o.shape)).astype(dt)
            s = (o * fw.tensor(w)).sum()
            loss = s if loss is None else loss + s
        loss.backward()
        grads = [xt.grad] + ([ht.grad] + ([ct.grad] if kind == "lstm" else []) if init else [])
        grads += [p.grad for p in m.parameters()]
        results.append(([o.detach().numpy() for o in outs],
                        [g.numpy() if g is not None else None for g in grads],
                        [n for n, _ in m.named_parameters()]))
    (to, tg, tn), (eo, eg, en) = results
    assert tn == en
    rtol, atol = _tol(dt)
    for a, b in zip(eo, to):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)
    for a, b in zip(eg, tg):
        assert (a is None) == (b is None)
        if a is not None:
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=10 * atol)


@pytest.mark.parametrize("kind", ["rnn", "relu", "lstm", "gru"])
@pytest.mark.parametrize("packed", [False, True])
@pytest.mark.parametrize("bidir,layers,batch_first,init", [(False, 1, False, False),
                                                           (True, 2, True, True),
                                                           (True, 2, False, False)])
def test_matches_torch_float32(kind, packed, bidir, layers, batch_first, init):
    _compare(kind, 7, 4, 5, 6, layers, bidir, batch_first, packed, init, np.float32)


@pytest.mark.parametrize("packed", [False, True])
def test_lstm_projection_matches_torch(packed):
    _compare("lstm", 6, 3, 4, 5, 2, True, False, packed, True, np.float32, proj=3)


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["rnn", "relu", "lstm", "gru"]), T=st.integers(1, 6),
       B=st.integers(1, 4), I=st.integers(1, 4), H=st.integers(1, 5), layers=st.integers(1, 2),
       bidir=st.booleans(), batch_first=st.booleans(), packed=st.booleans(),
       init=st.booleans(), dt=st.sampled_from([np.float32, np.float64]),
       sorted_=st.booleans(), seed=st.integers(0, 1000))
def test_matches_torch_hypothesis(kind, T, B, I, H, layers, bidir, batch_first, packed, init,
                                  dt, sorted_, seed):
    _compare(kind, T, B, I, H, layers, bidir, batch_first, packed, init, dt, seed=seed,
             enforce_sorted=sorted_)


def test_long_sequence_float32():
    # 60 steps at the book's layout: rounding stays within tolerance over the recurrence
    _compare("lstm", 60, 4, 5, 8, 2, True, False, True, False, np.float32, seed=3)
    _compare("gru", 60, 4, 5, 8, 1, False, False, False, True, np.float32, seed=4)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_unbatched_input_matches(kind):
    torch.manual_seed(0)
    tm = _make(torch, kind, 3, 4, num_layers=2)
    em = _make(ember, kind, 3, 4, num_layers=2)
    _copy_from_torch(tm, em)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    to, th = tm(torch.tensor(x))
    eo, eh = em(ember.tensor(x))
    np.testing.assert_allclose(eo.detach().numpy(), to.detach().numpy(), rtol=1e-5, atol=1e-6)
    th = th if kind != "lstm" else th[1]
    eh = eh if kind != "lstm" else eh[1]
    assert tuple(eh.shape) == tuple(th.shape)
    np.testing.assert_allclose(eh.detach().numpy(), th.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_state_dict_both_directions(kind):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2, 3)).astype(np.float32)
    tm = _make(torch, kind, 3, 4, num_layers=2, bidirectional=True)
    em = _make(ember, kind, 3, 4, num_layers=2, bidirectional=True)
    # ember -> torch, through ember.save / torch.load
    buf = io.BytesIO()
    ember.save(em.state_dict(), buf)
    buf.seek(0)
    tm.load_state_dict(torch.load(buf))
    np.testing.assert_allclose(tm(torch.tensor(x))[0].detach().numpy(),
                               em(ember.tensor(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    # torch -> ember, through torch.save / ember.load
    tm2 = _make(torch, kind, 3, 4, num_layers=2, bidirectional=True)
    buf = io.BytesIO()
    torch.save(tm2.state_dict(), buf)
    buf.seek(0)
    em.load_state_dict(ember.load(buf))
    np.testing.assert_allclose(tm2(torch.tensor(x))[0].detach().numpy(),
                               em(ember.tensor(x))[0].detach().numpy(), rtol=1e-5, atol=1e-6)
    assert list(em.state_dict()) == list(tm2.state_dict())


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(cell, batched):
    torch.manual_seed(0)
    tc = getattr(torch.nn, cell)(3, 4)
    ec = getattr(ember.nn, cell)(3, 4)
    _copy_from_torch(tc, ec)
    rng = np.random.default_rng(2)
    shape = (2, 3) if batched else (3,)
    hshape = (2, 4) if batched else (4,)
    x, h, c = (rng.standard_normal(s).astype(np.float32) for s in (shape, hshape, hshape))
    res = []
    for fw, m in ((torch, tc), (ember, ec)):
        xt = fw.tensor(x, requires_grad=True)
        ht = fw.tensor(h, requires_grad=True)
        ct = fw.tensor(c, requires_grad=True)
        out = m(xt, (ht, ct)) if cell == "LSTMCell" else m(xt, ht)
        outs = list(out) if cell == "LSTMCell" else [out]
        sum((o * (k + 1.5)).sum() for k, o in enumerate(outs)).backward()
        gs = [xt.grad, ht.grad] + ([ct.grad] if cell == "LSTMCell" else [])
        gs += [p.grad for p in m.parameters()]
        res.append(([o.detach().numpy() for o in outs], [g.numpy() for g in gs]))
    for a, b in zip(res[1][0] + res[1][1], res[0][0] + res[0][1]):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_reprs_match_torch():
    for args, kw in [((3, 4), {}), ((300, 256), dict(num_layers=2, dropout=0.5,
                                                      bidirectional=True)),
                     ((3, 4), dict(bias=False, batch_first=True)),
                     ((3, 4), dict(proj_size=2))]:
        assert repr(ember.nn.LSTM(*args, **kw)) == repr(torch.nn.LSTM(*args, **kw))
    assert repr(ember.nn.RNN(3, 4, nonlinearity="relu")) == \
        repr(torch.nn.RNN(3, 4, nonlinearity="relu"))
    for cell in ("RNNCell", "LSTMCell", "GRUCell"):
        assert repr(getattr(ember.nn, cell)(3, 4, bias=False)) == \
            repr(getattr(torch.nn, cell)(3, 4, bias=False))


def _both_raise(fn):
    errs = []
    for fw in (torch, ember):
        with pytest.raises(Exception) as e:
            fn(fw)
        errs.append(e.value)
    assert type(errs[0]) is type(errs[1])
    assert str(errs[0]).replace("torch.", "") == str(errs[1]).replace("ember.", "")


def test_errors_match_torch():
    x = np.zeros((5, 2, 3), np.float32)
    _both_raise(lambda fw: fw.nn.LSTM(3, 4)(fw.tensor(x[..., :2])))
    _both_raise(lambda fw: fw.nn.LSTM(3, 4)(fw.tensor(x), (fw.zeros(2, 2, 4),
                                                           fw.zeros(1, 2, 4))))
    _both_raise(lambda fw: fw.nn.LSTM(3, 4)(fw.tensor(x), (fw.zeros(1, 2, 4),
                                                           fw.zeros(1, 3, 4))))
    _both_raise(lambda fw: fw.nn.GRU(3, 4)(fw.tensor(x), fw.zeros(1, 3, 4)))
    _both_raise(lambda fw: fw.nn.GRU(3, 4)(fw.tensor(x), fw.zeros(3, 4)))
    _both_raise(lambda fw: fw.nn.RNN(3, 4)(fw.tensor(x[0, 0])))
    _both_raise(lambda fw: fw.nn.RNN(3, 4)(fw.tensor(x.astype(np.float64))))
    _both_raise(lambda fw: fw.nn.LSTM(3, 4, proj_size=5))
    _both_raise(lambda fw: fw.nn.GRU(3, 4, proj_size=1))
    _both_raise(lambda fw: fw.nn.RNN(3, 4, nonlinearity="gelu"))
    _both_raise(lambda fw: fw.nn.LSTM(3, 4, dropout=-0.1))
    _both_raise(lambda fw: fw.nn.LSTMCell(3, 4)(fw.zeros(2, 5)))
    _both_raise(lambda fw: fw.nn.GRUCell(3, 4)(fw.zeros(2, 3), fw.zeros(3, 4)))
    _both_raise(lambda fw: fw.nn.LSTMCell(3, 4)(fw.zeros(2, 3), (fw.zeros(2, 4),
                                                                 fw.zeros(2, 5))))


# ------------------------------------------------------------------------- nn.utils.rnn

@settings(max_examples=15, deadline=None)
@given(T=st.integers(1, 6), B=st.integers(1, 5), F=st.integers(1, 3), batch_first=st.booleans(),
       enforce_sorted=st.booleans(), seed=st.integers(0, 1000),
       dt=st.sampled_from([np.float32, np.float64]))
def test_pack_pad_match_torch(T, B, F, batch_first, enforce_sorted, seed, dt):
    rng = np.random.default_rng(seed)
    lens = rng.integers(1, T + 1, B)
    if enforce_sorted:
        lens = np.sort(lens)[::-1].copy()
    x = rng.standard_normal((B, T, F) if batch_first else (T, B, F)).astype(dt)
    g = rng.standard_normal((int(lens.sum()), F)).astype(dt)
    res = []
    for fw in (torch, ember):
        xt = fw.tensor(x, requires_grad=True)
        p = fw.nn.utils.rnn.pack_padded_sequence(xt, fw.tensor(lens), batch_first=batch_first,
                                                 enforce_sorted=enforce_sorted)
        (p.data * fw.tensor(g)).sum().backward()
        si = None if p.sorted_indices is None else p.sorted_indices.tolist()
        ui = None if p.unsorted_indices is None else p.unsorted_indices.tolist()
        out, ol = fw.nn.utils.rnn.pad_packed_sequence(p, batch_first=batch_first,
                                                      padding_value=-2.0, total_length=T + 1)
        res.append((p.data.detach().numpy(), p.batch_sizes.tolist(), si, ui, xt.grad.numpy(),
                    out.detach().numpy(), ol.tolist(), str(p.batch_sizes.dtype)[-5:],
                    type(p.data.grad_fn).__name__))
    for a, b in zip(res[0], res[1]):
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)
        else:
            assert a == b


def test_pad_sequence_and_pack_sequence_match_torch():
    rng = np.random.default_rng(0)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in (3, 5, 1)]
    for kw in ({}, {"batch_first": True}, {"padding_value": 7.0, "padding_side": "left"}):
        a = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs], **kw)
        b = ember.nn.utils.rnn.pad_sequence([ember.tensor(s) for s in seqs], **kw)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    a = torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    b = ember.nn.utils.rnn.pack_sequence([ember.tensor(s) for s in seqs], enforce_sorted=False)
    np.testing.assert_array_equal(a.data.numpy(), b.data.numpy())
    assert a.batch_sizes.tolist() == b.batch_sizes.tolist()
    assert a.sorted_indices.tolist() == b.sorted_indices.tolist()
    ua = torch.nn.utils.rnn.unpack_sequence(a)
    ub = ember.nn.utils.rnn.unpack_sequence(b)
    for s, t in zip(ua, ub):
        np.testing.assert_array_equal(s.numpy(), t.numpy())
    _both_raise(lambda fw: fw.nn.utils.rnn.pack_padded_sequence(fw.zeros(3, 2, 1), [1, 3]))
    _both_raise(lambda fw: fw.nn.utils.rnn.pack_padded_sequence(fw.zeros(3, 2, 1), [3, 0]))
    _both_raise(lambda fw: fw.nn.utils.rnn.pack_padded_sequence(fw.zeros(3, 2, 1), [3]))
    _both_raise(lambda fw: fw.nn.utils.rnn.pad_packed_sequence(
        fw.nn.utils.rnn.pack_padded_sequence(fw.zeros(3, 2, 1), [3, 1]), total_length=2))
    _both_raise(lambda fw: fw.nn.utils.rnn.pad_sequence([]))


# ------------------------------------------------------------------ Listing 7-9 unchanged

LISTING_7_9 = '''
class ImprovedRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers,
                 bidirectional, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers,
                            bidirectional=bidirectional, dropout=dropout)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text, text_lengths):
        embedded = self.dropout(self.embedding(text))
        packed_embedded = nn.utils.rnn.pack_padded_sequence(embedded, text_lengths)
        packed_output, (hidden, cell) = self.lstm(packed_embedded)
        output, output_lengths = nn.utils.rnn.pad_packed_sequence(packed_output)
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)
'''


def _listing(fw):
    ns = {"torch": fw, "nn": fw.nn}
    exec(LISTING_7_9, ns)
    return ns["ImprovedRNN"]


def test_listing_7_9_parameter_count_and_reprs():
    m = _listing(ember)(25002, 300, 256, 1, 2, True, 0.5, 1)
    assert sum(p.numel() for p in m.parameters()) == 10220857
    t = _listing(torch)(25002, 300, 256, 1, 2, True, 0.5, 1)
    assert repr(m) == repr(t)
    assert list(m.state_dict()) == list(t.state_dict())


def test_listing_7_9_forward_and_training_step_match_torch():
    V, E, Hd, T, B, PAD = 60, 8, 6, 9, 5, 1
    torch.manual_seed(0)
    tm = _listing(torch)(V, E, Hd, 1, 2, True, 0.5, PAD)
    em = _listing(ember)(V, E, Hd, 1, 2, True, 0.5, PAD)
    _copy_from_torch(tm, em)
    rng = np.random.default_rng(0)
    lens = np.sort(rng.integers(2, T + 1, B))[::-1].copy()
    lens[0] = T
    ids = rng.integers(2, V, (T, B))
    ids[np.arange(T)[:, None] >= lens[None, :]] = PAD
    y = (rng.random(B) > 0.5).astype(np.float32)
    res = []
    for fw, m in ((torch, tm), (ember, em)):
        m.eval()                          # dropout off: deterministic, comparable
        text, tl = fw.tensor(ids), fw.tensor(lens)
        pred = m(text, tl).squeeze(1)
        loss = fw.nn.BCEWithLogitsLoss()(pred, fw.tensor(y))
        loss.backward()
        res.append((pred.detach().numpy(), {n: p.grad.numpy() for n, p in m.named_parameters()}))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5, atol=1e-6)
    for n in res[0][1]:
        np.testing.assert_allclose(res[1][1][n], res[0][1][n], rtol=1e-5, atol=1e-6)
    assert not np.any(res[1][1]["embedding.weight"][PAD])        # padding row: no gradient
    em.train()                            # and with dropout on, it trains
    opt = ember.optim.Adam(em.parameters())
    pred = em(ember.tensor(ids), ember.tensor(lens)).squeeze(1)
    loss = ember.nn.BCEWithLogitsLoss()(pred, ember.tensor(y))
    opt.zero_grad()
    loss.backward()
    opt.step()
    assert np.isfinite(loss.item())
