"""VGG (Simonyan & Zisserman, 2014) with torchvision's module names, so torchvision's
state_dicts load as they are: ``features`` (3x3 convolutions with ReLU, 2x2 max-pools),
``avgpool`` (AdaptiveAvgPool2d((7, 7))) and ``classifier`` (two 4096-unit layers with dropout).
"""
from ... import nn, flatten
from ._utils import load_weights

__all__ = ["VGG", "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19",
           "vgg19_bn"]


class VGG(nn.Module):
    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = flatten(x, 1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512,
          "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512,
          512, 512, 512, "M"],
}

_FILES = {"vgg11": "vgg11-8a719046.pth", "vgg11_bn": "vgg11_bn-6002323d.pth",
          "vgg13": "vgg13-19584684.pth", "vgg13_bn": "vgg13_bn-abd245e5.pth",
          "vgg16": "vgg16-397923af.pth", "vgg16_bn": "vgg16_bn-6c64b313.pth",
          "vgg19": "vgg19-dcbb9e9d.pth", "vgg19_bn": "vgg19_bn-c79401a0.pth"}


def _vgg(arch, cfg, batch_norm, weights, progress, pretrained, kwargs):
    if weights is not None or pretrained:
        kwargs["init_weights"] = False
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    return load_weights(model, weights, pretrained, _FILES[arch], arch)


def vgg11(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 11-layer model (configuration "A")."""
    return _vgg("vgg11", "A", False, weights, progress, pretrained, kwargs)


def vgg11_bn(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 11-layer model with batch normalisation."""
    return _vgg("vgg11_bn", "A", True, weights, progress, pretrained, kwargs)


def vgg13(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 13-layer model (configuration "B")."""
    return _vgg("vgg13", "B", False, weights, progress, pretrained, kwargs)


def vgg13_bn(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 13-layer model with batch normalisation."""
    return _vgg("vgg13_bn", "B", True, weights, progress, pretrained, kwargs)


def vgg16(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 16-layer model (configuration "D"), the book's transfer-learning backbone."""
    return _vgg("vgg16", "D", False, weights, progress, pretrained, kwargs)


def vgg16_bn(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 16-layer model with batch normalisation."""
    return _vgg("vgg16_bn", "D", True, weights, progress, pretrained, kwargs)


def vgg19(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 19-layer model (configuration "E")."""
    return _vgg("vgg19", "E", False, weights, progress, pretrained, kwargs)


def vgg19_bn(*, weights=None, progress=True, pretrained=False, **kwargs):
    """VGG 19-layer model with batch normalisation."""
    return _vgg("vgg19_bn", "E", True, weights, progress, pretrained, kwargs)
