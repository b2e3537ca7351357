"""ember: a deep learning framework on NumPy with PyTorch's API.

``import ember as torch`` runs PyTorch code: tensors, autograd, nn, optim.
"""
__version__ = "0.1.0"

from ._dtype import (dtype, bool, uint8, int8, int16, int32, int64, float16, float32,  # noqa
                     float64, complex64, complex128, half, float, double, short, int, long,
                     cfloat, cdouble, get_default_dtype, set_default_dtype, promote_types)
from .tensor import (Tensor, Size, FloatTensor, DoubleTensor, HalfTensor, LongTensor,  # noqa
                     IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor)
from .backend.device import device  # noqa: F401
from ._creation import *  # noqa: F401,F403
from .random import manual_seed, seed, initial_seed, Generator, get_rng_state, set_rng_state  # noqa
from .autograd import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode  # noqa
from . import autograd  # noqa: F401
from . import linalg  # noqa: F401
from . import optim  # noqa: F401
from . import nn  # noqa: F401
from . import cuda  # noqa: F401
from . import utils  # noqa: F401  (ember.utils.data loads on first use)
from . import ops as _ops
from ._tensor_str import set_printoptions, get_printoptions  # noqa: F401
from .serialization import save, load  # noqa: F401

globals().update(_ops.FUNCTIONS)
del _ops


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def result_type(tensor1, tensor2):
    from ._dtype import result_type as _rt
    return _rt(tensor1, tensor2)


def can_cast(from_, to):
    return from_._cat <= to._cat if not (from_._cat == to._cat == 1) else True


_threads = [1]


def set_num_threads(n):
    """Limit BLAS threads (needs threadpoolctl; otherwise only recorded)."""
    _threads[0] = n
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(n)
    except ImportError:
        pass


def get_num_threads():
    return _threads[0]
