"""Pooling layers (ember/nn/modules/pooling.py): PyTorch's reprs and attributes, forward shapes,
return_indices, and MaxUnpool2d undoing MaxPool2d."""
import numpy as np

import ember
import ember.nn as nn


def test_pool_reprs():
    assert repr(nn.MaxPool2d(kernel_size=2, stride=2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool2d(3)) == \
        "MaxPool2d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool1d(3, 2, 1)) == \
        "MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(2)) == "AvgPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"
    assert repr(nn.AdaptiveAvgPool2d((7, 7))) == "AdaptiveAvgPool2d(output_size=(7, 7))"
    assert repr(nn.AdaptiveMaxPool2d(1)) == "AdaptiveMaxPool2d(output_size=1)"
    assert repr(nn.MaxUnpool2d(2)) == "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), " \
                                      "padding=(0, 0))"
    assert repr(nn.LPPool2d(2, 3)) == "LPPool2d(norm_type=2, kernel_size=3, stride=None, " \
                                      "ceil_mode=False)"


def test_pool_forward_shapes():
    x = ember.randn(2, 3, 9, 8)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 4, 4)
    assert nn.MaxPool2d(2, ceil_mode=True)(x).shape == (2, 3, 5, 4)
    assert nn.AvgPool2d(3, 2, 1)(x).shape == (2, 3, 5, 4)
    assert nn.AdaptiveAvgPool2d((3, None))(x).shape == (2, 3, 3, 8)
    assert nn.AdaptiveMaxPool2d(2)(x).shape == (2, 3, 2, 2)
    assert nn.MaxPool1d(2)(ember.randn(2, 3, 7)).shape == (2, 3, 3)
    assert nn.AvgPool1d(2)(ember.randn(3, 7)).shape == (3, 3)
    assert nn.AdaptiveAvgPool1d(4)(ember.randn(2, 3, 9)).shape == (2, 3, 4)
    assert nn.LPPool1d(2, 2)(ember.randn(2, 3, 8)).shape == (2, 3, 4)


def test_maxunpool_inverts_maxpool():
    pool = nn.MaxPool2d(2, stride=2, return_indices=True)
    unpool = nn.MaxUnpool2d(2, stride=2)
    x = ember.tensor(np.arange(16.0, dtype=np.float32).reshape(1, 1, 4, 4))
    out, idx = pool(x)
    back = unpool(out, idx).numpy()[0, 0]
    assert back[1, 1] == 5 and back[3, 3] == 15 and back.sum() == 5 + 7 + 13 + 15
    assert unpool(out, idx, output_size=x.size()).shape == (1, 1, 4, 4)
    p1 = nn.MaxPool1d(2, return_indices=True)
    o, i = p1(ember.tensor([[[1.0, 4.0, 2.0, 3.0]]]))
    assert nn.MaxUnpool1d(2)(o, i).numpy().tolist() == [[[0, 4, 0, 3]]]
