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


def test_a_device_never_equals_a_string():
    # PyTorch: torch.device("cuda") == "cuda" is False (the book's Listing 6-13 trips on it)
    assert not (ember.device("cpu") == "cpu") and ember.device("cpu") != "cpu"
    assert ember.device("cpu") == ember.device("cpu") != ember.device("cuda")
    assert ember.device("cuda:0") == ember.device("cuda", 0)


@pytest.mark.parametrize("make", [
    lambda: ember.ones(2, device="cuda"), lambda: ember.tensor([1.], device="cuda"),
    lambda: ember.zeros_like(ember.ones(2), device="cuda:0"),
    lambda: ember.arange(3, device=ember.device("cuda")), lambda: ember.randn(2, device="cuda"),
    lambda: ember.ones(2).cuda(), lambda: ember.ones(2).to("cuda"),
    lambda: ember.nn.Linear(2, 2).to("cuda")])
def test_cuda_tensors_are_an_error_not_a_silent_cpu_tensor(make):
    with pytest.raises(RuntimeError, match="device cuda(:0)? is not available: ember runs on the "
                                           "CPU"):
        make()


def test_cpu_device_is_accepted_everywhere():
    assert ember.ones(2, device="cpu").tolist() == [1., 1.]
    assert ember.arange(3, device=ember.device("cpu")).tolist() == [0, 1, 2]
    assert ember.full((2,), 3., device="cpu:0").tolist() == [3., 3.]
