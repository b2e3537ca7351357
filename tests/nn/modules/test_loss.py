"""Loss modules: reprs, reduction and legacy arguments (book Listing 6-4's size_average=False),
weights as buffers, forward = functional form, and a small training loop that learns."""
import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.nn.functional as F

T = ember.tensor


@pytest.mark.parametrize("cls", [nn.L1Loss, nn.NLLLoss, nn.PoissonNLLLoss, nn.GaussianNLLLoss,
                                 nn.KLDivLoss, nn.MSELoss, nn.BCELoss, nn.BCEWithLogitsLoss,
                                 nn.HingeEmbeddingLoss, nn.MultiLabelMarginLoss, nn.SmoothL1Loss,
                                 nn.HuberLoss, nn.SoftMarginLoss, nn.CrossEntropyLoss,
                                 nn.MultiLabelSoftMarginLoss, nn.CosineEmbeddingLoss,
                                 nn.MarginRankingLoss, nn.MultiMarginLoss, nn.TripletMarginLoss])
def test_repr_is_class_name_and_default_reduction(cls):
    m = cls()
    assert repr(m) == cls.__name__ + "()"
    assert m.reduction == "mean"
    assert cls(reduction="sum").reduction == "sum"


def test_legacy_arguments_map_to_reduction_with_warning():
    with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.BCELoss(reduce=False).reduction == "none"
    with pytest.warns(UserWarning, match="reduction='mean'"):
        assert nn.CrossEntropyLoss(size_average=True).reduction == "mean"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert nn.L1Loss(reduction="none").reduction == "none"


def test_weights_are_buffers():
    w = T([1.0, 2.0, 3.0])
    for m in (nn.CrossEntropyLoss(weight=w), nn.NLLLoss(weight=w), nn.BCELoss(weight=w),
              nn.MultiMarginLoss(weight=w), nn.BCEWithLogitsLoss(weight=w)):
        assert "weight" in m.state_dict() and not list(m.parameters())
        assert m.weight is w
    m = nn.BCEWithLogitsLoss(pos_weight=w)
    assert list(m.state_dict()) == ["pos_weight"]
    assert nn.CrossEntropyLoss().weight is None and list(nn.CrossEntropyLoss().state_dict()) == []


def test_forward_equals_functional():
    ember.manual_seed(0)
    x = ember.randn(6, 4)
    p = ember.rand(6, 4) * 0.9 + 0.05
    t = T([0, 3, 1, 2, 2, 1])
    w = T([1.0, 0.5, 2.0, 1.5])
    pairs = [
        (nn.CrossEntropyLoss(w, ignore_index=2, label_smoothing=0.1), (x, t),
         lambda: F.cross_entropy(x, t, w, ignore_index=2, label_smoothing=0.1)),
        (nn.NLLLoss(reduction="sum"), (x, t), lambda: F.nll_loss(x, t, reduction="sum")),
        (nn.BCELoss(w), (p, 1 - p), lambda: F.binary_cross_entropy(p, 1 - p, w)),
        (nn.BCEWithLogitsLoss(pos_weight=w), (x, p),
         lambda: F.binary_cross_entropy_with_logits(x, p, pos_weight=w)),
        (nn.MSELoss(reduction="none"), (x, p), lambda: F.mse_loss(x, p, reduction="none")),
        (nn.L1Loss(), (x, p), lambda: F.l1_loss(x, p)),
        (nn.SmoothL1Loss(beta=0.5), (x, p), lambda: F.smooth_l1_loss(x, p, beta=0.5)),
        (nn.HuberLoss(delta=0.5), (x, p), lambda: F.huber_loss(x, p, delta=0.5)),
        (nn.KLDivLoss(reduction="batchmean"), (x, p),
         lambda: F.kl_div(x, p, reduction="batchmean")),
        (nn.MultiMarginLoss(p=2, weight=w), (x, t),
         lambda: F.multi_margin_loss(x, t, p=2, weight=w)),
        (nn.HingeEmbeddingLoss(0.5), (x, p.sign()),
         lambda: F.hinge_embedding_loss(x, p.sign(), 0.5)),
    ]
    for mod, args, fn in pairs:
        np.testing.assert_allclose(mod(*args).numpy(), fn().numpy(), rtol=1e-6)


def test_book_listing_6_4_style_training_learns():
    # a logistic regression with BCELoss(size_average=False) as in the book's Listing 6-4
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((200, 2)).astype(np.float32)
    ys = (xs[:, :1] + 2 * xs[:, 1:] > 0).astype(np.float32)
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    with pytest.warns(UserWarning):
        loss_fn = nn.BCELoss(size_average=False)
    opt = ember.optim.SGD(model.parameters(), lr=0.01)
    x, y = T(xs), T(ys)
    first = None
    for _ in range(100):
        loss = loss_fn(model(x), y)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first
    acc = ((model(x).detach().numpy() > 0.5) == ys).mean()
    assert acc > 0.95


def test_cross_entropy_training_learns():
    ember.manual_seed(1)
    rng = np.random.default_rng(1)
    centers = np.eye(3, 4) * 4
    lab = rng.integers(0, 3, 300)
    xs = (centers[lab] + rng.standard_normal((300, 4))).astype(np.float32)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 3))
    loss_fn = nn.CrossEntropyLoss()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    x, t = T(xs), T(lab)
    for _ in range(150):
        loss = loss_fn(model(x), t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    acc = (model(x).detach().numpy().argmax(1) == lab).mean()
    assert acc > 0.9


def test_constructor_errors():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D"):
        nn.MultiMarginLoss(weight=ember.ones(2, 2))
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0.0)
    with pytest.raises(TypeError, match="delta must be a float or int"):
        nn.HuberLoss(delta="1")
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        nn.NLLLoss2d()
