"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode as context managers and
decorators, nested, with exceptions and generators."""
import pytest

import ember


@pytest.fixture(autouse=True)
def _grad_on():
    ember.set_grad_enabled(True)
    yield
    ember.set_grad_enabled(True)


def test_no_grad_context_and_nesting():
    x = ember.ones(2, requires_grad=True)
    with ember.no_grad():
        y = x * 2
        assert not ember.is_grad_enabled()
        with ember.enable_grad():
            z = x * 2
            assert ember.is_grad_enabled()
            with ember.no_grad():
                w = x * 2
        assert not ember.is_grad_enabled()
    assert ember.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and not w.requires_grad
    assert x.requires_grad                      # leaves keep their flag


def test_no_grad_restores_mode_after_exception():
    with pytest.raises(ValueError):
        with ember.no_grad():
            raise ValueError
    assert ember.is_grad_enabled()


@pytest.mark.parametrize("bare", [False, True])
def test_no_grad_decorator(bare):
    x = ember.ones(2, requires_grad=True)

    def f(k):
        return x * k, ember.is_grad_enabled()
    g = ember.no_grad(f) if bare else ember.no_grad()(f)
    y, enabled = g(3)
    assert not y.requires_grad and enabled is False
    assert ember.is_grad_enabled()
    assert g.__name__ == "f"


def test_enable_grad_decorator_inside_no_grad():
    x = ember.ones(2, requires_grad=True)

    @ember.enable_grad()
    def f():
        return x * 2

    @ember.enable_grad
    def g():
        return x * 2
    with ember.no_grad():
        assert f().requires_grad and g().requires_grad
        assert not ember.is_grad_enabled()


def test_set_grad_enabled_function_context_and_decorator():
    x = ember.ones(2, requires_grad=True)
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not (x * 2).requires_grad and not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    assert (x * 2).requires_grad

    @ember.set_grad_enabled(False)
    def f():
        return (x * 2).requires_grad
    assert ember.is_grad_enabled()              # decorating doesn't switch the mode
    assert f() is False and ember.is_grad_enabled()
    with ember.no_grad():
        with ember.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not ember.is_grad_enabled()


def test_decorated_generators_switch_per_step():
    @ember.no_grad()
    def gen():
        yield ember.is_grad_enabled()
        yield ember.is_grad_enabled()
    g = gen()
    assert next(g) is False
    assert ember.is_grad_enabled()              # the caller's mode between steps
    assert next(g) is False
    with pytest.raises(StopIteration):
        next(g)

    @ember.enable_grad()
    def gen2():
        x = yield ember.is_grad_enabled()
        yield x, ember.is_grad_enabled()
    with ember.no_grad():
        g = gen2()
        assert next(g) is True
        assert not ember.is_grad_enabled()
        assert g.send(5) == (5, True)


def test_inference_mode():
    x = ember.ones(2, requires_grad=True)
    with ember.inference_mode():
        assert not (x * 2).requires_grad
        assert ember.autograd.grad_mode.is_inference_mode_enabled()
    with ember.inference_mode(False):
        assert (x * 2).requires_grad
    assert not ember.autograd.grad_mode.is_inference_mode_enabled()

    @ember.inference_mode()
    def f():
        return (x * 2).requires_grad

    @ember.inference_mode
    def g():
        return (x * 2).requires_grad
    assert f() is False and g() is False and ember.is_grad_enabled()


def test_no_grad_for_optimizer_style_update():
    w = ember.tensor([1.0, 2.0], requires_grad=True)
    (w * w).backward(ember.ones(2))
    with ember.no_grad():
        w -= 0.1 * w.grad
    assert w.is_leaf and w.requires_grad
    assert w.detach().tolist() == pytest.approx([0.8, 1.6])
    w.grad = None
    (w * 3).backward(ember.ones(2))
    assert w.grad.tolist() == [3.0, 3.0]
