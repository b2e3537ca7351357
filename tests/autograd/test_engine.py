"""The backward engine: ``backward``, ``autograd.grad``, accumulation, retain_graph, version
counters, hooks, retain_grad, freeing of the graph and deep graphs."""
import gc
import weakref

import numpy as np
import pytest

import ember
from ember.autograd import grad as agrad


def leaf(values, dtype=ember.float32):
    return ember.tensor(values, dtype=dtype, requires_grad=True)


def test_chapter4_example():
    x = ember.Tensor([1])
    y = ember.Tensor([-2])
    z = ember.Tensor([3])
    x.requires_grad = True
    y.requires_grad = True
    z.requires_grad = True
    a = x + y
    f = z * a
    f.backward()
    assert x.grad.tolist() == [3.0] and y.grad.tolist() == [3.0] and z.grad.tolist() == [-1.0]
    assert type(a.grad_fn).__name__ == "AddBackward0"
    assert type(f.grad_fn).__name__ == "MulBackward0"
    assert x.is_leaf and not f.is_leaf and not a.is_leaf
    with pytest.warns(UserWarning, match="The .grad attribute of a Tensor that is not a leaf "
                                         "Tensor is being accessed") as rec:
        assert a.grad is None and f.grad is None      # non-leaves keep no .grad, and say so
    assert len(rec) == 2 and rec[0].filename == __file__
    assert f.tolist() == [-3.0]


def test_grad_reads_and_assignments_follow_pytorch():
    import warnings
    x = ember.ones(2, requires_grad=True)
    a = x * 2
    a.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")            # leaves and retained non-leaves: silent
        assert x.grad is None and a.grad is None
        a.sum().backward()
        assert a.grad.tolist() == [1., 1.] and x.grad.tolist() == [2., 2.]
    x.grad = ember.zeros(2)
    x.grad = None
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got "
                                        "grad of type list"):
        x.grad = [1., 2.]
    with pytest.raises(RuntimeError, match=r"assign a gradient of size '\[3\]' to a tensor of "
                                           r"size '\[2\]'"):
        x.grad = ember.zeros(3)
    with pytest.raises(RuntimeError, match="gradient with dtype 'double' to a tensor with "
                                           "grad_dtype 'Float'"):
        x.grad = ember.zeros(2, dtype=ember.float64)
    d = ember.ones(2, dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient with dtype 'float' to a tensor with "
                                           "grad_dtype 'Double'"):
        d.grad = ember.zeros(2)
    assert x.grad is None


def test_gradients_accumulate_across_calls():
    x = leaf([1.0, 2.0])
    (x * x).backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 4.0]
    g = x.grad
    (x * 3).backward(ember.ones(2))
    assert x.grad.tolist() == [5.0, 7.0]
    assert x.grad is g                                 # accumulated in place, as torch
    x.grad = None
    (x * 3).backward(ember.ones(2))
    assert x.grad.tolist() == [3.0, 3.0]


def test_backward_with_gradient_argument():
    x = leaf([1.0, 2.0])
    (x * x).backward(gradient=ember.tensor([1.0, 10.0]))
    assert x.grad.tolist() == [2.0, 40.0]
    x.grad = None
    (x * x).backward(ember.tensor([1.0, 1.0], dtype=ember.float64))
    assert x.grad.dtype is ember.float32


def test_scalar_backward_needs_no_gradient():
    x = leaf([1.0])
    (x * 2).backward()                                 # one element counts as a scalar
    assert x.grad.tolist() == [2.0]
    s = leaf(3.0)
    (s * s * s).backward()
    assert s.grad.item() == 27.0 and s.grad.shape == ()


def test_nonscalar_backward_without_gradient_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        (x * 2).backward()


def test_gradient_shape_mismatch_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ember.ones(3))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        (ember.ones(2) * 2).backward(ember.ones(2))


def test_second_backward_needs_retain_graph():
    x = leaf([1.0, 2.0])
    y = x * x                                          # Mul saves its inputs
    y.backward(ember.ones(2))
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second "
                                           "time"):
        y.backward(ember.ones(2))
    x2 = leaf([1.0, 2.0])
    y2 = x2 * x2
    y2.backward(ember.ones(2), retain_graph=True)
    y2.backward(ember.ones(2))
    assert x2.grad.tolist() == [4.0, 8.0]


def test_second_backward_without_saved_arrays_is_allowed():
    x = leaf([1.0, 2.0])
    y = x + 1                                          # Add saves nothing
    y.backward(ember.ones(2))
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]


def test_inplace_change_of_saved_tensor_is_detected():
    x = leaf([1.0, 2.0])
    a = x * 1
    y = a * a                                          # saves a
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(ember.ones(2))
    x = leaf([1.0, 2.0])
    e = (x * 1).exp()                                  # exp saves its output
    e.add_(1)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0"):
        e.backward(ember.ones(2))
    # a write through .detach() shares the version counter too
    x = leaf([1.0, 2.0])
    a = x * 1
    y = a * a
    a.detach().mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(ember.ones(2))


def test_inplace_change_of_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    a = x * 1
    y = a + a                                          # Add saves nothing
    a.mul_(2)
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 2.0]
    x = leaf([1.0, 2.0])
    y = x * 2
    y.mul_(3)                                          # in place on a non-leaf: recorded
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.backward(ember.ones(2))
    assert x.grad.tolist() == [6.0, 6.0]


def test_inplace_on_leaf_requiring_grad_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                           "in an in-place operation"):
        x.add_(1)
    with ember.no_grad():
        x.add_(1)                                      # allowed without recording
    assert x.detach().tolist() == [2.0, 3.0] and x.is_leaf and x.requires_grad
    assert x._version_counter == 1


def test_autograd_grad():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = x * w
    (gx,) = agrad(y, [x], grad_outputs=ember.ones(2))
    assert gx.tolist() == [3.0, 4.0]
    assert x.grad is None and w.grad is None           # grad() does not accumulate
    s = leaf(3.0)
    assert agrad(s * s * s, s)[0].item() == 27.0
    a = x * 2
    assert agrad(a * a, a, ember.ones(2))[0].tolist() == [4.0, 8.0]   # non-leaf input
    gx1, gx2 = agrad(x * x, [x, x], ember.ones(2))
    assert gx1.tolist() == gx2.tolist() == [2.0, 4.0]


def test_autograd_grad_allow_unused():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    with pytest.raises(RuntimeError, match="at index 1 appears to not have been used"):
        agrad(x * 2, [x, w], grad_outputs=ember.ones(2))
    gx, gw = agrad(x * 2, [x, w], grad_outputs=ember.ones(2), allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gw is None
    gx, gw = agrad(x * 2, [x, w], ember.ones(2), materialize_grads=True)
    assert gw.tolist() == [0.0, 0.0]
    with pytest.raises(RuntimeError, match="does not require grad"):
        agrad(ember.ones(2) * 2, ember.ones(2), ember.ones(2))


def test_autograd_grad_frees_graph_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * x
    agrad(y, x, ember.ones(2), retain_graph=True)
    agrad(y, x, ember.ones(2))
    with pytest.raises(RuntimeError, match="second time"):
        agrad(y, x, ember.ones(2))


def test_backward_inputs_and_multiple_roots():
    x, w = leaf([1.0, 1.0]), leaf([1.0, 1.0])
    (x * w * 3).backward(ember.ones(2), inputs=[x])
    assert x.grad.tolist() == [3.0, 3.0] and w.grad is None
    x = leaf([1.0, 1.0])
    ember.autograd.backward([x * 2, x * 3], [ember.ones(2), ember.ones(2)])
    assert x.grad.tolist() == [5.0, 5.0]


def test_broadcast_gradients_are_reduced_to_input_shapes():
    x = ember.ones(2, 1, requires_grad=True)
    w = ember.ones(3, requires_grad=True)
    b = ember.tensor(2.0, requires_grad=True)
    y = x * w + b
    assert y.shape == (2, 3)
    y.backward(ember.ones(2, 3))
    assert x.grad.tolist() == [[3.0], [3.0]]
    assert w.grad.tolist() == [2.0, 2.0, 2.0]
    assert b.grad.item() == 6.0 and b.grad.shape == ()


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    x = leaf([1.0, 2.0])
    w = leaf([1.0, 2.0], dtype=ember.float64)
    y = x * w
    assert y.dtype is ember.float64
    y.backward(ember.ones(2, dtype=ember.float64))
    assert x.grad.dtype is ember.float32 and w.grad.dtype is ember.float64


def test_integer_outputs_do_not_require_grad():
    x = leaf([1.5, 2.5])
    assert not x.long().requires_grad
    assert not (x > 0).requires_grad
    assert x.long().grad_fn is None


def test_retain_grad():
    x = leaf([1.0, 2.0])
    a = x * 2
    a.retain_grad()
    assert a.retains_grad
    (a * a).backward(ember.ones(2))
    assert a.grad.tolist() == [4.0, 8.0] and x.grad.tolist() == [8.0, 16.0]
    x.retain_grad()                                    # no-op on a leaf
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        ember.ones(2).retain_grad()
    # accumulates across backward calls like a leaf's grad
    b = x * 2
    b.retain_grad()
    y = b * b
    y.backward(ember.ones(2), retain_graph=True)
    y.backward(ember.ones(2))
    assert b.grad.tolist() == [8.0, 16.0]


def test_hooks_on_leaf_and_non_leaf():
    x = leaf([1.0, 2.0])
    seen = []
    h = x.register_hook(lambda g: (seen.append(g.tolist()), g * 10)[1])
    (x * x).backward(ember.ones(2))
    assert seen == [[2.0, 4.0]] and x.grad.tolist() == [20.0, 40.0]
    h.remove()
    x.grad = None
    (x * x).backward(ember.ones(2))
    assert x.grad.tolist() == [2.0, 4.0] and len(seen) == 1

    x = leaf([1.0, 2.0])
    a = x * 2
    a.register_hook(lambda g: g * 10)                  # replaces the gradient flowing on
    (a * a).backward(ember.ones(2))
    assert x.grad.tolist() == [80.0, 160.0]

    x = leaf([1.0, 2.0])
    a = x * 2
    got = []
    a.register_hook(lambda g: got.append(g.tolist()))  # returning None keeps it
    (a * a).backward(ember.ones(2))
    assert got == [[4.0, 8.0]] and x.grad.tolist() == [8.0, 16.0]
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_retain_grad_sees_gradient_after_hooks():
    for order in ("retain_first", "hook_first"):
        x = leaf([1.0, 2.0])
        a = x * 2
        if order == "retain_first":
            a.retain_grad()
            a.register_hook(lambda g: g * 10)
        else:
            a.register_hook(lambda g: g * 10)
            a.retain_grad()
        (a * a).backward(ember.ones(2))
        assert a.grad.tolist() == [40.0, 80.0], order
        assert x.grad.tolist() == [80.0, 160.0]


def test_shared_gradients_are_not_aliased():
    a, b = leaf([1.0, 2.0]), leaf([1.0, 2.0])
    y = a + b
    y.backward(ember.ones(2))
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[0] = 100
    assert b.grad.tolist() == [1.0, 1.0]
    g = ember.ones(2)
    c = leaf([1.0, 2.0])
    c.backward(g)                                      # the root gradient is copied too
    g.numpy()[0] = 5
    assert c.grad.tolist() == [1.0, 1.0]
    d = leaf([1.0, 2.0])
    (d * 1).backward(g)
    g.numpy()[1] = 7
    assert d.grad.tolist() == [5.0, 1.0]


def test_deep_chain_has_no_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10000], rtol=1e-3)


def test_graph_is_freed_after_backward():
    x = leaf(np.ones(3))
    y = (x * 2) * (x * 3)           # the outer Mul alone holds the two intermediate arrays
    node = y.grad_fn
    refs = [weakref.ref(a) for a in node.saved]
    gc.collect()
    assert all(r() is not None for r in refs)
    y.backward(ember.ones(3))
    gc.collect()
    assert all(r() is None for r in refs)              # saved arrays freed by backward
    assert x.grad.tolist() == [12.0, 12.0, 12.0]
    x2 = leaf(np.ones(3))
    y2 = (x2 * 2) * (x2 * 3)
    refs = [weakref.ref(a) for a in y2.grad_fn.saved]
    y2.backward(ember.ones(3), retain_graph=True)
    gc.collect()
    assert all(r() is not None for r in refs)          # ... but kept with retain_graph


def test_intermediate_tensors_die_with_the_graph():
    x = leaf(np.ones((4, 4)))
    a = x * 2
    y = a.exp()
    ref = weakref.ref(a)
    del a
    y.backward(ember.ones(4, 4))
    del y
    gc.collect()
    assert ref() is None
    nodes = []
    x = leaf([1.0])
    z = (x * 2).tanh()
    nodes.append(weakref.ref(z.grad_fn))
    z.backward()
    del z
    gc.collect()
    assert nodes[0]() is None


def test_unused_branch_and_none_gradients():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    out = x * 2
    _ = y * 3                                          # never reaches the output
    out.backward(ember.ones(2))
    assert y.grad is None and x.grad.tolist() == [2.0, 2.0]


def test_write_through_a_view_reaches_the_base_and_older_views():
    # y = 2x; y[0:2] *= 3  ->  y = [6x0, 6x1, 2x2]; an older view v = y[1:] re-reads y
    x = ember.tensor([1., 2., 3.], requires_grad=True)
    y = x * 2
    v = y[1:]
    y[0:2].mul_(3)
    assert type(y.grad_fn).__name__ == "CopySlices"
    assert v.tolist() == [12., 6.]
    ((y * ember.tensor([1., 2., 3.])).sum() + (v * 10).sum()).backward()
    assert x.grad.tolist() == [6., 12. + 60., 6. + 20.]
