"""Loading pretrained weights from local files only: ember never downloads anything.

``weights`` may be a path to a state_dict saved by ``torch.save``/``ember.save`` (torchvision's
``.pth`` files load as they are), or the name of a torchvision weight set ("DEFAULT",
"IMAGENET1K_V1"), which is looked up by torchvision's file name in ``$EMBER_HOME/checkpoints``,
``$TORCH_HOME/hub/checkpoints`` and ``~/.cache/torch/hub/checkpoints``. A missing file raises
``FileNotFoundError`` saying where to put it and where to get it.
"""
import os
import warnings

__all__ = ["load_weights", "checkpoint_dirs"]

_BASE_URL = "https://download.pytorch.org/models/"


def checkpoint_dirs():
    """Directories searched for torchvision checkpoint files, in order."""
    dirs = []
    if os.environ.get("EMBER_HOME"):
        dirs.append(os.path.join(os.environ["EMBER_HOME"], "checkpoints"))
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.join(os.path.expanduser("~"), ".cache")),
        "torch")
    dirs.append(os.path.join(torch_home, "hub", "checkpoints"))
    return dirs


def _resolve(weights, filename, arch):
    if isinstance(weights, (str, os.PathLike)) and os.path.sep in os.fspath(weights) or \
            (isinstance(weights, (str, os.PathLike)) and os.path.splitext(os.fspath(weights))[1]
             in (".pth", ".pt", ".bin", ".ckpt")):
        path = os.fspath(weights)
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"{arch}: weights file '{path}' not found. ember never downloads weights; get "
                f"torchvision's file from {_BASE_URL}{filename} on a machine with network "
                f"access and pass its local path as weights=.")
        return path
    name = str(getattr(weights, "name", weights))
    if name not in ("DEFAULT", "IMAGENET1K_V1") and not name.endswith(".IMAGENET1K_V1") \
            and not name.endswith(".DEFAULT"):
        raise ValueError(f"{arch}: unknown weights {weights!r}; pass a path to a state_dict "
                         f"file, 'DEFAULT' or 'IMAGENET1K_V1'")
    for d in checkpoint_dirs():
        p = os.path.join(d, filename)
        if os.path.isfile(p):
            return p
    raise FileNotFoundError(
        f"{arch}: pretrained weights '{filename}' were not found in "
        f"{', '.join(checkpoint_dirs())}. ember never downloads weights: fetch "
        f"{_BASE_URL}{filename} on a machine with network access and copy it into one of "
        f"those directories, or pass its path as weights='path/to/{filename}'.")


def load_weights(model, weights, pretrained, filename, arch):
    """Load ``weights`` (or the legacy ``pretrained=True``) into ``model`` in place."""
    if pretrained:
        warnings.warn("The parameter 'pretrained' is deprecated, please use 'weights' instead.",
                      UserWarning, stacklevel=3)
        if weights is None:
            weights = "DEFAULT"
    if weights is None:
        return model
    from ... import load
    state = load(_resolve(weights, filename, arch), map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and "features.0.weight" not in state \
            and "conv1.weight" not in state:
        state = state["state_dict"]
    model.load_state_dict(state)
    return model
