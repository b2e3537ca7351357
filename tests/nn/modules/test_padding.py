"""Padding layers (ember/nn/modules/padding.py): stored padding tuples, reprs, outputs."""
import numpy as np

import ember
import ember.nn as nn


def test_padding_layers():
    assert repr(nn.ReflectionPad2d(2)) == "ReflectionPad2d((2, 2, 2, 2))"
    assert repr(nn.ReplicationPad1d((1, 3))) == "ReplicationPad1d((1, 3))"
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    assert repr(nn.CircularPad2d(1)) == "CircularPad2d((1, 1, 1, 1))"
    x = ember.tensor(np.arange(4.0, dtype=np.float32).reshape(1, 1, 2, 2))
    np.testing.assert_allclose(nn.ReflectionPad2d(1)(x).numpy()[0, 0, 0], [3, 2, 3, 2])
    np.testing.assert_allclose(nn.ReplicationPad2d((1, 0, 0, 0))(x).numpy()[0, 0],
                               [[0, 0, 1], [2, 2, 3]])
    np.testing.assert_allclose(nn.ZeroPad2d((0, 1, 0, 0))(x).numpy()[0, 0], [[0, 1, 0], [2, 3, 0]])
    np.testing.assert_allclose(nn.ConstantPad2d(1, -1.0)(x).numpy()[0, 0, 0], [-1] * 4)
    np.testing.assert_allclose(nn.CircularPad1d(1)(x[0]).numpy()[0, 0], [1, 0, 1, 0])
    assert nn.ReflectionPad3d(1)(ember.randn(1, 1, 2, 2, 2)).shape == (1, 1, 4, 4, 4)
