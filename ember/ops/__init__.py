"""Every differentiable op, one Function each, grouped by family. Importing this package
registers them all on ``ember`` and ``Tensor``."""
from . import elementwise  # noqa: F401
from . import reduce  # noqa: F401
from . import shape, index  # noqa: F401
from . import nn_ops  # noqa: F401
from . import fill  # noqa: F401
from . import linalg, einsum, linalg_norms, linalg_decomp, complex_ops  # noqa: F401
from . import conv, pool, norm, vision_ops  # noqa: F401
from . import rnn, embedding  # noqa: F401
from ._registry import FUNCTIONS  # noqa: F401
