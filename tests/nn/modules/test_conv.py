"""Conv layers (ember/nn/modules/conv.py): constructor checks, PyTorch's reprs and attributes,
weight shapes and init bounds, padding modes, ConvTranspose output_size, state_dict keys."""
import math

import numpy as np
import pytest

import ember
import ember.nn as nn


def test_conv2d_repr_attributes_and_init():
    m = nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1)
    assert repr(m) == "Conv2d(1, 16, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert m.weight.shape == (16, 1, 3, 3) and m.bias.shape == (16,)
    bound = 1 / math.sqrt(9)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    assert m.weight.dtype == ember.float32
    assert list(m.state_dict()) == ["weight", "bias"]
    m = nn.Conv2d(4, 8, (3, 5), stride=2, padding=0, dilation=2, groups=2,
                  bias=False, padding_mode="reflect")
    assert repr(m) == ("Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), dilation=(2, 2), "
                       "groups=2, bias=False, padding_mode=reflect)")
    assert m.weight.shape == (8, 2, 3, 5) and m.bias is None
    assert repr(nn.Conv1d(3, 4, 3, padding="same")) == \
        "Conv1d(3, 4, kernel_size=(3,), stride=(1,), padding=same)"
    assert repr(nn.ConvTranspose2d(3, 4, 3, 2, 1, 1)) == (
        "ConvTranspose2d(3, 4, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), "
        "output_padding=(1, 1))")


def test_conv_constructor_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(4, 4, 3, groups=0)
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(4, 4, 3, padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(4, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 4, 3, padding_mode="edge")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
        nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect")


def test_conv_forward_shapes_and_padding_modes():
    ember.manual_seed(0)
    x = ember.randn(2, 3, 8, 7)
    assert nn.Conv2d(3, 5, 3)(x).shape == (2, 5, 6, 5)
    assert nn.Conv2d(3, 5, 3, padding="same")(x).shape == (2, 5, 8, 7)
    for mode in ("zeros", "reflect", "replicate", "circular"):
        m = nn.Conv2d(3, 2, 3, padding=1, padding_mode=mode)
        assert m(x).shape == (2, 2, 8, 7)
    # circular padding of a constant image is the same constant: every output equals the sum
    m = nn.Conv2d(1, 1, 3, padding=1, padding_mode="circular", bias=False)
    y = m(ember.ones(1, 1, 4, 4)).detach().numpy()
    np.testing.assert_allclose(y, m.weight.sum().item(), rtol=1e-5)
    assert nn.Conv1d(3, 4, 5, stride=2, padding=2)(ember.randn(2, 3, 11)).shape == (2, 4, 6)
    assert nn.Conv1d(3, 4, 3, padding=1, padding_mode="reflect")(ember.randn(3, 9)).shape \
        == (4, 9)


def test_conv_transpose_output_size():
    m = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1)
    x = ember.randn(1, 4, 5, 5)
    assert m(x).shape == (1, 2, 9, 9)
    assert m(x, output_size=[10, 10]).shape == (1, 2, 10, 10)
    assert m(x, output_size=(1, 2, 10, 9)).shape == (1, 2, 10, 9)
    with pytest.raises(ValueError, match="requested an output size of"):
        m(x, output_size=(12, 12))
    m1 = nn.ConvTranspose1d(2, 3, 4, stride=2)
    assert m1(ember.randn(1, 2, 5)).shape == (1, 3, 12)


def test_conv_trains():
    ember.manual_seed(0)
    m = nn.Conv2d(2, 3, 3, padding=1)
    x = ember.randn(4, 2, 6, 6)
    target = ember.randn(4, 3, 6, 6)
    opt = ember.optim.SGD(m.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        loss = ((m(x) - target) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.8 * losses[0]
