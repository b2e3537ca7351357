"""ember's random number generator: ``manual_seed``, ``Generator`` and the global state.

ember's RNG is its own (NumPy's PCG64): the same seed gives the same ember run, not the same
numbers as PyTorch. States are plain bytes (a uint8 tensor), never pickles, so restoring a state
read from a file cannot run code.
"""
import numpy as np

__all__ = ["manual_seed", "seed", "initial_seed", "Generator", "default_generator",
           "get_rng_state", "set_rng_state", "fork_rng"]

_DEFAULT_SEED = 67280421310721   # PyTorch's default initial seed
_MASK64 = 0xFFFFFFFFFFFFFFFF
_STATE_BYTES = 8 + 16 + 16 + 8 + 8   # seed, PCG64 state and increment, cached uint32


class Generator:
    """A seeded source of random numbers (``ember.Generator().manual_seed(0)``); pass it as
    ``generator=`` to the sampling functions."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reset the generator from ``seed`` (any int; taken modulo 2**64); returns self."""
        seed = int(seed)
        self._seed = seed & _MASK64
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from fresh OS entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0x7FFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The full generator state as a uint8 tensor (``set_state`` restores it)."""
        from .tensor import _new_tensor
        st = self._rng.bit_generator.state
        if st.get("bit_generator") != "PCG64":
            raise RuntimeError(f"unsupported bit generator {st.get('bit_generator')}")
        raw = (self._seed.to_bytes(8, "little")
               + st["state"]["state"].to_bytes(16, "little")
               + st["state"]["inc"].to_bytes(16, "little")
               + int(st["has_uint32"]).to_bytes(8, "little")
               + int(st["uinteger"]).to_bytes(8, "little"))
        return _new_tensor(np.frombuffer(raw, dtype=np.uint8).copy())

    def set_state(self, new_state):
        """Restore a state from ``get_state``; returns self."""
        data = getattr(new_state, "_data", new_state)
        raw = np.asarray(data)
        if raw.dtype != np.uint8 or raw.ndim != 1 or raw.size != _STATE_BYTES:
            raise RuntimeError(f"RNG state must be a torch.ByteTensor of {_STATE_BYTES} bytes "
                               "(as returned by get_state())")
        b = raw.tobytes()
        self._seed = int.from_bytes(b[0:8], "little")
        self._rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": int.from_bytes(b[8:24], "little"),
                      "inc": int.from_bytes(b[24:40], "little")},
            "has_uint32": int.from_bytes(b[40:48], "little"),
            "uinteger": int.from_bytes(b[48:56], "little"),
        }
        return self

    def clone_state(self):
        return self.get_state()

    @property
    def rng(self):
        """The underlying ``numpy.random.Generator``."""
        return self._rng

    def __repr__(self):
        return "<ember._C.Generator object>"


default_generator = Generator()


def _rng(generator=None):
    """The NumPy generator behind ``generator`` (the global one when None)."""
    return (default_generator if generator is None else generator)._rng


def manual_seed(seed):
    """Seed ember's global generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed the global generator from OS entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    """The global generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the global generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


class fork_rng:
    """Context manager: random draws inside the block leave the global state as it was."""

    def __init__(self, devices=None, enabled=True, **kwargs):
        self.enabled = enabled

    def __enter__(self):
        if self.enabled:
            self._state = get_rng_state()

    def __exit__(self, *exc):
        if self.enabled:
            set_rng_state(self._state)
        return False
