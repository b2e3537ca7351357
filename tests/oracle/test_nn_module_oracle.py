"""nn.Module against PyTorch 2.13: reprs of the book's networks, state_dict exchange, init."""
import numpy as np
import pytest

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")


def _book_nets(fw):
    nn = fw.nn

    class FeedForward(nn.Module):        # Listing 3-3
        def __init__(self):
            super().__init__()
            fw.manual_seed(2020)
            self.fc1 = nn.Linear(64, 256)
            self.relu1 = nn.ReLU()
            self.fc2 = nn.Linear(256, 1024)
            self.relu2 = nn.ReLU()
            self.out = nn.Linear(1024, 1)
            self.final = nn.Sigmoid()

        def forward(self, x):
            return self.final(self.out(self.relu2(self.fc2(self.relu1(self.fc1(x))))))

    class Bank(nn.Module):               # Listing 5-11
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(48, 96)
            self.fc2 = nn.Linear(96, 192)
            self.fc3 = nn.Linear(192, 384)
            self.out = nn.Linear(384, 1)
            self.relu = nn.ReLU()
            self.final = nn.Sigmoid()

        def forward(self, x):
            x = self.relu(self.fc1(x))
            x = self.relu(self.fc2(x))
            x = self.relu(self.fc3(x))
            return self.final(self.out(x))

    class BankDropout(nn.Module):        # Listing 5-14
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(48, 96)
            self.fc2 = nn.Linear(96, 192)
            self.fc3 = nn.Linear(192, 384)
            self.relu = nn.ReLU()
            self.out = nn.Linear(384, 1)
            self.final = nn.Sigmoid()
            self.drop = nn.Dropout(0.1)

        def forward(self, x):
            x = self.relu(self.fc1(self.drop(x)))
            x = self.relu(self.fc2(self.drop(x)))
            x = self.relu(self.fc3(self.drop(x)))
            return self.final(self.out(self.drop(x)))

    return FeedForward, Bank, BankDropout


@pytest.mark.parametrize("i", [0, 1, 2])
def test_book_network_reprs_and_sizes(i):
    e_cls, t_cls = _book_nets(ember)[i], _book_nets(torch)[i]
    e, t = e_cls(), t_cls()
    assert repr(e) == repr(t)
    assert sum(p.numel() for p in e.parameters()) == sum(p.numel() for p in t.parameters())
    assert list(e.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize("i", [0, 1])
def test_torch_state_dict_loads_and_forward_matches(i):
    e, t = _book_nets(ember)[i](), _book_nets(torch)[i]()
    e.load_state_dict({k: ember.from_numpy(v.numpy().copy()) for k, v in t.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 64 if i == 0 else 48)).astype(np.float32)
    np.testing.assert_allclose(e(ember.from_numpy(x)).detach().numpy(),
                               t(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # and back: ember weights into torch
    t2 = _book_nets(torch)[i]()
    t2.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in e.state_dict().items()})
    np.testing.assert_allclose(t2(torch.from_numpy(x)).detach().numpy(),
                               e(ember.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_linear_default_init_matches_torch_distribution():
    e, t = ember.nn.Linear(500, 300), torch.nn.Linear(500, 300)
    we, wt = e.weight.detach().numpy(), t.weight.detach().numpy()   # 150,000 draws each
    assert abs(we.max() - wt.max()) < 1e-4 and abs(we.min() - wt.min()) < 1e-4
    assert we.std() == pytest.approx(wt.std(), rel=0.01)
    be, bt = e.bias.detach().numpy(), t.bias.detach().numpy()
    bound = max(np.abs(bt).max(), np.abs(be).max())
    assert bound <= 1 / np.sqrt(500) + 1e-7
    assert be.std() == pytest.approx(bt.std(), rel=0.25)


def test_module_and_container_reprs_match():
    for fw_e, fw_t in ((ember, torch),):
        for make in (lambda fw: fw.nn.Sequential(fw.nn.Linear(3, 4, bias=False),
                                                 fw.nn.Sequential(fw.nn.Identity()),
                                                 fw.nn.Flatten()),
                     lambda fw: fw.nn.ModuleList([fw.nn.Linear(1, 1), fw.nn.Identity()]),
                     lambda fw: fw.nn.ModuleList(
                         [fw.nn.Linear(2, 2), fw.nn.Linear(2, 2), fw.nn.ReLU()]
                         + [fw.nn.Sequential(fw.nn.Linear(2, 3)) for _ in range(3)]
                         + [fw.nn.ModuleList([fw.nn.Tanh(), fw.nn.Tanh()])]),
                     lambda fw: fw.nn.ModuleList(),
                     lambda fw: fw.nn.ModuleDict({"a": fw.nn.Bilinear(2, 3, 4)}),
                     lambda fw: fw.nn.Unflatten(1, (2, 5))):
            assert repr(make(fw_e)) == repr(make(fw_t))


def test_load_state_dict_result_prints_like_torch():
    for strict, sd in ((True, None), (False, {"weight": [[0., 0.], [0., 0.]]})):
        reprs = []
        for fw in (ember, torch):
            fw.manual_seed(0)
            m = fw.nn.Linear(2, 2)
            state = m.state_dict() if sd is None else {k: fw.tensor(v) for k, v in sd.items()}
            r = m.load_state_dict(state, strict=strict)
            reprs.append((repr(r), str(r), list(r.missing_keys), list(r.unexpected_keys)))
        assert reprs[0] == reprs[1]


def test_parameter_repr():
    e = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    t = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(e) == repr(t)


def test_torch_saved_state_dict_loads_into_ember_model(tmp_path):
    """A state_dict written by torch.save loads with ember.load into the same ember model and
    gives the same outputs."""
    t = _book_nets(torch)[2]().eval()
    path = tmp_path / "bank.pt"
    torch.save(t.state_dict(), path)
    e = _book_nets(ember)[2]().eval()
    e.load_state_dict(ember.load(path))
    x = np.random.default_rng(1).standard_normal((7, 48)).astype(np.float32)
    np.testing.assert_allclose(e(ember.from_numpy(x)).detach().numpy(),
                               t(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # and an ember checkpoint round-trips bit-exactly
    ember.save(e.state_dict(), tmp_path / "e.pt")
    back = ember.load(tmp_path / "e.pt")
    for k, v in e.state_dict().items():
        assert back[k].dtype == v.dtype
        np.testing.assert_array_equal(back[k].numpy(), v.numpy())
