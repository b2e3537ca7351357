"""gradcheck passes on correct ops and catches wrong backward formulas."""
import warnings

import numpy as np
import pytest

import ember
from ember.autograd import gradcheck, Function
from ember.autograd.gradcheck import GradcheckError


def t64(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.random(shape) + 0.1, requires_grad=True)


class WrongExp(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.exp()

    @staticmethod
    def backward(ctx, g):
        x, = ctx.saved_tensors
        return g * x                       # wrong: should be g * exp(x)


class WrongSecondInput(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b, a + b

    @staticmethod
    def backward(ctx, g1, g2):
        a, b = ctx.saved_tensors
        return g1 * b + g2, g1 * a * 2 + g2       # wrong for input 1 via output 0


@pytest.mark.parametrize("fn, shapes", [
    (lambda a, b: a * b, [(2, 3), (3,)]),
    (lambda a, b: a / b, [(4,), ()]),
    (lambda a: (a * 2).exp().tanh(), [(3, 2)]),
    (lambda a, b: (a + b, a * b), [(2,), (2,)]),
    (lambda a: a, [(3,)]),
    (lambda a: a.sigmoid() * a.log(), [()]),
])
def test_gradcheck_passes_on_correct_ops(fn, shapes):
    ins = [t64(*s, seed=i) for i, s in enumerate(shapes)]
    assert gradcheck(fn, ins)
    assert gradcheck(fn, ins, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False)


def test_gradcheck_with_non_tensor_and_constant_inputs():
    a = t64(3)
    c = ember.tensor(np.array([1.0, 2.0, 3.0]))
    assert gradcheck(lambda a, c, k: a * c * k, (a, c, 2.5))
    assert gradcheck(lambda a: (a * 2, (a > 0.5)), (a,))   # a bool output is skipped


def test_gradcheck_catches_a_wrong_backward():
    x = t64(3)
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to "
                                             "input 0"):
        gradcheck(WrongExp.apply, (x,))
    assert gradcheck(WrongExp.apply, (x,), raise_exception=False) is False
    assert issubclass(GradcheckError, RuntimeError)


def test_gradcheck_names_the_wrong_output_and_input():
    a, b = t64(2), t64(2, seed=1)
    with pytest.raises(GradcheckError, match="output 0 with respect to input 1"):
        gradcheck(WrongSecondInput.apply, (a, b))


def test_gradcheck_input_checks():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (ember.tensor(np.ones(2)),))
    x32 = ember.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        gradcheck(lambda a: a * 2, (x32,), eps=1e-2, atol=1e-2, raise_exception=False)
    assert any("not a double precision" in str(m.message) for m in w)


def test_gradcheck_leaves_inputs_and_grads_untouched():
    a = t64(2, 2)
    before = a.detach().numpy().copy()
    gradcheck(lambda a: a * a, (a,))
    assert (a.detach().numpy() == before).all() and a.grad is None


def test_helpers_check_grad():
    import helpers
    helpers.check_grad(lambda a, b: a * b + a, np.random.rand(2, 3), np.random.rand(3))
    with pytest.raises(GradcheckError):
        helpers.check_grad(WrongExp.apply, np.random.rand(3))
