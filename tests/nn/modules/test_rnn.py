"""nn.RNN / LSTM / GRU and the cells: PyTorch's parameter names, shapes, init, reprs, output
shapes, argument checks, state_dict round trips and gradient clipping."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.nn.utils.rnn import pack_padded_sequence, PackedSequence


def test_parameter_names_and_shapes_bidirectional_lstm():
    m = nn.LSTM(300, 256, num_layers=2, bidirectional=True, dropout=0.5)
    shapes = {n: tuple(p.shape) for n, p in m.named_parameters()}
    assert list(shapes) == [
        "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
        "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
        "bias_hh_l0_reverse",
        "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
        "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse",
        "bias_hh_l1_reverse"]
    assert shapes["weight_ih_l0"] == (1024, 300) and shapes["weight_ih_l1"] == (1024, 512)
    assert shapes["weight_hh_l1_reverse"] == (1024, 256) and shapes["bias_ih_l0"] == (1024,)
    assert repr(m) == "LSTM(300, 256, num_layers=2, dropout=0.5, bidirectional=True)"
    assert list(m.state_dict()) == list(shapes)
    assert len(m.all_weights) == 4 and m.all_weights[0][0] is m.weight_ih_l0


def test_parameter_shapes_gru_rnn_proj_nobias():
    g = nn.GRU(5, 7, bias=False)
    assert [tuple(p.shape) for p in g.parameters()] == [(21, 5), (21, 7)]
    r = nn.RNN(5, 7, 2, nonlinearity="relu", batch_first=True)
    assert tuple(r.weight_ih_l1.shape) == (7, 7) and r.nonlinearity == "relu"
    assert repr(r) == "RNN(5, 7, num_layers=2, batch_first=True)"
    p = nn.LSTM(5, 7, proj_size=3, bidirectional=True, num_layers=2)
    assert tuple(p.weight_hh_l0.shape) == (28, 3) and tuple(p.weight_hr_l0.shape) == (3, 7)
    assert tuple(p.weight_ih_l1.shape) == (28, 6)
    assert repr(p) == "LSTM(5, 7, proj_size=3, num_layers=2, bidirectional=True)"
    assert repr(nn.GRU(5, 7, bias=False)) == "GRU(5, 7, bias=False)"


def test_default_init_is_uniform_in_one_over_sqrt_hidden():
    ember.manual_seed(0)
    m = nn.LSTM(20, 64)
    bound = 1 / math.sqrt(64)
    for p in m.parameters():
        a = p.detach().numpy()
        assert a.min() >= -bound and a.max() <= bound
        assert a.std() > bound / 3            # spread over the interval, not constant
    ember.manual_seed(0)
    m2 = nn.LSTM(20, 64)
    np.testing.assert_array_equal(m.weight_hh_l0.detach().numpy(),
                                  m2.weight_hh_l0.detach().numpy())


@pytest.mark.parametrize("cls,n_states", [(nn.RNN, 1), (nn.GRU, 1), (nn.LSTM, 2)])
@pytest.mark.parametrize("batch_first", [False, True])
def test_output_shapes(cls, n_states, batch_first):
    m = cls(3, 5, num_layers=2, bidirectional=True, batch_first=batch_first)
    x = ember.randn(4, 6, 3) if batch_first else ember.randn(6, 4, 3)
    out, hn = m(x)
    assert tuple(out.shape) == ((4, 6, 10) if batch_first else (6, 4, 10))
    states = hn if n_states == 2 else (hn,)
    for s in states:
        assert tuple(s.shape) == (4, 4, 5)   # (layers * directions, batch, hidden)
    # the last layer's forward final state is the output's last step (first half)
    o = out.detach().numpy()
    last = o[:, -1] if batch_first else o[-1]
    np.testing.assert_allclose(states[0].detach().numpy()[2], last[:, :5], rtol=1e-6)
    first = o[:, 0] if batch_first else o[0]
    np.testing.assert_allclose(states[0].detach().numpy()[3], first[:, 5:], rtol=1e-6)


def test_unbatched_input():
    m = nn.GRU(3, 5, num_layers=2)
    out, h = m(ember.randn(6, 3), ember.zeros(2, 5))
    assert tuple(out.shape) == (6, 5) and tuple(h.shape) == (2, 5)
    lstm = nn.LSTM(3, 5, proj_size=2)
    out, (h, c) = lstm(ember.randn(6, 3))
    assert tuple(out.shape) == (6, 2) and tuple(h.shape) == (1, 2) and tuple(c.shape) == (1, 5)


def test_packed_input_returns_packed_output():
    m = nn.LSTM(3, 4, bidirectional=True)
    x = ember.randn(5, 3, 3)
    p = pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
    out, (h, c) = m(p)
    assert isinstance(out, PackedSequence) and tuple(out.data.shape) == (10, 8)
    assert out.batch_sizes is p.batch_sizes and out.unsorted_indices is p.unsorted_indices
    assert tuple(h.shape) == (2, 3, 4)
    # h_n comes back in the caller's batch order: sequence 0 has length 2
    _, (h0, _) = m(x[:2, 0:1])
    np.testing.assert_allclose(h.detach().numpy()[:, 0], h0.detach().numpy()[:, 0], rtol=1e-5)


def test_initial_state_is_used_and_gets_gradient():
    m = nn.RNN(2, 3)
    x = ember.randn(4, 2, 2)
    h0 = ember.randn(1, 2, 3, requires_grad=True)
    a, _ = m(x)
    b, hn = m(x, h0)
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    hn.sum().backward()
    assert h0.grad is not None and np.any(h0.grad.numpy())


def test_argument_errors():
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.2)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="proj_size argument is only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="Unknown nonlinearity 'sigmoid'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.RNN(3, 0)
    m = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input.size\\(-1\\) must be equal to input_size. "
                                           "Expected 3, got 5"):
        m(ember.randn(2, 2, 5))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D instead"):
        m(ember.randn(2, 2, 2, 3))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(1, 2, 4\), got "
                                           r"\[2, 2, 4\]"):
        m(ember.randn(5, 2, 3), (ember.zeros(2, 2, 4), ember.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        nn.GRU(3, 4)(ember.randn(5, 2, 3), ember.zeros(1, 3, 4))
    with pytest.raises(ValueError, match="RNN input dtype"):
        nn.RNN(3, 4)(ember.randn(5, 2, 3, dtype=ember.float64))


def test_flatten_parameters_is_a_noop_and_state_dict_round_trip():
    a, b = nn.LSTM(3, 4, num_layers=2), nn.LSTM(3, 4, num_layers=2)
    a.flatten_parameters()
    b.load_state_dict(a.state_dict())
    x = ember.randn(5, 2, 3)
    np.testing.assert_array_equal(a(x)[0].detach().numpy(), b(x)[0].detach().numpy())


def test_clip_grad_norm_on_rnn_parameters():
    m = nn.RNN(3, 8)
    x = ember.randn(50, 4, 3) * 10
    out, h = m(x)
    (out.sum() * 100).backward()
    total = nn.utils.clip_grad_norm_(m.parameters(), 1.0)
    assert float(total) > 1.0
    norm = math.sqrt(sum(float((p.grad * p.grad).sum()) for p in m.parameters()))
    assert abs(norm - 1.0) < 1e-4


# ------------------------------------------------------------------------------- cells

def test_cells_match_one_step_of_the_layers():
    ember.manual_seed(0)
    x = ember.randn(1, 3, 4)
    for layer_cls, cell_cls in ((nn.RNN, nn.RNNCell), (nn.GRU, nn.GRUCell),
                                (nn.LSTM, nn.LSTMCell)):
        layer, cell = layer_cls(4, 5), cell_cls(4, 5)
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(cell, name)._data[...] = getattr(layer, name + "_l0")._data
        out, hn = layer(x)
        hc = cell(x[0])
        if cell_cls is nn.LSTMCell:
            np.testing.assert_allclose(hc[0].detach().numpy(), hn[0].detach().numpy()[0],
                                       rtol=1e-6)
            np.testing.assert_allclose(hc[1].detach().numpy(), hn[1].detach().numpy()[0],
                                       rtol=1e-6)
        else:
            np.testing.assert_allclose(hc.detach().numpy(), hn.detach().numpy()[0], rtol=1e-6)


def test_cell_shapes_reprs_and_errors():
    c = nn.LSTMCell(3, 4)
    assert [n for n, _ in c.named_parameters()] == ["weight_ih", "weight_hh", "bias_ih",
                                                    "bias_hh"]
    assert tuple(c.weight_ih.shape) == (16, 3)
    h, cc = c(ember.randn(3), (ember.zeros(4), ember.zeros(4)))     # unbatched
    assert tuple(h.shape) == (4,) and tuple(cc.shape) == (4,)
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == \
        "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.GRUCell(3, 4)) == "GRUCell(3, 4)"
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        c(ember.randn(2, 5))
    with pytest.raises(RuntimeError, match="Input batch size 2 doesn't match hidden0 batch "
                                           "size 3"):
        nn.GRUCell(3, 4)(ember.randn(2, 3), ember.zeros(3, 4))
    with pytest.raises(ValueError, match="RNNCell: Expected input to be 1D or 2D, got 3D"):
        nn.RNNCell(3, 4)(ember.randn(1, 2, 3))


def test_cell_loop_trains():
    ember.manual_seed(0)
    cell = nn.GRUCell(2, 4)
    head = nn.Linear(4, 1)
    opt = ember.optim.Adam(list(cell.parameters()) + list(head.parameters()), lr=0.05)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((6, 16, 2)).astype(np.float32))
    y = ember.tensor((x.numpy()[:, :, 0].sum(0) > 0).astype(np.float32))
    losses = []
    for _ in range(40):
        h = None
        for t in range(6):
            h = cell(x[t], h)
        loss = nn.functional.binary_cross_entropy_with_logits(head(h).view(-1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
