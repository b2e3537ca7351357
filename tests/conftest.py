import os
import sys

# One BLAS thread: the suite runs on 2-core machines shared with other work, where OpenBLAS's
# spinning threads make small matrix products many times slower. Set before NumPy loads.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))

# Property tests draw the same examples on every run, so CI's verdict is reproducible;
# HYPOTHESIS_PROFILE=explore draws fresh ones for bug hunting.
settings.register_profile("repeatable", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(autouse=True)
def _reset_print_options():
    yield
    import ember
    ember.set_printoptions(profile="default")


@pytest.fixture(autouse=True)
def _fresh_once_warnings():
    """Warnings PyTorch gives once per process (ember._warnings) show again in every test."""
    from ember import _warnings
    _warnings._ONCE.clear()
    yield
