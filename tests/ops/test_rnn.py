"""Recurrent kernels (ember/ops/rnn.py): hand-checked values and float64 gradchecks of RNN, LSTM
and GRU over layers, directions, batch_first, packed/padded input and initial states."""
import math

import numpy as np
import pytest

import ember
from ember.ops import rnn as K
from ember.nn.utils import rnn as U
from helpers import check_grad, t64

T, B, I, H = 4, 3, 2, 3
LENS = [4, 2, 3]          # unequal, unsorted: packing sorts them (enforce_sorted=False)


def _module(kind, layers=1, bidir=False, batch_first=False, proj=0):
    ember.manual_seed(0)
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first)
    if proj:
        kw["proj_size"] = proj
    cls = {"lstm": ember.nn.LSTM, "gru": ember.nn.GRU, "rnn": ember.nn.RNN,
           "relu": lambda *a, **k: ember.nn.RNN(*a, nonlinearity="relu", **k)}[kind]
    return cls(I, H, **kw).double()


def _gradcheck_module(kind, layers=1, bidir=False, batch_first=False, packed=False, init=False,
                      proj=0):
    m = _module(kind, layers, bidir, batch_first, proj)
    rng = np.random.default_rng(1)
    D = 2 if bidir else 1
    P = proj or H
    x = rng.standard_normal((B, T, I) if batch_first else (T, B, I))
    states = []
    if init:
        states.append(rng.standard_normal((layers * D, B, P)))
        if kind == "lstm":
            states.append(rng.standard_normal((layers * D, B, H)))
    names = [n for n, _ in m.named_parameters()]
    weights = [p.detach().numpy().copy() for _, p in m.named_parameters()]
    ns = len(states)
    out_w = {}

    def fn(x, *rest):
        st, ws = rest[:ns], rest[ns:]
        for n, w in zip(names, ws):
            m._parameters[n] = w
        inp = U.pack_padded_sequence(x, LENS, batch_first=batch_first, enforce_sorted=False) \
            if packed else x
        hx = None
        if init:
            hx = (st[0], st[1]) if kind == "lstm" else st[0]
        out, hn = m(inp, hx)
        if packed:
            out, _ = U.pad_packed_sequence(out, batch_first=batch_first)
        outs = [out] + (list(hn) if kind == "lstm" else [hn])
        total = None
        for k, o in enumerate(outs):
            if k not in out_w:
                out_w[k] = ember.tensor(np.cos(np.arange(o.numel()) * 0.7 + k)
                                        .reshape(tuple(o.shape)))
            s = (o * out_w[k]).sum()
            total = s if total is None else total + s
        return total

    check_grad(fn, x, *states, *weights)


@pytest.mark.parametrize("kind", ["rnn", "relu", "lstm", "gru"])
@pytest.mark.parametrize("packed", [False, True])
def test_gradcheck_single_layer(kind, packed):
    _gradcheck_module(kind, packed=packed, init=packed)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("packed,batch_first,init", [(False, True, True), (True, True, False),
                                                     (True, False, True)])
def test_gradcheck_two_layer_bidirectional(kind, packed, batch_first, init):
    _gradcheck_module(kind, layers=2, bidir=True, batch_first=batch_first, packed=packed,
                      init=init)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_gradcheck_two_layer_unidirectional_padded(kind):
    _gradcheck_module(kind, layers=2, init=True)


@pytest.mark.parametrize("packed", [False, True])
def test_gradcheck_lstm_projection(packed):
    _gradcheck_module("lstm", layers=2, bidir=True, packed=packed, init=True, proj=2)


# ---------------------------------------------------------------------- hand-checked values

def test_rnn_tanh_values_by_hand():
    # h_t = tanh(x_t * 1 + h_{t-1} * 0.5), one unit, no bias
    x = np.array([[[1.0]], [[0.0]], [[-2.0]]])
    y, hn = K.RNNTanhLayer.apply(t64(x), None, t64([[1.0]]), t64([[0.5]]), None, None, None,
                                 False)
    h1 = math.tanh(1.0)
    h2 = math.tanh(0.5 * h1)
    h3 = math.tanh(-2.0 + 0.5 * h2)
    np.testing.assert_allclose(y.detach().numpy().ravel(), [h1, h2, h3], rtol=1e-12)
    np.testing.assert_allclose(hn.detach().numpy(), [[h3]], rtol=1e-12)


def test_rnn_relu_reverse_values_by_hand():
    x = np.array([[[1.0]], [[2.0]]])
    y, hn = K.RNNReluLayer.apply(t64(x), None, t64([[1.0]]), t64([[2.0]]), t64([-0.5]),
                                 None, None, True)
    h2 = max(2.0 - 0.5, 0)             # the reverse direction starts at the last step
    h1 = max(1.0 + 2.0 * h2 - 0.5, 0)
    np.testing.assert_allclose(y.detach().numpy().ravel(), [h1, h2])
    np.testing.assert_allclose(hn.detach().numpy(), [[h1]])   # h_n of reverse = step 0


def test_lstm_values_by_hand():
    # zero weights: every gate sees only its bias; gate order i, f, g, o
    Hh = 2
    w_ih = np.zeros((4 * Hh, 1))
    w_hh = np.zeros((4 * Hh, Hh))
    b = np.array([0.0, 0.0, 1.0, 1.0, 0.5, -0.5, 2.0, 0.0])
    x = np.zeros((2, 1, 1))
    c0 = np.array([[1.0, -1.0]])
    y, hn, cn = K.LSTMLayer.apply(t64(x), None, t64(c0), t64(w_ih), t64(w_hh), t64(b), None,
                                  None, None, False)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    i, f, g, o = sig(b[0:2]), sig(b[2:4]), np.tanh(b[4:6]), sig(b[6:8])
    c1 = f * c0[0] + i * g
    c2 = f * c1 + i * g
    np.testing.assert_allclose(cn.detach().numpy()[0], c2, rtol=1e-12)
    np.testing.assert_allclose(y.detach().numpy()[:, 0], [o * np.tanh(c1), o * np.tanh(c2)],
                               rtol=1e-12)
    np.testing.assert_allclose(hn.detach().numpy()[0], o * np.tanh(c2), rtol=1e-12)


def test_gru_values_by_hand():
    # zero weights: r, z, n from biases; h' = (1 - z) * n + z * h
    w_ih = np.zeros((3, 1))
    w_hh = np.zeros((3, 1))
    b_ih = np.array([0.3, -0.2, 0.7])
    b_hh = np.array([0.1, 0.4, -0.5])
    h0 = np.array([[0.25]])
    y, hn = K.GRULayer.apply(t64(np.zeros((1, 1, 1))), t64(h0), t64(w_ih), t64(w_hh),
                             t64(b_ih), t64(b_hh), None, False)
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    r, z = sig(0.3 + 0.1), sig(-0.2 + 0.4)
    n = math.tanh(0.7 + r * -0.5)
    np.testing.assert_allclose(hn.detach().numpy(), [[(1 - z) * n + z * 0.25]], rtol=1e-12)


def test_packed_final_state_is_each_sequences_last_step():
    ember.manual_seed(0)
    m = ember.nn.GRU(2, 3).double()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 2))
    lens = [5, 3, 1]
    packed = U.pack_padded_sequence(ember.tensor(x), lens)
    out, hn = m(packed)
    for b, n in enumerate(lens):
        _, hb = m(ember.tensor(x[:n, b:b + 1]))
        np.testing.assert_allclose(hn.detach().numpy()[0, b], hb.detach().numpy()[0, 0],
                                   rtol=1e-12)
    padded, lengths = U.pad_packed_sequence(out)
    assert lengths.tolist() == lens
    assert np.all(padded.detach().numpy()[3:, 1] == 0)


def test_reverse_direction_of_packed_batch_starts_at_each_sequences_end():
    ember.manual_seed(0)
    m = ember.nn.LSTM(2, 3, bidirectional=True).double()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 2, 2))
    lens = [4, 2]
    out, (hn, cn) = m(U.pack_padded_sequence(ember.tensor(x), lens))
    padded, _ = U.pad_packed_sequence(out)
    # sequence 1 alone, unpadded: its reverse half must match the packed run
    o1, (h1, c1) = m(ember.tensor(x[:2, 1:2]))
    np.testing.assert_allclose(padded.detach().numpy()[:2, 1], o1.detach().numpy()[:, 0],
                               rtol=1e-12)
    np.testing.assert_allclose(hn.detach().numpy()[:, 1], h1.detach().numpy()[:, 0],
                               rtol=1e-12)


def test_float32_stays_float32():
    m = ember.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = ember.randn(5, 2, 3, requires_grad=True)
    out, (h, c) = m(x)
    assert out.dtype == ember.float32 and h.dtype == ember.float32 and c.dtype == ember.float32
    (out.sum() + h.sum()).backward()
    assert x.grad.dtype == ember.float32
    assert all(p.grad.dtype == ember.float32 for p in m.parameters())


def test_no_graph_under_no_grad():
    m = ember.nn.GRU(3, 4)
    with ember.no_grad():
        out, h = m(ember.randn(5, 2, 3))
    assert out.grad_fn is None and not out.requires_grad


def test_frozen_weights_get_no_grad_but_input_does():
    m = ember.nn.RNN(2, 3).double()
    for p in m.parameters():
        p.requires_grad_(False)
    x = ember.randn(4, 2, 2, dtype=ember.float64, requires_grad=True)
    out, _ = m(x)
    out.sum().backward()
    assert x.grad is not None and all(p.grad is None for p in m.parameters())


def test_dropout_between_layers_train_only():
    ember.manual_seed(0)
    m = ember.nn.LSTM(3, 4, num_layers=2, dropout=0.5).double()
    x = ember.randn(6, 2, 3, dtype=ember.float64)
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    m.train()
    c, _ = m(x)
    d, _ = m(x)
    assert not np.allclose(c.detach().numpy(), d.detach().numpy())
    # same seed, same masks
    ember.manual_seed(5)
    e, _ = m(x)
    ember.manual_seed(5)
    f, _ = m(x)
    np.testing.assert_array_equal(e.detach().numpy(), f.detach().numpy())


def test_dropout_kernel_gradcheck():
    rng = np.random.default_rng(0)
    mask = (rng.random((3, 4)) > 0.5) * 2.0
    check_grad(lambda x: K.RNNDropout.apply(x, mask), rng.standard_normal((3, 4)))
    check_grad(lambda x: K.RNNDropout.apply(x, mask[0]), rng.standard_normal((2, 4)))


# ------------------------------------------------------------------ packing kernels

@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_pad_kernels_gradcheck(batch_first):
    rng = np.random.default_rng(0)
    lens = [5, 3, 3, 1]
    shape = (4, 5, 2) if batch_first else (5, 4, 2)
    check_grad(lambda x: U.pack_padded_sequence(x, lens, batch_first=batch_first).data,
               rng.standard_normal(shape))
    packed = U.pack_padded_sequence(ember.tensor(rng.standard_normal(shape)), lens,
                                    batch_first=batch_first)
    bs = packed.batch_sizes
    check_grad(lambda d: U.pad_packed_sequence(U.PackedSequence(d, bs),
                                               batch_first=batch_first, total_length=6)[0],
               rng.standard_normal((sum(lens), 2)))


def test_pad_sequence_kernel_gradcheck():
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 2)), rng.standard_normal((1, 2)), rng.standard_normal((2, 2))
    check_grad(lambda *s: U.pad_sequence(s), a, b, c)
    check_grad(lambda *s: U.pad_sequence(s, batch_first=True, padding_side="left"), a, b, c)
    check_grad(lambda *s: U.pad_sequence(s, padding_value=-1.0), a[:, 0], b[:, 0])


def test_pack_indices_order():
    # step-major, then batch: (t=0: b0, b1, b2), (t=1: b0, b1), (t=2: b0)
    np.testing.assert_array_equal(K.pack_indices([3, 2, 1], 3, False), [0, 1, 2, 3, 4, 6])
    np.testing.assert_array_equal(K.pack_indices([3, 2, 1], 3, True), [0, 3, 6, 1, 4, 2])


@pytest.mark.parametrize("kind,proj", [("rnn", 0), ("relu", 0), ("lstm", 0), ("lstm", 2),
                                       ("gru", 0)])
def test_inference_path_matches_recording_path(kind, proj):
    # under no_grad the kernels keep only per-step scratch rows: same numbers
    m = _module(kind, layers=2, bidir=True, proj=proj)
    x = ember.tensor(np.random.default_rng(5).standard_normal((T, B, I)), requires_grad=True)
    for inp in (x, U.pack_padded_sequence(x, LENS, enforce_sorted=False)):
        out, hn = m(inp)
        with ember.no_grad():
            out2, hn2 = m(inp)
        a = out.data if isinstance(out, U.PackedSequence) else out
        b = out2.data if isinstance(out2, U.PackedSequence) else out2
        np.testing.assert_array_equal(a.detach().numpy(), b.numpy())
        for s, s2 in zip(hn if kind == "lstm" else [hn], hn2 if kind == "lstm" else [hn2]):
            np.testing.assert_array_equal(s.detach().numpy(), s2.numpy())
