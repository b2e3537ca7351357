import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _reset_print_options():
    yield
    import ember
    ember.set_printoptions(profile="default")
