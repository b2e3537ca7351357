"""Chapter 6 models against PyTorch 2.13: the book's MNIST ConvNet (Listing 6-4) prints the same
repr and computes the same outputs and gradients with copied weights; the cats-vs-dogs ConvNet
(Listing 6-12) likewise; a resnet18 state_dict with torchvision's key layout, written by
``torch.save`` from a torch model defined here (torchvision is not installed), loads into
``ember.vision.models.resnet18()`` and gives the same outputs; VGG16's classifier matches."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ember  # noqa: E402
from ember.vision import models  # noqa: E402

pytestmark = pytest.mark.oracle


def mnist_convnet(fw):
    """Listing 6-4, written once for both frameworks."""
    nn = fw.nn
    F = fw.nn.functional

    class ConvNet(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.conv_unit_1 = nn.Sequential(
                nn.Conv2d(1, 16, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(16),
                nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
            self.conv_unit_2 = nn.Sequential(
                nn.Conv2d(16, 32, kernel_size=3, stride=1, padding=1), nn.BatchNorm2d(32),
                nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))
            self.fc1 = nn.Linear(7 * 7 * 32, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            out = self.conv_unit_1(x)
            out = self.conv_unit_2(out)
            out = out.view(out.size(0), -1)
            out = self.fc1(out)
            out = self.fc2(out)
            return F.log_softmax(out, dim=1)
    return ConvNet(10)


def catsdogs_convnet(fw):
    """Listing 6-12."""
    nn = fw.nn

    def unit(cin, cout):
        return nn.Sequential(nn.Conv2d(cin, cout, kernel_size=3, stride=1, padding=1),
                             nn.ReLU(), nn.MaxPool2d(kernel_size=2, stride=2))

    class ConvNet(nn.Module):
        def __init__(self, num_classes=2):
            super().__init__()
            self.conv1, self.conv2 = unit(3, 16), unit(16, 32)
            self.conv3, self.conv4 = unit(32, 64), unit(64, 128)
            self.fc1 = nn.Linear(14 * 14 * 128, 128)
            self.fc2 = nn.Linear(128, 1)
            self.final = nn.Sigmoid()

        def forward(self, x):
            out = self.conv4(self.conv3(self.conv2(self.conv1(x))))
            out = out.view(-1, 14 * 14 * 128)
            return self.final(self.fc2(self.fc1(out)))
    return ConvNet()


def copy_weights(src, dst):
    dst.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                         for k, v in src.state_dict().items()})


def grads_match(tm, em, rtol=1e-4, atol=1e-5):
    for (kt, pt), (ke, pe) in zip(tm.named_parameters(), em.named_parameters()):
        assert kt == ke
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=kt)


def test_listing_6_4_repr_params_outputs_and_grads():
    tm, em = mnist_convnet(torch), mnist_convnet(ember)
    assert repr(em) == repr(tm)
    assert "BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
           "track_running_stats=True)" in repr(em)
    assert sum(p.numel() for p in em.parameters()) == 207_018
    assert list(em.state_dict()) == list(tm.state_dict())
    copy_weights(tm, em)
    x = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 10, 8)
    lt = torch.nn.CrossEntropyLoss()(tm(torch.tensor(x)), torch.tensor(y))
    le = ember.nn.CrossEntropyLoss()(em(ember.tensor(x)), ember.tensor(y))
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
    lt.backward()
    le.backward()
    grads_match(tm, em)
    for (k, vt), ve in zip(tm.state_dict().items(), em.state_dict().values()):
        np.testing.assert_allclose(ve.numpy(), vt.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    tm.eval()
    em.eval()
    with torch.no_grad(), ember.no_grad():
        np.testing.assert_allclose(em(ember.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(),
                                   rtol=1e-4, atol=1e-5)


def test_listing_6_12_catsdogs_convnet():
    tm, em = catsdogs_convnet(torch), catsdogs_convnet(ember)
    assert repr(em) == repr(tm)
    assert sum(p.numel() for p in em.parameters()) == 3_308_961
    copy_weights(tm, em)
    x = np.random.default_rng(2).standard_normal((2, 3, 224, 224)).astype(np.float32)
    y = np.array([[1.0], [0.0]], np.float32)
    lt = torch.nn.BCELoss()(tm(torch.tensor(x)), torch.tensor(y))
    le = ember.nn.BCELoss()(em(ember.tensor(x)), ember.tensor(y))
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
    lt.backward()
    le.backward()
    grads_match(tm, em, rtol=1e-3, atol=1e-5)


# ----------------------------------------------------------------------------- resnet18


def torch_resnet18(num_classes=1000):
    """torchvision's resnet18 architecture and module names, written out (no torchvision)."""
    nn = torch.nn

    class BasicBlock(nn.Module):
        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            layers, inplanes = [], 64
            for planes, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
                down = None
                if stride != 1 or inplanes != planes:
                    down = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                         nn.BatchNorm2d(planes))
                layers.append(nn.Sequential(BasicBlock(inplanes, planes, stride, down),
                                            BasicBlock(planes, planes)))
                inplanes = planes
            self.layer1, self.layer2, self.layer3, self.layer4 = layers
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512, num_classes)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))
    return ResNet()


def test_resnet18_torch_state_dict_loads_and_matches(tmp_path):
    torch.manual_seed(0)
    tm = torch_resnet18()
    # non-trivial running statistics, as in trained weights
    with torch.no_grad():
        tm.train()
        for _ in range(2):
            tm(torch.randn(4, 3, 64, 64))
    tm.eval()
    path = tmp_path / "resnet18-f37072fd.pth"
    torch.save(tm.state_dict(), path)
    em = models.resnet18(weights=str(path))
    em.eval()
    assert list(em.state_dict()) == list(tm.state_dict())
    x = np.random.default_rng(3).standard_normal((2, 3, 96, 96)).astype(np.float32)
    with torch.no_grad(), ember.no_grad():
        to = tm(torch.tensor(x)).numpy()
        eo = em(ember.tensor(x)).numpy()
    np.testing.assert_allclose(eo, to, rtol=1e-4, atol=1e-4)
    # train-mode forward and backward agree too (batch statistics, residual in-place adds)
    tm.train()
    em.train()
    lt = tm(torch.tensor(x)).logsumexp(1).sum()
    le = em(ember.tensor(x)).logsumexp(1).sum()
    np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-4)
    lt.backward()
    le.backward()
    np.testing.assert_allclose(em.conv1.weight.grad.numpy(), tm.conv1.weight.grad.numpy(),
                               rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(em.fc.weight.grad.numpy(), tm.fc.weight.grad.numpy(),
                               rtol=1e-3, atol=1e-4)


def test_resnet18_repr_matches_torch_definition():
    assert repr(models.resnet18().layer2) == repr(torch_resnet18().layer2)
    assert repr(models.resnet18().conv1) == repr(torch_resnet18().conv1)


def test_vgg16_classifier_and_head_swap_match_torch():
    tn = torch.nn
    tc = tn.Sequential(tn.Linear(25088, 4096), tn.ReLU(True), tn.Dropout(p=0.5),
                       tn.Linear(4096, 4096), tn.ReLU(True), tn.Dropout(p=0.5),
                       tn.Linear(4096, 1000))
    m = models.vgg16(init_weights=False)
    assert repr(m.classifier) == repr(tc)
    head = tn.Sequential(tn.Linear(4096, 256), tn.ReLU(), tn.Dropout(0.4), tn.Linear(256, 1),
                         tn.Sigmoid())
    m.classifier[6] = ember.nn.Sequential(ember.nn.Linear(4096, 256), ember.nn.ReLU(),
                                          ember.nn.Dropout(0.4), ember.nn.Linear(256, 1),
                                          ember.nn.Sigmoid())
    tc[6] = head
    assert repr(m.classifier) == repr(tc)
