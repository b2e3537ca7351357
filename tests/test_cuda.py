"""ember.cuda answers like PyTorch on a machine without CUDA."""
import pytest

import ember


def test_cuda_queries_select_the_cpu():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    device = ember.device("cuda" if ember.cuda.is_available() else "cpu")
    assert str(device) == "cpu"
    ember.cuda.empty_cache()
    ember.cuda.manual_seed_all(0)
    with pytest.raises(RuntimeError, match="no CUDA device"):
        ember.cuda.current_device()
    with pytest.raises(RuntimeError, match="not available"):
        ember.ones(2).to("cuda")
