"""ember's random number generator: ``manual_seed``, ``Generator`` and the global state.

ember's RNG is its own (NumPy's PCG64): the same seed gives the same ember run, not the same
numbers as PyTorch.
"""
import numpy as np

__all__ = ["manual_seed", "seed", "initial_seed", "Generator", "default_generator",
           "get_rng_state", "set_rng_state"]


class Generator:
    """A seeded source of random numbers (``ember.Generator().manual_seed(0)``)."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & 0x7FFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from ._creation import tensor
        import pickle
        raw = np.frombuffer(pickle.dumps(self._rng.bit_generator.state), dtype=np.uint8)
        return tensor(raw.copy())

    def set_state(self, state):
        import pickle
        self._rng.bit_generator.state = pickle.loads(np.asarray(state._data, np.uint8).tobytes())
        return self

    @property
    def rng(self):
        return self._rng


default_generator = Generator()


def _rng(generator=None):
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed ember's global generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)
