"""The autograd engine against PyTorch 2.13: random graphs (shared subexpressions,
broadcasting, mixed float dtypes), accumulation, hooks, retain_grad, autograd.grad, custom
Functions, grad modes, grad_fn names and error cases."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember

pytestmark = pytest.mark.oracle
torch = pytest.importorskip("torch")


def np_of(t):
    return t.detach().numpy()


def close(e, t, dtype=np.float32):
    assert (e is None) == (t is None), (e, t)
    if e is None:
        return
    assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert tuple(e.shape) == tuple(t.shape)
    rtol = 1e-6 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(np_of(e), np_of(t), rtol=rtol, atol=rtol)


# ----------------------------------------------------------------------------- random graphs

UNARY = ["tanh", "sigmoid", "neg", "exp_tanh", "square", "scale"]
BINARY = ["add", "sub", "mul", "div"]
SHAPES = [(), (3,), (2, 3), (2, 1), (1, 3), (4, 2, 3)]


def _unary(m, name, a):
    if name == "tanh":
        return a.tanh()
    if name == "sigmoid":
        return a.sigmoid()
    if name == "neg":
        return -a
    if name == "exp_tanh":
        return a.tanh().exp()
    if name == "square":
        return a * a
    return a * 0.5


def _binary(m, name, a, b):
    if name == "add":
        return a + b
    if name == "sub":
        return a - b
    if name == "mul":
        return a * b
    return a / (b * b + 1.0)          # keep the denominator away from zero


program = st.lists(
    st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 100), st.integers(0, 100)),
    min_size=1, max_size=12)


def run_program(m, leaves_np, prog, dtypes, out_weights):
    leaves = [m.tensor(a, dtype=getattr(m, d), requires_grad=True)
              for a, d in zip(leaves_np, dtypes)]
    pool = list(leaves)
    for op, i, j in prog:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(_unary(m, op, a) if op in UNARY else _binary(m, op, a, b))
    outs = pool[len(leaves):]
    loss = None
    for k, o in enumerate(outs[-3:]):          # several outputs share subgraphs
        term = o * float(out_weights[k])
        loss = term if loss is None else loss + term
    return leaves, loss


@given(prog=program,
       shapes=st.lists(st.sampled_from(SHAPES), min_size=2, max_size=4),
       dtypes=st.lists(st.sampled_from(["float32", "float64"]), min_size=4, max_size=4),
       seed=st.integers(0, 2 ** 16))
@settings(max_examples=120, deadline=None)
def test_random_graphs_match_torch(prog, shapes, dtypes, seed):
    rng = np.random.default_rng(seed)
    leaves_np = [rng.standard_normal(s) for s in shapes]
    weights = rng.standard_normal(3)
    dts = dtypes[:len(shapes)]
    res = []
    g = None
    for m in (torch, ember):
        leaves, loss = run_program(m, leaves_np, prog, dts, weights)
        if g is None:
            g = rng.standard_normal(tuple(loss.shape))
        gt = m.tensor(g, dtype=loss.dtype) if loss.dim() else None
        loss.backward(gt, retain_graph=True)
        loss.backward(gt)                          # accumulate a second time
        res.append((loss, [leaf.grad for leaf in leaves]))
    (tl, tg), (el, eg) = res
    any64 = "float64" in dts
    close(el, tl, np.float64 if str(tl.dtype).endswith("64") else np.float32)
    for e, t, d in zip(eg, tg, dts):
        close(e, t, np.float64 if d == "float64" and any64 else np.float32)


@given(prog=program, seed=st.integers(0, 1000))
@settings(max_examples=60, deadline=None)
def test_autograd_grad_on_random_graphs(prog, seed):
    rng = np.random.default_rng(seed)
    leaves_np = [rng.standard_normal((2, 3)), rng.standard_normal((3,))]
    out = []
    for m in (torch, ember):
        leaves, loss = run_program(m, leaves_np, prog, ["float64", "float64"], [1.0, 2.0, 3.0])
        go = m.tensor(np.ones(tuple(loss.shape)), dtype=loss.dtype)
        out.append(m.autograd.grad(loss, leaves, grad_outputs=go, allow_unused=True))
        assert all(leaf.grad is None for leaf in leaves)
    for e, t in zip(out[1], out[0]):
        close(e, t, np.float64)


# ----------------------------------------------------------------------------- behaviours

def run_both(fn):
    """Run fn in both frameworks: equal results (compared as nested lists) or both raise."""
    outs = []
    for m in (torch, ember):
        try:
            outs.append(("ok", fn(m)))
        except Exception as ex:    # noqa: BLE001 - exception types are compared
            outs.append(("err", type(ex).__name__, str(ex)[:40]))
    (t, e) = outs
    if t[0] == "err":
        assert e[0] == "err" and e[1] == t[1], (t, e)
    else:
        assert e[0] == "ok", e
        assert _norm(e[1]) == _norm(t[1]), (e[1], t[1])


def _norm(x):
    if isinstance(x, (list, tuple)):
        return [_norm(v) for v in x]
    if hasattr(x, "tolist") and hasattr(x, "dtype"):
        return np.round(np.asarray(x.detach().tolist(), dtype=float), 5).tolist()
    return x


def chapter4(m):
    x, y, z = m.Tensor([1]), m.Tensor([-2]), m.Tensor([3])
    for t in (x, y, z):
        t.requires_grad = True
    a = x + y
    f = z * a
    f.backward()
    return (x.grad, y.grad, z.grad, type(a.grad_fn).__name__, type(f.grad_fn).__name__,
            x.is_leaf, f.is_leaf, a.grad, f)


def twice(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(m.ones(2))
    y.backward(m.ones(2))


def twice_retained(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    y.backward(m.ones(2), retain_graph=True)
    y.backward(m.ones(2))
    return x.grad


def nonscalar(m):
    (m.tensor([1.0, 2.0], requires_grad=True) * 2).backward()


def inplace_saved(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1
    y = a * a
    a.mul_(2)
    y.backward(m.ones(2))


def inplace_output_saved(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 1).exp()
    y.add_(1)
    y.backward(m.ones(2))


def inplace_nonleaf(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.mul_(3)
    y.add_(x)
    y.backward(m.ones(2))
    return x.grad, type(y.grad_fn).__name__


def inplace_leaf(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.add_(1)


def inplace_leaf_nograd(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    with m.no_grad():
        x.mul_(2)
    (x * x).backward(m.ones(2))
    return x.grad, x.is_leaf


def saved_leaf_modified(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with m.no_grad():
        x.mul_(2)
    y.backward(m.ones(2))


def grad_unused(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    w = m.tensor([3.0, 4.0], requires_grad=True)
    return m.autograd.grad(x * 2, [x, w], grad_outputs=m.ones(2))


def grad_unused_ok(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    w = m.tensor([3.0, 4.0], requires_grad=True)
    return m.autograd.grad(x * 2, [x, w], grad_outputs=m.ones(2), allow_unused=True)


def grad_nonleaf(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    return m.autograd.grad((a * a).tanh(), a, m.ones(2))


def grad_noreq(m):
    return m.autograd.grad(m.ones(2) * 2, m.ones(2), m.ones(2))


def retain(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    a.retain_grad()
    b = a.tanh()
    b.retain_grad()
    (b * a).backward(m.ones(2))
    return a.grad, b.grad, x.grad, a.retains_grad, x.retains_grad


def hooks(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    h = x.register_hook(lambda g: (seen.append(g.tolist()), g * 10)[1])
    a = x * 3
    a.register_hook(lambda g: g + 1)
    a.retain_grad()
    (a * a).backward(m.ones(2))
    r = [x.grad.tolist(), a.grad.tolist(), list(seen)]
    h.remove()
    x.grad = None
    (x * x).backward(m.ones(2))
    return r, x.grad


def hook_returns_none(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    seen = []
    a.register_hook(lambda g: seen.append(g.sum().item()))
    (a * a).backward(m.ones(2))
    return seen, x.grad


def broadcast(m):
    x = m.ones(2, 1, requires_grad=True)
    w = m.ones(3, requires_grad=True)
    b = m.tensor(2.0, requires_grad=True)
    (x * w + b).backward(m.ones(2, 3))
    return x.grad, w.grad, b.grad


def backward_inputs(m):
    x = m.ones(2, requires_grad=True)
    w = m.ones(2, requires_grad=True)
    (x * w * 3).backward(m.ones(2), inputs=[x])
    return x.grad, w.grad


def shape_mismatch(m):
    (m.ones(2, requires_grad=True) * 2).backward(m.ones(3))


def noreq_backward(m):
    (m.ones(2) * 2).backward(m.ones(2))


def deep_chain(m):
    x = m.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0001
    y.backward()
    return x.grad


def shared_grads(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    b = m.tensor([1.0, 2.0], requires_grad=True)
    (a + b).backward(m.ones(2))
    a.grad.numpy()[0] = 100
    return b.grad


def grad_modes(m):
    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        y = x * 2
        with m.enable_grad():
            z = x * 2
    with m.set_grad_enabled(False):
        w = x * 2

    @m.no_grad()
    def f():
        return x * 2

    @m.no_grad
    def g():
        return x * 2
    return (y.requires_grad, z.requires_grad, w.requires_grad, f().requires_grad,
            g().requires_grad, m.is_grad_enabled())


def grad_fn_names(m):
    x = m.ones(2, requires_grad=True)
    exprs = [x + 1, x - 1, 1 - x, x * 2, x / 2, 2 / x, -x, x.exp(), x.tanh(), x.sigmoid(),
             x.double(), x ** 2, x.log(), x.sqrt(), x.abs(), x.relu()]
    return [type(e.grad_fn).__name__ for e in exprs]


def variable(m):
    v = m.autograd.Variable(m.ones(2), requires_grad=True)
    (v * 3).backward(m.ones(2))
    return type(v).__name__, v.grad, v.is_leaf


@pytest.mark.parametrize("fn", [
    chapter4, twice, twice_retained, nonscalar, inplace_saved, inplace_output_saved,
    inplace_nonleaf, inplace_leaf, inplace_leaf_nograd, saved_leaf_modified, grad_unused,
    grad_unused_ok, grad_nonleaf, grad_noreq, retain, hooks, hook_returns_none, broadcast,
    backward_inputs, shape_mismatch, noreq_backward, deep_chain, shared_grads, grad_modes,
    grad_fn_names, variable])
def test_engine_behaviour_matches_torch(fn):
    run_both(fn)


def test_error_messages_match_torch():
    for fn, expect in [(twice, "Trying to backward through the graph a second time"),
                       (nonscalar, "grad can be implicitly created only for scalar outputs"),
                       (inplace_saved, "one of the variables needed for gradient computation "
                                       "has been modified by an inplace operation"),
                       (inplace_leaf, "a leaf Variable that requires grad is being used in an "
                                      "in-place operation."),
                       (grad_unused, "The differentiated Tensor at index 1 appears to not have "
                                     "been used in the graph")]:
        for m in (torch, ember):
            with pytest.raises(RuntimeError, match=expect):
                fn(m)


# ----------------------------------------------------------------------------- custom Functions

def custom_functions(m):
    class MyReLU(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0) if m is torch else x.relu()

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * (x > 0)

    class MyExp(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Affine(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, b):
            ctx.k = k
            ctx.flags = tuple(ctx.needs_input_grad)
            return x * k + b

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None, g
    return MyReLU, MyExp, Affine


@given(st.integers(0, 1000), st.sampled_from(["float32", "float64"]))
@settings(max_examples=25, deadline=None)
def test_custom_functions_match_torch(seed, dtype):
    rng = np.random.default_rng(seed)
    xv, bv = rng.standard_normal((3, 4)), rng.standard_normal(4)
    res = []
    for m in (torch, ember):
        MyReLU, MyExp, Affine = custom_functions(m)
        x = m.tensor(xv, dtype=getattr(m, dtype), requires_grad=True)
        b = m.tensor(bv, dtype=getattr(m, dtype), requires_grad=True)
        y = Affine.apply(MyExp.apply(MyReLU.apply(x) * 0.5), 2.0, b)
        y.backward(m.ones(3, 4, dtype=getattr(m, dtype)))
        res.append((y, x.grad, b.grad, type(y.grad_fn).__name__, y.grad_fn.flags))
    (ty, tx, tb, tn, tf), (ey, ex, eb, en, ef) = res
    d = np.float64 if dtype == "float64" else np.float32
    close(ey, ty, d)
    close(ex, tx, d)
    close(eb, tb, d)
    assert tn == en == "AffineBackward" and tf == ef == (True, False, True)


def test_custom_function_errors_match_torch():
    def wrong_count(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g, g
        Bad.apply(m.ones(2, requires_grad=True)).backward(m.ones(2))

    def wrong_shape(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return m.ones(5)
        Bad.apply(m.ones(2, requires_grad=True)).backward(m.ones(2))

    def no_backward(m):
        class Bad(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        Bad.apply(m.ones(2, requires_grad=True)).backward(m.ones(2))

    def materialized(m):
        seen = []

        class Two(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(g1.tolist())
                return g1 * 2 + g2 * 3
        x = m.ones(2, requires_grad=True)
        Two.apply(x)[1].backward(m.ones(2))
        return seen, x.grad

    for fn in (wrong_count, wrong_shape, no_backward, materialized):
        run_both(fn)


def test_gradcheck_agrees_with_torch():
    rng = np.random.default_rng(0)
    xv = rng.random((2, 3)) + 0.5
    for m in (torch, ember):
        _, MyExp, _ = custom_functions(m)
        x = m.tensor(xv, requires_grad=True)
        assert m.autograd.gradcheck(lambda t: MyExp.apply(t) * t.log(), (x,))

        class Wrong(m.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t)
                return t * t

            @staticmethod
            def backward(ctx, g):
                t, = ctx.saved_tensors
                return g * t
        assert m.autograd.gradcheck(Wrong.apply, (x,), raise_exception=False) is False
