"""copy_/fill_/zero_/fill_diagonal_ against PyTorch 2.13."""
import numpy as np
import pytest

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape,src_shape", [((2, 3), (3,)), ((4,), (1,)), ((2, 1, 3), (1, 3))])
def test_copy_matches(shape, src_shape):
    rng = np.random.default_rng(0)
    x, s = rng.standard_normal(shape), rng.standard_normal(src_shape)
    w = rng.standard_normal(shape)
    res = []
    for fw in (ember, torch):
        xt = fw.tensor(x, requires_grad=True)
        st = fw.tensor(s, requires_grad=True)
        y = xt * 2
        y.copy_(st)
        (y * fw.tensor(w)).sum().backward()
        res.append((y.detach().numpy(), xt.grad.numpy(), st.grad.numpy(),
                    type(y.grad_fn).__name__))
    for a, b in zip(*res):
        if isinstance(a, str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("value", [2.5, 0, "tensor"])
def test_fill_and_zero_match(value):
    res = []
    for fw in (ember, torch):
        x = fw.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = fw.tensor(0.75, requires_grad=True) if value == "tensor" else value
        y = x * 3
        y.fill_(v)
        (y * fw.tensor([1.0, -2.0, 4.0])).sum().backward()
        z = x * 1
        z.zero_()
        res.append((y.tolist(), x.grad.tolist(), type(y.grad_fn).__name__,
                    type(z.grad_fn).__name__,
                    v.grad.item() if value == "tensor" else None))
    assert res[0] == res[1]


@pytest.mark.parametrize("shape,wrap", [((3, 4), False), ((5, 3), True), ((7, 2), True),
                                        ((3, 3, 3), False), ((4, 6), True)])
def test_fill_diagonal_matches(shape, wrap):
    a, b = ember.zeros(*shape), torch.zeros(*shape)
    a.fill_diagonal_(2.0, wrap=wrap)
    b.fill_diagonal_(2.0, wrap=wrap)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
