"""ember.vision.models: torchvision architectures and module names (parameter counts, state_dict
keys), the book's VGG16 transfer-learning steps (Listings 6-15 and 6-16), forward shapes, and
local-only weights loading."""
import os

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.vision import models

CLASSIFIER_REPR = """Sequential(
  (0): Linear(in_features=25088, out_features=4096, bias=True)
  (1): ReLU(inplace=True)
  (2): Dropout(p=0.5, inplace=False)
  (3): Linear(in_features=4096, out_features=4096, bias=True)
  (4): ReLU(inplace=True)
  (5): Dropout(p=0.5, inplace=False)
  (6): Linear(in_features=4096, out_features=1000, bias=True)
)"""


def count(m, trainable=False):
    return sum(p.numel() for p in m.parameters() if p.requires_grad or not trainable)


def test_vgg16_listings_6_15_and_6_16():
    model = models.vgg16()
    assert f"{count(model):,}" == "138,357,544"
    assert len(model.features) == 31 and repr(model.avgpool) == \
        "AdaptiveAvgPool2d(output_size=(7, 7))"
    for param in model.parameters():      # Listing 6-15: freeze, print the classifier
        param.requires_grad = False
    assert repr(model.classifier) == CLASSIFIER_REPR
    n_inputs = model.classifier[6].in_features   # Listing 6-16: replace the last layer
    model.classifier[6] = nn.Sequential(nn.Linear(n_inputs, 256), nn.ReLU(), nn.Dropout(0.4),
                                        nn.Linear(256, 1), nn.Sigmoid())
    assert f"{count(model):,} total parameters." == "135,309,633 total parameters."
    assert f"{count(model, True):,} training parameters." == "1,049,089 training parameters."
    # the frozen features still run; gradients reach only the new head
    model.features = model.features[:5]            # keep the test light: 64x64 -> 32x32
    model.avgpool = nn.AdaptiveAvgPool2d((7, 7))
    model.classifier[0] = nn.Linear(64 * 49, 4096)
    for p in model.classifier[0].parameters():
        p.requires_grad = False
    out = model(ember.randn(2, 3, 16, 16))
    assert out.shape == (2, 1)
    out.sum().backward()
    assert model.features[0].weight.grad is None
    assert model.classifier[6][0].weight.grad.shape == (256, 4096)


@pytest.mark.parametrize("name,n_params,n_keys", [
    ("resnet18", 11_689_512, 122), ("resnet34", 21_797_672, 218), ("resnet50", 25_557_032, 320),
    ("alexnet", 61_100_840, 16)])
def test_parameter_counts_and_keys(name, n_params, n_keys):
    m = getattr(models, name)()
    assert count(m) == n_params
    assert len(m.state_dict()) == n_keys


@pytest.mark.parametrize("cfg,bn,n_params,n_keys", [("A", False, 9_220_480, 16),
                                                    ("A", True, 9_225_984, 56),
                                                    ("E", False, 20_024_384, 32)])
def test_vgg_feature_stacks(cfg, bn, n_params, n_keys):
    # vgg11 / vgg11_bn / vgg19 feature extractors (their classifier is vgg16's, checked above)
    f = models.vgg.make_layers(models.vgg.cfgs[cfg], batch_norm=bn)
    assert count(f) == n_params and len(f.state_dict()) == n_keys


def test_resnet18_keys_and_forward():
    m = models.resnet18(num_classes=10)
    keys = list(m.state_dict())
    assert keys[:6] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                        "bn1.running_var", "bn1.num_batches_tracked"]
    for k in ("layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
              "layer2.0.downsample.1.running_var", "layer4.1.bn2.bias", "fc.weight"):
        assert k in keys
    assert repr(m.maxpool) == \
        "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)"
    assert repr(m.layer1[0].conv1) == \
        "Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)"
    ember.manual_seed(0)
    x = ember.randn(2, 3, 32, 32)
    out = m(x)
    assert out.shape == (2, 10)
    out.sum().backward()
    assert m.conv1.weight.grad is not None and m.layer4[1].bn2.weight.grad is not None
    m.eval()
    with ember.no_grad():
        assert m(x).shape == (2, 10)
    assert models.alexnet(num_classes=3)(ember.randn(1, 3, 64, 64)).shape == (1, 3)


def test_weights_from_local_file_roundtrip(tmp_path):
    ember.manual_seed(1)
    src = models.resnet18(num_classes=5)
    src.eval()
    path = tmp_path / "r18.pth"
    ember.save(src.state_dict(), path)
    dst = models.resnet18(num_classes=5, weights=str(path))
    dst.eval()
    x = ember.randn(1, 3, 32, 32)
    with ember.no_grad():
        np.testing.assert_allclose(dst(x).numpy(), src(x).numpy(), rtol=1e-6)


def test_missing_weights_never_download(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("EMBER_HOME", str(tmp_path / "ember"))
    with pytest.raises(FileNotFoundError, match="never downloads.*resnet18-f37072fd.pth"):
        models.resnet18(weights="DEFAULT")
    with pytest.raises(FileNotFoundError, match="not found"):
        models.resnet18(weights=str(tmp_path / "nope.pth"))
    with pytest.warns(UserWarning, match="'pretrained' is deprecated"):
        with pytest.raises(FileNotFoundError, match="alexnet-owt-7be5be79.pth"):
            models.alexnet(pretrained=True)
    with pytest.raises(ValueError, match="unknown weights"):
        models.resnet18(weights="IMAGENET1K_V9")
    # a file placed in the checkpoint directory is found by name
    ck = tmp_path / "ember" / "checkpoints"
    os.makedirs(ck)
    ember.save(models.alexnet().state_dict(), ck / "alexnet-owt-7be5be79.pth")
    assert count(models.alexnet(weights="IMAGENET1K_V1")) == 61_100_840
