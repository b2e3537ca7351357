"""ember.compat: ``import torch`` (torchvision, legacy torchtext) resolves to ember only while
the alias is installed, never falls back to a real PyTorch, and names what ember lacks."""
import importlib
import json
import os
import subprocess
import sys

import pytest

import ember
import ember.compat as compat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def alias():
    assert not compat.is_installed()
    compat.install_torch_alias()
    try:
        yield
    finally:
        compat.uninstall_torch_alias()
    assert not compat.is_installed()
    assert not any(isinstance(m, compat._AliasModule) for m in list(sys.modules.values()))


def _target(mod):
    return mod.__dict__["_ember_target"]


def test_ember_name_mapping():
    assert compat.ember_name("torch") == "ember"
    assert compat.ember_name("torch.nn.utils.rnn") == "ember.nn.utils.rnn"
    assert compat.ember_name("torchvision.models") == "ember.vision.models"
    assert compat.ember_name("torchtext.data") == "ember.text.data"
    assert compat.ember_name("torchtext.legacy.data") == "ember.text.data"
    assert compat.ember_name("torchaudio") is None
    assert compat.ember_name("torch_geometric") is None
    assert compat.ember_name("numpy") is None


@pytest.mark.parametrize("alias_name, ember_module", [
    ("torch", "ember"), ("torch.nn", "ember.nn"), ("torch.nn.functional", "ember.nn.functional"),
    ("torch.optim", "ember.optim"), ("torch.optim.lr_scheduler", "ember.optim.lr_scheduler"),
    ("torch.utils.data", "ember.utils.data"), ("torch.autograd", "ember.autograd"),
    ("torch.linalg", "ember.linalg"), ("torch.nn.utils.rnn", "ember.nn.utils.rnn"),
    ("torchvision", "ember.vision"), ("torchvision.transforms", "ember.vision.transforms"),
    ("torchvision.datasets", "ember.vision.datasets"),
    ("torchvision.models", "ember.vision.models"),
    ("torchtext.data", "ember.text.data"), ("torchtext.legacy.data", "ember.text.data"),
])
def test_listed_modules_resolve_to_ember(alias, alias_name, ember_module):
    mod = importlib.import_module(alias_name)
    assert mod.__name__ == alias_name
    assert _target(mod) is importlib.import_module(ember_module)
    assert sys.modules[alias_name] is mod


def test_book_import_forms(alias):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torchvision.transforms as transforms
    from torch.utils.data import DataLoader, TensorDataset
    from torchtext import data
    from torchtext.legacy import data as legacy_data
    from torchvision import datasets, models
    from ember.utils.data import DataLoader as EDataLoader
    assert torch.nn is nn and nn.functional is F          # attribute and import agree
    assert torch.Tensor is ember.Tensor and nn.Linear is ember.nn.Linear
    assert F.relu is ember.nn.functional.relu
    assert DataLoader is EDataLoader and TensorDataset is ember.utils.data.TensorDataset
    assert transforms.Compose is ember.vision.transforms.Compose
    assert models.vgg16 is ember.vision.models.vgg16
    assert _target(datasets) is importlib.import_module("ember.vision.datasets")
    assert data.Field is ember.text.data.Field and legacy_data.Field is ember.text.data.Field
    x = torch.tensor([[1.0, -2.0]], requires_grad=True)
    F.relu(nn.Linear(2, 3)(x)).sum().backward()
    assert isinstance(x, ember.Tensor) and x.grad.shape == (1, 2)
    assert torch.__version__ == ember.__version__
    # attribute chains reach the same alias modules as imports
    assert torch.utils.data.DataLoader is EDataLoader
    assert torch.optim.lr_scheduler.StepLR is ember.optim.lr_scheduler.StepLR
    assert torch.utils.data is sys.modules["torch.utils.data"]


def test_missing_attribute_names_it(alias):
    import torch
    import torch.nn as nn
    with pytest.raises(AttributeError, match=r"torch\.fft is not supported by ember yet"):
        torch.fft
    assert torch.cuda.is_available() is False    # ember.cuda answers the device query
    with pytest.raises(AttributeError, match=r"torch\.nn\.NoSuchLayer is not supported by ember "
                                             r"yet"):
        nn.NoSuchLayer
    assert not hasattr(torch, "no_such_function")


def test_missing_module_names_it_and_never_falls_back(alias):
    # torch.distributions exists in real PyTorch (installed here) but not in ember
    with pytest.raises(ImportError, match=r"torch\.distributions is not supported by ember yet"):
        import torch.distributions  # noqa: F401
    with pytest.raises(ImportError, match=r"torch\.nosuch is not supported by ember yet"):
        from torch import nosuch  # noqa: F401
    with pytest.raises(ImportError, match=r"torch\.nn\.functional\.x is not supported"):
        from torch.nn.functional import x  # noqa: F401
    with pytest.raises(ImportError, match=r"torchvision\.ops is not supported by ember yet"):
        import torchvision.ops  # noqa: F401


def test_setattr_reaches_ember_only_for_existing_names(alias):
    import torch.nn.functional as F
    ember.nn.functional._compat_probe = 0
    try:
        F._compat_probe = 5
        assert ember.nn.functional._compat_probe == 5 and F._compat_probe == 5
    finally:
        del ember.nn.functional._compat_probe
    F.brand_new = 1                      # a new name stays on the alias module
    assert F.brand_new == 1 and not hasattr(ember.nn.functional, "brand_new")


def test_star_import_and_dir(alias):
    ns = {}
    exec("from torch.nn import *", ns)
    assert ns["Linear"] is ember.nn.Linear
    import torch
    assert "tensor" in dir(torch)


def test_real_torch_is_set_aside_and_restored():
    real = pytest.importorskip("torch")
    assert not isinstance(real, compat._AliasModule)
    with compat.torch_alias():
        import torch
        assert torch is not real and _target(torch) is ember
        import torch.nn
        assert torch.nn.Linear is ember.nn.Linear
    import torch
    assert torch is real and sys.modules["torch.nn"] is real.nn


def test_install_is_idempotent_and_context_nests(alias):
    compat.install_torch_alias()
    with compat.torch_alias():
        import torch
    assert compat.is_installed()          # the outer install still holds
    assert _target(torch) is ember


_PROBE = (
    "import sys, json\n"
    "import ember\n"
    "before = sorted(m for m in sys.modules if m.startswith(('ember.compat', 'ember.cli', "
    "'ember.recipes')))\n"
    "finders = [type(f).__name__ for f in sys.meta_path]\n"
    "import torch\n"
    "print(json.dumps({'before': before, 'finders': finders, 'torch': torch.__version__, "
    "'alias': type(torch).__name__}))\n")


def test_plain_import_ember_installs_nothing():
    pytest.importorskip("torch")
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, cwd=ROOT, capture_output=True,
                         text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["before"] == []
    assert "_TorchAliasFinder" not in got["finders"]
    assert got["alias"] == "module" and got["torch"].startswith("2.")
