"""Upsample layers: reprs (scale or size, mode) and outputs."""
import numpy as np

import ember
import ember.nn as nn


def test_upsample_layers():
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.Upsample(size=(4, 5), mode="bilinear")) == \
        "Upsample(size=(4, 5), mode='bilinear')"
    assert repr(nn.UpsamplingBilinear2d(scale_factor=2)) == \
        "UpsamplingBilinear2d(scale_factor=2.0, mode='bilinear')"
    x = ember.tensor(np.arange(4.0, dtype=np.float32).reshape(1, 1, 2, 2))
    np.testing.assert_allclose(nn.UpsamplingNearest2d(scale_factor=2)(x).numpy()[0, 0, 0],
                               [0, 0, 1, 1])
    np.testing.assert_allclose(nn.UpsamplingBilinear2d(size=3)(x).numpy()[0, 0, 1],
                               [1, 1.5, 2])
    assert nn.Upsample(scale_factor=(2, 3), mode="bicubic")(x).shape == (1, 1, 4, 6)
