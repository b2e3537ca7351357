"""Layers. Each file holds one family; all are re-exported from ``ember.nn``."""
from .module import Module  # noqa: F401
from .container import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
try:  # written in parallel: activation, dropout and loss modules
    from .activation import *  # noqa: F401,F403
    from .dropout import *  # noqa: F401,F403
    from .loss import *  # noqa: F401,F403
except ImportError:  # pragma: no cover - removed once those files land
    pass
