"""``Unfold`` (im2col: sliding blocks as columns) and ``Fold`` (col2im: sum them back)."""
from .module import Module
from ...ops.vision_ops import _fold, _unfold

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """(N, C*kh*kw, L) blocks -> (N, C, H, W) image, overlapping values summed."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return _fold(input, self.output_size, self.kernel_size, self.dilation, self.padding,
                     self.stride)

    def extra_repr(self):
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
                f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """(N, C, H, W) image -> (N, C*kh*kw, L) columns of its sliding blocks."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return _unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
