"""``ember.cuda``: the CUDA queries scripts make before choosing a device.

ember runs on the CPU today, so ``is_available()`` is False and the device count is 0; code
written as ``device = "cuda" if torch.cuda.is_available() else "cpu"`` therefore picks the CPU.
The CuPy backend will answer these for real.
"""

__all__ = ["is_available", "device_count", "current_device", "empty_cache", "manual_seed",
           "manual_seed_all", "synchronize", "is_initialized"]


def is_available():
    """False: ember has no CUDA backend yet."""
    return False


def device_count():
    return 0


def is_initialized():
    return False


def _no_device(name):
    raise RuntimeError(f"ember.cuda.{name}(): no CUDA device is available (ember runs on the "
                       "CPU; check ember.cuda.is_available() first)")


def current_device():
    _no_device("current_device")


def synchronize(device=None):
    _no_device("synchronize")


def empty_cache():
    """Nothing is cached on a device: a no-op, as in PyTorch without CUDA."""


def manual_seed(seed):
    """Seeding CUDA generators is a no-op without CUDA, as in PyTorch."""


def manual_seed_all(seed):
    """Seeding CUDA generators is a no-op without CUDA, as in PyTorch."""
