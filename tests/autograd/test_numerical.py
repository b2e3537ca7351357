"""ember.autograd.numerical: the four difference schemes of ch. 4 converge at their orders,
and the numerical Jacobian matches autograd's."""
import math

import numpy as np
import pytest

import ember
from ember.autograd import numerical as N

ORDERS = {"forward": 1, "backward": 1, "central": 2, "richardson": 4}


@pytest.mark.parametrize("f, df", [(math.sin, math.cos), (math.exp, math.exp),
                                   (lambda x: x ** 5, lambda x: 5 * x ** 4)])
@pytest.mark.parametrize("method", N.METHODS)
def test_error_shrinks_at_the_scheme_order(f, df, method):
    x = 0.7
    hs = [0.1, 0.05, 0.025]
    errs = [abs(N.derivative(f, x, h, method) - df(x)) for h in hs]
    rates = [math.log2(errs[i] / errs[i + 1]) for i in range(2)]
    for r in rates:        # halving h divides the error by 2**order
        assert r == pytest.approx(ORDERS[method], abs=0.15), (method, rates)


def test_derivative_accuracy_and_errors():
    assert N.derivative(math.sin, 0.3, 1e-5, "central") == pytest.approx(math.cos(0.3),
                                                                         abs=1e-9)
    assert N.derivative(math.exp, 1.0, 1e-2, "richardson") == pytest.approx(math.e, abs=1e-9)
    with pytest.raises(ValueError, match="unknown method"):
        N.derivative(math.sin, 0.0, 1e-3, "midpoint")
    with pytest.raises(ValueError, match="unknown method"):
        N.jacobian(lambda t: t, [ember.ones(1, requires_grad=True)], method="nope")


def test_jacobian_matches_analytic():
    x = ember.tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    for method in N.METHODS:
        J = N.jacobian(lambda t: t.exp() * t, [x], 1e-6 if method != "richardson" else 1e-3,
                       method)[0]
        v = x.detach().numpy()
        tol = 1e-4 if method in ("forward", "backward") else 1e-7
        np.testing.assert_allclose(J, np.diag(np.exp(v) * (1 + v)), atol=tol)


def test_jacobian_shapes_multiple_inputs_and_outputs():
    a = ember.tensor(np.random.rand(2, 3), requires_grad=True)
    b = ember.tensor(np.random.rand(3), requires_grad=True)
    c = ember.tensor(np.random.rand(3))                 # not differentiated
    ja, jb, jc = N.jacobian(lambda a, b, c: (a * b, b * c), [a, b, c])
    assert ja.shape == (6, 9) and jb.shape == (3, 9) and jc is None
    av, bv, cv = a.detach().numpy(), b.detach().numpy(), c.detach().numpy()
    # d(a*b)[i,j]/d b[k] = a[i,j] * (j == k)
    expect_b = np.zeros((3, 9))
    for i in range(2):
        for j in range(3):
            expect_b[j, i * 3 + j] = av[i, j]
    expect_b[np.arange(3), 6 + np.arange(3)] = cv
    np.testing.assert_allclose(jb, expect_b, atol=1e-8)
    np.testing.assert_allclose(ja[:, :6], np.diag(np.tile(bv, 2)), atol=1e-8)
    assert a.detach().numpy().tolist() == av.tolist()   # inputs restored after perturbing


def test_jacobian_of_non_contiguous_input_restores_it():
    base = ember.tensor(np.random.rand(3, 2))
    x = base.t()
    x.requires_grad_()
    before = x.detach().numpy().copy()
    J = N.jacobian(lambda t: t * 2, [x])[0]
    np.testing.assert_allclose(J, 2 * np.eye(6), atol=1e-8)
    assert (x.detach().numpy() == before).all()
    e = ember.zeros(0, requires_grad=True)
    assert N.jacobian(lambda t: t * 2, [e])[0].shape == (0, 0)
