"""PixelShuffle / PixelUnshuffle layers."""
import ember
import ember.nn as nn


def test_pixel_shuffle_layers():
    assert repr(nn.PixelShuffle(3)) == "PixelShuffle(upscale_factor=3)"
    assert repr(nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"
    x = ember.randn(2, 9, 4, 5)
    y = nn.PixelShuffle(3)(x)
    assert y.shape == (2, 1, 12, 15)
    assert (nn.PixelUnshuffle(3)(y) - x).abs().max().item() == 0
