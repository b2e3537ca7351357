"""Fold / Unfold layers: reprs and the fold(unfold(x)) overlap counts."""
import numpy as np

import ember
import ember.nn as nn


def test_fold_unfold_layers():
    u = nn.Unfold(kernel_size=2, padding=1)
    f = nn.Fold(output_size=(3, 3), kernel_size=2, padding=1)
    assert repr(u) == "Unfold(kernel_size=2, dilation=1, padding=1, stride=1)"
    assert repr(f) == "Fold(output_size=(3, 3), kernel_size=2, dilation=1, padding=1, stride=1)"
    x = ember.ones(2, 3, 3, 3)
    cols = u(x)
    assert cols.shape == (2, 12, 16)
    np.testing.assert_allclose(f(cols).numpy(), 4)   # every pixel lies in 4 blocks
