"""Image transforms as functions on PIL images and on tensors (``[..., C, H, W]``).

Follows ``torchvision.transforms.functional``: a PIL image goes through Pillow's own operation
(as torchvision does); a tensor goes through a NumPy version of torchvision's tensor kernel
(antialiased resize with Pillow's resampling weights, grid sampling for rotation, blending for
the colour adjustments). Pillow is optional and imported only when a PIL image is involved.
"""
import math
import numbers
import sys
from enum import Enum

import numpy as np

from ...tensor import Tensor, _new_tensor
from ..._dtype import from_numpy_dtype, get_default_dtype, float32 as _float32

__all__ = ["InterpolationMode", "get_dimensions", "get_image_size", "get_image_num_channels",
           "to_tensor", "pil_to_tensor", "to_pil_image", "convert_image_dtype", "normalize",
           "resize", "pad", "crop", "center_crop", "resized_crop", "hflip", "vflip", "rotate",
           "adjust_brightness", "adjust_contrast", "adjust_saturation", "adjust_hue",
           "rgb_to_grayscale", "to_grayscale"]


class InterpolationMode(Enum):
    """Interpolation modes (the value is the name PyTorch's ``interpolate`` uses)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


_PIL_MODES = {InterpolationMode.NEAREST: 0, InterpolationMode.NEAREST_EXACT: 0,
              InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
              InterpolationMode.BOX: 4, InterpolationMode.HAMMING: 5,
              InterpolationMode.LANCZOS: 1}
_FROM_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
             3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
             5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}


def _interpolation_modes_from_int(i):
    return _FROM_INT[i]


def _interp(interpolation):
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int) and not isinstance(interpolation, bool):
        return _FROM_INT[interpolation]
    raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                    "Pillow integer constant")


# ----- Pillow, lazily ----------------------------------------------------------------------
def _pil():
    """The ``PIL.Image`` module, or an ImportError that names the extra to install."""
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("working with PIL images needs Pillow, an optional dependency of "
                          "ember: pip install 'ember[vision]'") from None
    return Image


def _is_pil_image(img):
    mod = sys.modules.get("PIL.Image")     # never import Pillow just to ask
    return mod is not None and isinstance(img, mod.Image)


# ----- helpers on arrays ---------------------------------------------------------------------
def _wrap(arr):
    return _new_tensor(arr)


def _is_float(arr):
    return arr.dtype.kind == "f"


def _max_value(npdt):
    npdt = np.dtype(npdt)
    if npdt.kind == "f":
        return 1.0
    if npdt.kind == "b":
        return 1
    return int(np.iinfo(npdt).max)


def _work_dtype(arr):
    """Float dtype in which torchvision computes on this image (float32 for integer images)."""
    return arr.dtype if _is_float(arr) else np.dtype(np.float32)


def _to_dtype(arr, npdt):
    """Cast a float result back to an image dtype the way ``Tensor.to`` does (truncation)."""
    if arr.dtype == npdt:
        return arr
    if npdt.kind in "iu":
        info = np.iinfo(npdt)
        arr = np.clip(arr, info.min, info.max)
    return arr.astype(npdt)


def _assert_image_tensor(img):
    if not (isinstance(img, Tensor) and img.ndim >= 2):
        raise TypeError("Tensor is not a torch image.")


def _tensor_channels(arr):
    if arr.ndim == 2:
        return 1
    if arr.ndim > 2:
        return arr.shape[-3]
    raise TypeError(f"Input ndim should be 2 or more. Got {arr.ndim}")


def _assert_channels(arr, permitted):
    c = _tensor_channels(arr)
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, "
                        f"but found {c}")


def _check_image(img):
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return True
    if _is_pil_image(img):
        return False
    raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")


# ----- sizes ---------------------------------------------------------------------------------
def get_dimensions(img):
    """``[channels, height, width]`` of a PIL image or a ``[..., C, H, W]`` tensor."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        arr = img._data
        return [_tensor_channels(arr), arr.shape[-2], arr.shape[-1]]
    if _is_pil_image(img):
        w, h = img.size
        return [len(img.getbands()), h, w]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_size(img):
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ----- conversions ---------------------------------------------------------------------------
def _bytes_to_float(arr):
    ft = get_default_dtype().np
    return arr.astype(ft) / ft.type(255)


def to_tensor(pic):
    """PIL image or HWC ndarray -> CHW tensor; uint8 data is scaled to [0, 1] in the default
    float dtype, other dtypes are kept as they are."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        arr = np.ascontiguousarray(pic.transpose(2, 0, 1))
        if arr.dtype == np.uint8:
            return _wrap(_bytes_to_float(arr))
        return _wrap(arr)
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B": np.int16,
              "F": np.float32}.get(pic.mode, np.uint8)
    arr = np.array(pic, nptype, copy=True)
    if pic.mode == "1":
        arr = 255 * arr
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    arr = np.ascontiguousarray(arr.transpose(2, 0, 1))
    if arr.dtype == np.uint8:
        return _wrap(_bytes_to_float(arr))
    return _wrap(arr)


def pil_to_tensor(pic):
    """PIL image -> CHW tensor of the image's own dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return _wrap(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image (floats are scaled by 255 unless mode is 'F')."""
    if isinstance(pic, Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic._data
        if arr.ndim == 3:
            arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if arr.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    npimg = arr
    if npimg.dtype.kind == "f" and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    c = npimg.shape[2]
    if c == 1:
        npimg = npimg[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {npimg.dtype}. "
                             f"Should be {expected}")
        mode = expected
    elif c == 2:
        if mode is not None and mode not in ["LA"]:
            raise ValueError("Only modes ['LA'] are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif c == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    Image = _pil()
    h, w = npimg.shape[:2]
    if mode in ("L", "LA", "RGB", "RGBA", "I", "F"):
        return Image.fromarray(np.ascontiguousarray(npimg))
    if mode == "I;16":
        return Image.frombytes("I;16", (w, h), npimg.astype("<u2").tobytes())
    return Image.frombytes(mode, (w, h), np.ascontiguousarray(npimg).tobytes())


def convert_image_dtype(image, dtype=_float32):
    """Convert an image tensor's dtype, rescaling values ([0, 1] floats, [0, MAX] integers)."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    arr = _convert_array_dtype(image._data, dtype.np)
    return image if arr is image._data else _wrap(arr)


def _convert_array_dtype(arr, out):
    out = np.dtype(out)
    if arr.dtype == out:
        return arr
    if _is_float(arr):
        if out.kind == "f":
            return arr.astype(out)
        if ((arr.dtype == np.float32 and out in (np.int32, np.int64))
                or (arr.dtype == np.float64 and out == np.int64)):
            raise RuntimeError(f"The cast from {from_numpy_dtype(arr.dtype)} to "
                               f"{from_numpy_dtype(out)} cannot be performed safely.")
        eps = 1e-3
        return (arr * arr.dtype.type(_max_value(out) + 1.0 - eps)).astype(out)
    in_max = _max_value(arr.dtype)
    if out.kind == "f":
        return arr.astype(out) / out.type(in_max)
    out_max = _max_value(out)
    if in_max > out_max:
        factor = (in_max + 1) // (out_max + 1)
        return (arr // factor).astype(out)
    factor = (out_max + 1) // (in_max + 1)
    return arr.astype(out) * out.type(factor)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float ``[..., C, H, W]`` tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    npdt = tensor._data.dtype
    m = np.asarray(getattr(mean, "_data", mean), dtype=npdt)
    s = np.asarray(getattr(std, "_data", std), dtype=npdt)
    if (s == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, "
                         "leading to division by zero.")
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    if not inplace:
        tensor = tensor.clone()
    return tensor.sub_(_wrap(m)).div_(_wrap(s))


# ----- resize --------------------------------------------------------------------------------
def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    if size is None or len(size) == 1:
        short, long = (w, h) if w <= h else (h, w)
        if size is None:
            if max_size is None:
                raise ValueError("If size is None, then max_size must be specified")
            new_short, new_long = int(max_size * short / long), max_size
        else:
            requested = size[0]
            new_short, new_long = requested, int(requested * long / short)
            if max_size is not None:
                if max_size <= requested:
                    raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                     f"requested size for the smaller edge size = {size}")
                if new_long > max_size:
                    new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
        return [new_h, new_w]
    return [size[0], size[1]]


def _triangle(x):
    x = np.abs(x)
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _cubic(a):
    def f(x):
        x = np.abs(x)
        near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
        far = ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
        return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))
    return f


def _interp_weights(in_size, out_size, mode, antialias):
    """Banded interpolation weights along one axis, as ``interpolate(mode,
    align_corners=False, antialias)`` computes them: ``(idx, w)``, both ``(out_size, K)``,
    output i = sum_k w[i, k] * input[idx[i, k]]. With antialias these are Pillow's resampling
    weights (the filter widened by the downscale factor, normalised over the taps inside)."""
    scale = in_size / out_size
    i = np.arange(out_size)
    if antialias:
        support, filt = (1.0, _triangle) if mode == "bilinear" else (2.0, _cubic(-0.5))
        fscale = max(scale, 1.0)
        sup = support * fscale
        centers = (i + 0.5) * scale
        xmin = np.maximum(np.trunc(centers - sup + 0.5), 0).astype(np.int64)
        xmax = np.minimum(np.trunc(centers + sup + 0.5), in_size).astype(np.int64)
        k = max(int((xmax - xmin).max()), 1)
        idx = xmin[:, None] + np.arange(k)
        w = filt((idx - centers[:, None] + 0.5) / fscale) * (idx < xmax[:, None])
        tot = w.sum(1, keepdims=True)
        return np.minimum(idx, in_size - 1), w / np.where(tot == 0, 1.0, tot)
    if mode == "bilinear":
        src = np.maximum((i + 0.5) * scale - 0.5, 0.0)
        i0 = np.floor(src).astype(np.int64)
        l1 = src - i0
        idx = np.stack([i0, np.minimum(i0 + 1, in_size - 1)], 1)
        return idx, np.stack([1.0 - l1, l1], 1)
    src = (i + 0.5) * scale - 0.5
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    cub = _cubic(-0.75)
    offs = np.arange(-1, 3)
    return np.clip(i0[:, None] + offs, 0, in_size - 1), cub(t[:, None] - offs)


def _resample_axis(arr, idx, w, axis):
    """sum_k w[:, k] * arr taken at idx[:, k] along ``axis`` (-1 or -2)."""
    w = w.astype(arr.dtype)
    out = None
    for k in range(idx.shape[1]):
        wk = w[:, k] if axis == -1 else w[:, k, None]
        term = np.take(arr, idx[:, k], axis=axis)
        term *= wk
        if out is None:
            out = term
        else:
            out += term
    return out


def _nearest_index(in_size, out_size, exact):
    scale = np.float32(in_size / out_size)
    i = np.arange(out_size, dtype=np.float32)
    src = np.floor(((i + np.float32(0.5)) if exact else i) * scale)
    return np.minimum(src.astype(np.int64), in_size - 1)


def _resize_array(arr, out_h, out_w, mode, antialias):
    h, w = arr.shape[-2:]
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        iy = _nearest_index(h, out_h, exact)
        ix = _nearest_index(w, out_w, exact)
        return arr[..., iy[:, None], ix]
    if mode not in ("bilinear", "bicubic"):
        raise ValueError(f"Input Tensor interpolation mode {mode} is not supported; use "
                         "nearest, nearest-exact, bilinear or bicubic (or a PIL image)")
    wdt = _work_dtype(arr)
    out = arr.astype(wdt, copy=False)
    if out_w != w:
        out = _resample_axis(out, *_interp_weights(w, out_w, mode, antialias), axis=-1)
        if antialias and arr.dtype == np.uint8 and out_h != h:
            # like Pillow (and torch's uint8 kernels): the horizontal pass is stored as bytes
            out = np.clip(np.round(out), 0, 255)
    if out_h != h:
        out = _resample_axis(out, *_interp_weights(h, out_h, mode, antialias), axis=-2)
    if out is arr:
        out = arr.copy()
    if arr.dtype.kind in "iub":
        out = np.round(out)
    return _to_dtype(out, arr.dtype)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or an int/1-sequence for the smaller edge, keeping the
    aspect ratio). PIL images use Pillow's resize; tensors use the same resampling weights."""
    interpolation = _interp(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of "
                             "the smaller edge, i.e. size should be an int or a sequence of "
                             "length 1 in torchscript mode.")
    elif size is not None and not isinstance(size, int):
        raise TypeError(f"Size should be int or sequence. Got {type(size)}")
    _, h, w = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    out_h, out_w = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == [out_h, out_w]:
        return img
    if not isinstance(img, Tensor):
        return img.resize((out_w, out_h), _PIL_MODES[interpolation])
    if antialias is None:
        antialias = False
    return _wrap(_resize_array(img._data, out_h, out_w, interpolation.value, bool(antialias)))


# ----- padding and cropping ------------------------------------------------------------------
def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        padding = int(padding)
        return padding, padding, padding, padding
    if len(padding) == 1:
        p = int(padding[0])
        return p, p, p, p
    if len(padding) == 2:
        return int(padding[0]), int(padding[1]), int(padding[0]), int(padding[1])
    return tuple(int(p) for p in padding)


def _parse_fill(fill, img):
    """Pillow fill colour for ``img`` (torchvision's rules)."""
    channels = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * channels
        elif len(fill) != channels:
            raise ValueError("The number of elements in 'fill' does not match the number of "
                             f"channels of the image ({len(fill)} != {channels})")
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def _pad_array(arr, left, top, right, bottom, fill, padding_mode):
    # negative padding crops
    h, w = arr.shape[-2:]
    arr = arr[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if padding_mode == "constant":
        if isinstance(fill, (list, tuple)):
            if len(fill) == 1:
                fill = fill[0]
            else:
                out = np.stack([np.pad(arr[..., c, :, :], widths[-2:], constant_values=f)
                                for c, f in enumerate(fill)], axis=-3) if arr.ndim >= 3 \
                    and arr.shape[-3] == len(fill) else None
                if out is None:
                    raise ValueError("The number of elements in 'fill' does not match the "
                                     "number of channels of the image")
                return out.astype(arr.dtype, copy=False)
        return np.pad(arr, widths, constant_values=fill)
    if padding_mode == "reflect":
        if top >= h or bottom >= h or left >= w or right >= w:
            raise ValueError("Padding size should be less than the corresponding input "
                             f"dimension, but got: padding ({left}, {right}) at dimension -1 "
                             f"of input {list(arr.shape)}")
    return np.pad(arr, widths, mode={"edge": "edge", "reflect": "reflect",
                                     "symmetric": "symmetric"}[padding_mode])


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad all sides (int), left/right and top/bottom (2 values) or left, top, right, bottom
    (4 values); ``padding_mode`` constant, edge, reflect or symmetric."""
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    if _check_image(img):
        return _wrap(_pad_array(img._data, left, top, right, bottom, fill, padding_mode))
    Image = _pil()
    crop_l, crop_t, crop_r, crop_b = (max(-p, 0) for p in (left, top, right, bottom))
    if crop_l or crop_t or crop_r or crop_b:
        img = img.crop((crop_l, crop_t, img.width - crop_r, img.height - crop_b))
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == "constant":
        from PIL import ImageOps
        return ImageOps.expand(img, border=(left, top, right, bottom),
                               fill=_parse_fill(fill, img))
    palette = img.getpalette() if img.mode == "P" else None
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + ([(0, 0)] if arr.ndim == 3 else [])
    out = Image.fromarray(np.pad(arr, widths, mode=padding_mode))
    if palette is not None:
        out.putpalette(palette)
    return out


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` region whose top-left corner is (top, left); parts outside
    the image are zero."""
    if not _check_image(img):
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                   max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        inner = img._data[..., max(top, 0):bottom, max(left, 0):right]
        return _wrap(_pad_array(inner, padding[0], padding[1], padding[2], padding[3], 0,
                                "constant"))
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    """Crop the centre (padding with zeros when the crop is larger than the image)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    ch, cw = output_size
    if cw > w or ch > h:
        padding = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                   (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, padding, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    top = int(round((h - ch) / 2.0))
    left = int(round((w - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    """Flip left-right."""
    if _check_image(img):
        return img.flip(-1)
    return img.transpose(_pil().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    """Flip top-bottom."""
    if _check_image(img):
        return img.flip(-2)
    return img.transpose(_pil().Transpose.FLIP_TOP_BOTTOM)


# ----- rotation ------------------------------------------------------------------------------
def _get_inverse_affine_matrix(center, angle, translate, scale, shear):
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def _compute_affine_output_size(matrix, w, h):
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.array(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    lo = new.min(0) + np.array([w * 0.5, h * 0.5], np.float32)
    hi = new.max(0) + np.array([w * 0.5, h * 0.5], np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _grid_sample_affine(arr, matrix, out_w, out_h, mode, fill):
    """Sample ``arr`` (..., C, H, W) at ``matrix`` applied to the output pixel centres (in
    coordinates centred on the image), zero outside, as torchvision's affine grid +
    ``grid_sample(align_corners=False)``; ``fill`` replaces the outside as torchvision does."""
    h, w = arr.shape[-2:]
    wdt = _work_dtype(arr)
    img = arr.astype(wdt, copy=False)
    # the same float steps as torchvision: base grid, theta rescaled by (w/2, h/2), then
    # grid_sample's unnormalisation ((g + 1) * size - 1) / 2
    xs = np.linspace(-out_w * 0.5 + 0.5, out_w * 0.5 - 0.5, out_w).astype(wdt)
    ys = np.linspace(-out_h * 0.5 + 0.5, out_h * 0.5 - 0.5, out_h).astype(wdt)[:, None]
    theta = np.asarray(matrix, dtype=wdt).reshape(2, 3)
    resc = theta.T / np.asarray([0.5 * w, 0.5 * h], dtype=wdt)
    gx = xs * resc[0, 0] + ys * resc[1, 0] + resc[2, 0]
    gy = xs * resc[0, 1] + ys * resc[1, 1] + resc[2, 1]
    sx = ((gx + 1) * w - 1) / 2
    sy = ((gy + 1) * h - 1) / 2
    if mode == "nearest":
        ix = np.rint(sx).astype(np.int64)
        iy = np.rint(sy).astype(np.int64)
        mask = ((ix >= 0) & (ix < w) & (iy >= 0) & (iy < h))
        out = img[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)] * mask
        mask = mask.astype(wdt)
    else:
        x0 = np.floor(sx).astype(np.int64)
        y0 = np.floor(sy).astype(np.int64)
        fx = (sx - x0).astype(wdt)
        fy = (sy - y0).astype(wdt)
        out = 0
        mask = 0
        for dy, wy in ((0, 1 - fy), (1, fy)):
            for dx, wx in ((0, 1 - fx), (1, fx)):
                xx, yy = x0 + dx, y0 + dy
                ok = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
                wgt = wy * wx * ok
                out = out + img[..., np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)] * wgt
                mask = mask + wgt
        out = np.asarray(out, dtype=wdt)
        mask = np.asarray(mask, dtype=wdt)
    if fill is not None:
        c = _tensor_channels(arr) if arr.ndim >= 3 else 1
        fill = [float(fill)] if isinstance(fill, (int, float)) else [float(v) for v in fill]
        if len(fill) not in (1, c):
            raise ValueError("The number of elements in 'fill' cannot broadcast to match the "
                             f"number of channels of the image ({len(fill)} != {c})")
        fill_img = np.asarray(fill, dtype=wdt).reshape(-1, 1, 1) if arr.ndim >= 3 \
            else np.asarray(fill[0], dtype=wdt)
        if mode == "nearest":
            out = np.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    out = np.asarray(out, dtype=wdt)
    if arr.dtype.kind in "iub":
        out = np.round(out)
    return _to_dtype(out, arr.dtype)


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None,
           fill=None):
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the image
    centre); ``expand`` grows the output to hold the whole rotated image."""
    interpolation = _interp(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not _check_image(img):
        opts = {"fillcolor": _parse_fill(fill, img)}
        return img.rotate(angle, _PIL_MODES[interpolation], expand, center, **opts)
    if interpolation.value not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with "
                         "Tensor input")
    _, h, w = get_dimensions(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    return _wrap(_grid_sample_affine(img._data, matrix, ow, oh, interpolation.value, fill))


# ----- colour --------------------------------------------------------------------------------
def _gray_array(arr):
    """torchvision's ``rgb_to_grayscale`` on a ``[..., 3, H, W]`` array (dtype kept)."""
    wdt = _work_dtype(arr)
    r, g, b = (arr[..., i, :, :].astype(wdt, copy=False) for i in range(3))
    lum = wdt.type(0.2989) * r + wdt.type(0.587) * g + wdt.type(0.114) * b
    return _to_dtype(lum, arr.dtype)[..., None, :, :]


def rgb_to_grayscale(img, num_output_channels=1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B`` (tensors) or Pillow's ``convert('L')``."""
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if not _check_image(img):
        return to_grayscale(img, num_output_channels)
    arr = img._data
    if arr.ndim < 3:
        raise TypeError(f"Input image tensor should have at least 3 dimensions, but found "
                        f"{arr.ndim}")
    _assert_channels(arr, [1, 3])
    lum = _gray_array(arr) if arr.shape[-3] == 3 else arr.copy()
    if num_output_channels == 3:
        lum = np.broadcast_to(lum, arr.shape).copy()
    return _wrap(lum)


def to_grayscale(img, num_output_channels=1):
    if not _is_pil_image(img):
        if isinstance(img, Tensor):
            return rgb_to_grayscale(img, num_output_channels)
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    if num_output_channels == 1:
        return img.convert("L")
    if num_output_channels == 3:
        g = np.array(img.convert("L"), dtype=np.uint8)
        return _pil().fromarray(np.dstack([g, g, g]))
    raise ValueError("num_output_channels should be either 1 or 3")


def _blend(a, b, ratio):
    wdt = _work_dtype(a)
    ratio = float(ratio)
    out = wdt.type(ratio) * a.astype(wdt, copy=False) \
        + wdt.type(1.0 - ratio) * np.asarray(b).astype(wdt, copy=False)
    out = np.clip(out, 0, _max_value(a.dtype))
    return _to_dtype(out, a.dtype)


def _enhance(img, name, factor):
    from PIL import ImageEnhance
    return getattr(ImageEnhance, name)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    """Multiply by ``brightness_factor`` (0 gives black, 1 the original)."""
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if not _check_image(img):
        return _enhance(img, "Brightness", brightness_factor)
    arr = img._data
    _assert_channels(arr, [1, 3])
    return _wrap(_blend(arr, np.zeros((), arr.dtype), brightness_factor))


def adjust_contrast(img, contrast_factor):
    """Blend with the mean grey level (0 gives a solid grey image, 1 the original)."""
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if not _check_image(img):
        return _enhance(img, "Contrast", contrast_factor)
    arr = img._data
    _assert_channels(arr, [1, 3])
    wdt = _work_dtype(arr)
    src = _gray_array(arr) if _tensor_channels(arr) == 3 else arr
    if src.ndim == 2:
        mean = src.astype(wdt).mean(dtype=wdt)
    else:
        mean = src.astype(wdt).mean(axis=(-3, -2, -1), keepdims=True, dtype=wdt)
    return _wrap(_blend(arr, mean, contrast_factor))


def adjust_saturation(img, saturation_factor):
    """Blend with the grey image (0 gives grey, 1 the original, 2 doubles saturation)."""
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if not _check_image(img):
        return _enhance(img, "Color", saturation_factor)
    arr = img._data
    _assert_channels(arr, [1, 3])
    if _tensor_channels(arr) == 1:
        return img
    return _wrap(_blend(arr, _gray_array(arr), saturation_factor))


def _rgb2hsv(img):
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc = img.max(axis=-3)
    minc = img.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    one = img.dtype.type(1.0)
    s = cr / np.where(eqc, one, maxc)
    crd = np.where(eqc, one, cr)
    rc, gc, bc = (maxc - r) / crd, (maxc - g) / crd, (maxc - b) / crd
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = np.fmod((hr + hg + hb) / img.dtype.type(6.0) + one, one)
    return h.astype(img.dtype, copy=False), s, maxc


def _hsv2rgb(h, s, v):
    dt = v.dtype
    i = np.floor(h * dt.type(6.0))
    f = h * dt.type(6.0) - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (1.0 - s), 0.0, 1.0)
    q = np.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = np.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    r = np.choose(i, [v, q, p, p, t, v])
    g = np.choose(i, [t, v, v, q, p, p])
    b = np.choose(i, [p, p, t, v, v, q])
    return np.stack([r, g, b], axis=-3).astype(dt, copy=False)


def adjust_hue(img, hue_factor):
    """Shift the hue by ``hue_factor`` (in [-0.5, 0.5], a fraction of the colour circle)."""
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not _check_image(img):
        mode = img.mode
        if mode in {"L", "1", "I", "F"}:
            return img
        Image = _pil()
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        with np.errstate(over="ignore"):
            np_h += np.int8(hue_factor * 255).astype(np.uint8)
        h = Image.fromarray(np_h)
        return Image.merge("HSV", (h, s, v)).convert(mode)
    arr = img._data
    _assert_channels(arr, [1, 3])
    if _tensor_channels(arr) == 1:
        return img
    f = _convert_array_dtype(arr, np.float32)
    h, s, v = _rgb2hsv(f)
    h = np.mod(h + np.float32(hue_factor), np.float32(1.0))
    out = _hsv2rgb(h, s, v)
    return _wrap(_convert_array_dtype(out, arr.dtype))
