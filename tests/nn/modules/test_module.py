"""nn.Module: registration, iteration, state_dict, modes, hooks and repr."""
import numpy as np
import pytest

import ember
import ember.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.block = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 2))
        self.scale = nn.Parameter(ember.ones(2))
        self.register_buffer("count", ember.zeros(1))
        self.register_buffer("tmp", ember.zeros(1), persistent=False)
        self.plain = 3


def test_registration_and_iteration_order():
    m = Net()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias",
                     "block.1.weight", "block.1.bias"]
    assert len(list(m.parameters())) == 7
    assert [n for n, _ in m.named_buffers()] == ["count", "tmp"]
    assert [n for n, _ in m.named_children()] == ["fc1", "block"]
    assert [n for n, _ in m.named_modules()] == ["", "fc1", "block", "block.0", "block.1"]
    assert m.plain == 3 and "plain" not in m._parameters
    assert isinstance(m.fc1.weight, nn.Parameter) and m.fc1.weight.requires_grad


def test_shared_parameter_counted_once():
    m = nn.Module()
    lin = nn.Linear(2, 2)
    m.a = lin
    m.b = lin
    assert len(list(m.parameters())) == 2


def test_reassign_and_delete():
    m = Net()
    m.fc1 = None
    assert m.fc1 is None
    assert "fc1.weight" not in dict(m.named_parameters())
    del m.scale
    with pytest.raises(AttributeError):
        m.scale
    with pytest.raises(TypeError):
        m.count = 3  # buffers take tensors or None
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        m.nothing


def test_assign_before_init_is_an_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_state_dict_keys_and_roundtrip():
    a, b = Net(), Net()
    sd = a.state_dict()
    assert list(sd) == ["scale", "count", "fc1.weight", "fc1.bias", "block.0.weight",
                        "block.0.bias", "block.1.weight", "block.1.bias"]
    assert not any(v.requires_grad for v in sd.values())
    w_before = b.fc1.weight
    res = b.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert b.fc1.weight is w_before  # copied in place: optimizers keep working
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), sd[k].numpy())
    # the state_dict shares memory with the parameters, as PyTorch's does
    sd["scale"].numpy()[0] = 7
    assert a.scale.detach().numpy()[0] == 7


def test_load_state_dict_errors():
    m = Net()
    sd = m.state_dict()
    del sd["fc1.bias"]
    sd["extra"] = ember.zeros(1)
    sd["block.0.weight"] = ember.zeros(5, 5)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(sd)
    msg = str(e.value)
    assert msg.startswith("Error(s) in loading state_dict for Net:")
    assert 'Missing key(s) in state_dict: "fc1.bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra".' in msg
    assert ("size mismatch for block.0.weight: copying a param with shape ember.Size([5, 5]) "
            "from checkpoint, the shape in current model is ember.Size([3, 3]).") in msg
    del sd["block.0.weight"]
    res = m.load_state_dict(sd, strict=False)
    assert "fc1.bias" in res.missing_keys and "extra" in res.unexpected_keys


def test_train_eval_and_requires_grad():
    m = Net()
    assert m.training and m.block[0].training
    m.eval()
    assert not m.training and not m.block[1].training
    m.train()
    assert m.block[1].training
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


def test_zero_grad_and_apply():
    m = nn.Linear(3, 2)
    m.weight.grad = ember.ones(2, 3)
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.sum().item() == 0
    m.zero_grad()
    assert m.weight.grad is None
    seen = []
    Net().apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "Linear", "Linear", "Sequential", "Net"]


def test_forward_hooks():
    m = nn.Identity()
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out.item()) or out + 1)
    assert m(ember.tensor(3.0)).item() == 7.0
    assert calls == [6.0]
    h1.remove()
    h2.remove()
    assert m(ember.tensor(3.0)).item() == 3.0


def test_to_double_and_float_keep_parameter_objects():
    m = nn.Linear(2, 2)
    w = m.weight
    m.double()
    assert m.weight is w and m.weight.dtype == ember.float64
    m.to(ember.float32)
    assert m.weight.dtype == ember.float32
    with pytest.raises(TypeError):
        m.to(ember.int64)


class BookNet(nn.Module):
    """Shape of the book's ch. 3 feed-forward network (attribute order matters for repr)."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 256)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(256, 1024)
        self.relu2 = nn.ReLU()
        self.out = nn.Linear(1024, 1)
        self.final = nn.Sigmoid()

    def forward(self, x):
        return self.final(self.out(self.relu2(self.fc2(self.relu1(self.fc1(x))))))


def test_repr_of_feed_forward_network():
    assert repr(BookNet()) == (
        "BookNet(\n"
        "  (fc1): Linear(in_features=64, out_features=256, bias=True)\n"
        "  (relu1): ReLU()\n"
        "  (fc2): Linear(in_features=256, out_features=1024, bias=True)\n"
        "  (relu2): ReLU()\n"
        "  (out): Linear(in_features=1024, out_features=1, bias=True)\n"
        "  (final): Sigmoid()\n"
        ")")
    assert sum(p.numel() for p in BookNet().parameters()) == 280833
