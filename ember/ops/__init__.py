"""Every differentiable op, one Function each, grouped by family. Importing this package
registers them all on ``ember`` and ``Tensor``."""
from . import elementwise  # noqa: F401
from ._registry import FUNCTIONS  # noqa: F401
