"""Custom ``ember.autograd.Function`` subclasses (PyTorch's extension API) and the built-in
Function machinery they share."""
import numpy as np
import pytest

import ember
from ember.autograd import Function


class MyReLU(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.relu()

    @staticmethod
    def backward(ctx, grad_output):
        x, = ctx.saved_tensors
        return grad_output * (x > 0)


class MyExp(Function):
    @staticmethod
    def forward(ctx, x):
        y = x.exp()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        y, = ctx.saved_tensors
        return grad_output * y


class Scale(Function):
    """Non-tensor arguments and needs_input_grad."""

    @staticmethod
    def forward(ctx, x, k, w):
        ctx.k = k
        ctx.seen_needs = tuple(ctx.needs_input_grad)
        ctx.save_for_backward(w)
        return x * k * w

    @staticmethod
    def backward(ctx, g):
        w, = ctx.saved_tensors
        gx = g * ctx.k * w if ctx.needs_input_grad[0] else None
        return gx, None, None


def test_custom_relu():
    x = ember.tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = MyReLU.apply(x)
    assert y.tolist() == [0.0, 2.0, 3.0]
    assert type(y.grad_fn).__name__ == "MyReLUBackward"
    assert y.requires_grad and not y.is_leaf
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "AccumulateGrad"
    y.backward(ember.ones(3))
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_custom_exp_matches_builtin():
    x = ember.tensor([0.0, 1.0, -2.0], dtype=ember.float64, requires_grad=True)
    MyExp.apply(x).backward(ember.ones(3, dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0, -2.0]))
    assert ember.autograd.gradcheck(MyExp.apply, (ember.tensor(np.random.rand(4),
                                                               requires_grad=True),))


def test_needs_input_grad_and_ctx_attributes():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    w = ember.tensor([3.0, 4.0])
    y = Scale.apply(x, 2.0, w)
    assert y.grad_fn.seen_needs == (True, False, False)
    assert y.grad_fn.k == 2.0
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [6.0, 8.0]


def test_no_graph_without_grad():
    x = ember.tensor([1.0, 2.0])
    y = MyExp.apply(x)
    assert not y.requires_grad and y.grad_fn is None
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with ember.no_grad():
        assert not MyExp.apply(x).requires_grad


def test_forward_runs_without_recording():
    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1, ember.is_grad_enabled(), (x * 2).requires_grad

        @staticmethod
        def backward(ctx, g, *rest):
            return g

    x = ember.ones(2, requires_grad=True)
    y, enabled, inner_rg = Probe.apply(x)
    assert enabled is False and inner_rg is False and y.requires_grad


def test_multiple_outputs_and_materialized_grads():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append((g1.tolist(), g2.tolist()))
            return g1 * 2 + g2 * 3

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    a, b = Two.apply(x)
    (a + b).backward(ember.ones(2))
    assert x.grad.tolist() == [5.0, 5.0]
    x.grad = None
    a, b = Two.apply(x)
    b.backward(ember.ones(2))                 # a got no gradient: backward sees zeros
    assert seen[-1] == ([0.0, 0.0], [1.0, 1.0])
    assert x.grad.tolist() == [3.0, 3.0]


def test_set_materialize_grads_false_passes_none():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            assert g1 is None
            return g2 * 3

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    _, b = Two.apply(x)
    b.backward(ember.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]


def test_mark_non_differentiable():
    class ValAndIdx(Function):
        @staticmethod
        def forward(ctx, x):
            mask = x * 0
            ctx.mark_non_differentiable(mask)
            return x * 2, mask

        @staticmethod
        def backward(ctx, g, gmask):
            return g * 2

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y, m = ValAndIdx.apply(x)
    assert y.requires_grad and not m.requires_grad
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]


def test_mark_dirty_inplace_function():
    class Double_(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_dirty(x)
            return x.mul_(2)

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = Double_.apply(a)
    assert y is a and type(a.grad_fn).__name__ == "Double_Backward"
    assert a.tolist() == [2.0, 4.0]
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        Double_.apply(ember.ones(2, requires_grad=True))


def test_saved_tensor_version_check():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = MyExp.apply(x * 1)
    y.add_(1)                                   # the saved output is modified
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(ember.ones(2))


def test_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="incorrect number of gradients "
                                           r"\(expected 1, got 2\)"):
        Bad.apply(ember.ones(2, requires_grad=True)).backward(ember.ones(2))


def test_wrong_gradient_shape():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return ember.ones(5)

    with pytest.raises(RuntimeError, match=r"invalid gradient at index 0 - got \[5\] but "
                                           r"expected shape compatible with \[2\]"):
        WrongShape.apply(ember.ones(2, requires_grad=True)).backward(ember.ones(2))


def test_broadcast_gradient_is_summed_to_input_shape():
    class Expand(Function):
        @staticmethod
        def forward(ctx, x):
            return x * ember.ones(3, 2)

        @staticmethod
        def backward(ctx, g):
            return g                            # (3, 2) for an input of shape (2,)

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    Expand.apply(x).backward(ember.ones(3, 2))
    assert x.grad.tolist() == [3.0, 3.0]


def test_missing_backward():
    class NoBack(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="must implement either the backward"):
        NoBack.apply(ember.ones(2, requires_grad=True)).backward(ember.ones(2))


def test_saved_tensors_freed_after_backward():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = MyExp.apply(x)
    y.backward(ember.ones(2))
    with pytest.raises(RuntimeError, match="second time"):
        y.grad_fn.saved_tensors
    with pytest.raises(RuntimeError, match="second time"):
        y.backward(ember.ones(2))


def test_returning_an_input_unchanged_gives_a_new_tensor():
    class Ident(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Ident.apply(x)
    assert y is not x and x.is_leaf and not y.is_leaf
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [5.0, 5.0]


def test_non_tensor_outputs_pass_through():
    class WithInfo(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, 5

        @staticmethod
        def backward(ctx, g, g2):
            return g * 2

    x = ember.tensor(1.0, requires_grad=True)
    a, b = WithInfo.apply(x)
    assert b == 5
    a.backward()
    assert x.grad.item() == 2.0


def test_builtin_function_on_arrays():
    """The internal Function API: forward/backward on raw arrays, node names, promotion."""
    from ember.autograd.function import Function as ArrayFunction

    class Cube(ArrayFunction):
        promote = "float"

        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a * a

        @staticmethod
        def backward(ctx, g):
            a, = ctx.saved_arrays
            return g * 3 * a * a

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward0"
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [3.0, 12.0]
    assert Cube.apply(ember.tensor([2])).dtype is ember.float32   # ints lift to float
