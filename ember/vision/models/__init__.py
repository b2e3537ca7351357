"""Vision models with torchvision's architectures and module names (``ember.vision.models``):
torchvision state_dicts load with ``load_state_dict``; ``weights=`` takes a local file path
(ember never downloads)."""
from .vgg import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .alexnet import *  # noqa: F401,F403
from ._utils import checkpoint_dirs  # noqa: F401
