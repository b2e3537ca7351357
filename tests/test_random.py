"""Random sampling: shapes, dtypes, ranges, distributions, seeding and generators."""
import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _seed():
    ember.manual_seed(0)
    yield


def test_rand_randn_shapes_dtypes_ranges():
    for args in [(2, 3), ((2, 3),), ([2, 3],)]:
        assert ember.rand(*args).shape == (2, 3)
    r = ember.rand(10000)
    assert r.dtype is ember.float32
    a = r.numpy()
    assert a.min() >= 0 and a.max() < 1 and abs(a.mean() - 0.5) < 0.02
    n = ember.randn(20000)
    assert n.dtype is ember.float32
    assert abs(n.numpy().mean()) < 0.03 and abs(n.numpy().std() - 1) < 0.03
    assert ember.rand(2, dtype=ember.float64).dtype is ember.float64
    assert ember.randn(2, dtype=ember.float16).dtype is ember.float16
    assert ember.randn(()).shape == ()
    c = ember.randn(20000, dtype=ember.complex64)
    assert c.dtype is ember.complex64
    assert abs(np.mean(np.abs(c.numpy()) ** 2) - 1) < 0.05   # unit variance overall
    assert ember.rand(3, requires_grad=True).requires_grad


def test_rand_rejects_integer_dtypes():
    with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
        ember.rand(2, dtype=ember.int64)
    with pytest.raises(NotImplementedError, match="not implemented for 'Int'"):
        ember.randn(2, dtype=ember.int32)
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.rand(-1)


def test_likes():
    src = ember.zeros(2, 3, dtype=ember.float64)
    assert ember.rand_like(src).dtype is ember.float64 and ember.rand_like(src).shape == (2, 3)
    assert ember.randn_like(src).shape == (2, 3)
    r = ember.randint_like(src, 10)
    assert r.dtype is ember.float64 and (r.numpy() >= 0).all() and (r.numpy() < 10).all()
    r = ember.randint_like(ember.zeros(100, dtype=ember.int32), 3, 5)
    assert r.dtype is ember.int32 and set(r.tolist()) <= {3, 4}


def test_randint_forms_and_range():
    t = ember.randint(0, 10, (1000,))
    assert t.dtype is ember.int64 and t.shape == (1000,)
    assert t.numpy().min() >= 0 and t.numpy().max() <= 9
    assert set(t.tolist()) == set(range(10))
    assert ember.randint(10, (3,)).shape == (3,)
    assert ember.randint(3, 10, size=(4, 2)).shape == (4, 2)
    assert ember.randint(high=10, size=(3,)).shape == (3,)
    assert ember.randint(3, 5, (50,)).numpy().min() >= 3
    assert ember.randint(0, 10, (3,), dtype=ember.float32).dtype is ember.float32
    assert ember.randint(-5, -2, (100,)).numpy().max() <= -3


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: ember.randint(5, 2, (3,)), RuntimeError, "from=5 >= to=2"),
    (lambda: ember.randint(0, 10, 3), TypeError, "tuple of ints"),
    (lambda: ember.randint(0, 5.5, (2,)), TypeError, "must be int"),
    (lambda: ember.randint(10), TypeError, "size"),
])
def test_randint_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_randperm():
    p = ember.randperm(50)
    assert p.dtype is ember.int64 and sorted(p.tolist()) == list(range(50))
    assert p.tolist() != list(range(50))
    assert ember.randperm(5, dtype=ember.float32).dtype is ember.float32
    assert ember.randperm(0).shape == (0,)


def test_normal_forms():
    t = ember.normal(ember.zeros(3), ember.ones(3))
    assert t.shape == (3,) and t.dtype is ember.float32
    assert ember.normal(ember.zeros(3, 2), 1.0).shape == (3, 2)
    assert ember.normal(0.0, ember.ones(3)).shape == (3,)
    assert ember.normal(2, 3, (5,)).shape == (5,)
    assert ember.normal(0.0, 1.0, size=(2, 2)).dtype is ember.float32
    assert ember.normal(ember.zeros(3, 1), ember.ones(1, 4)).shape == (3, 4)
    assert ember.normal(ember.zeros(3, dtype=ember.float64), ember.ones(3)).dtype \
        is ember.float64
    big = ember.normal(5.0, 2.0, size=(20000,)).numpy()
    assert abs(big.mean() - 5) < 0.06 and abs(big.std() - 2) < 0.06
    per = ember.normal(ember.tensor([0.0, 100.0]), ember.tensor([0.0, 0.0]))
    assert per.tolist() == [0.0, 100.0]          # std 0 gives the mean exactly


@pytest.mark.parametrize("call, exc, msg", [
    (lambda: ember.normal(ember.zeros(3), -ember.ones(3)), RuntimeError,
     "all elements of std >= 0.0"),
    (lambda: ember.normal(0.0, -1.0, (3,)), RuntimeError, "std >= 0.0, but found std -1"),
    (lambda: ember.normal(0.0, 1.0), TypeError, "size"),
    (lambda: ember.normal(ember.zeros(2, dtype=ember.int64), 1.0), NotImplementedError,
     "Long"),
    (lambda: ember.normal(ember.zeros(2), ember.ones(3)), RuntimeError, "size of tensor"),
])
def test_normal_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_samplers_give_zero_gradient_to_parameters():
    mu = ember.zeros(3, requires_grad=True)
    y = ember.normal(mu, 1.0)
    assert type(y.grad_fn).__name__ == "NormalBackward1"
    y.sum().backward()
    assert mu.grad.tolist() == [0.0, 0.0, 0.0]
    p = ember.full((3,), 0.5, requires_grad=True)
    b = ember.bernoulli(p)
    assert type(b.grad_fn).__name__ == "BernoulliBackward0"
    b.backward(ember.ones(3))
    assert p.grad.tolist() == [0.0, 0.0, 0.0]
    assert not ember.multinomial(ember.tensor([0.5, 0.5], requires_grad=True), 1).requires_grad


def test_bernoulli():
    t = ember.bernoulli(ember.tensor([0.0, 1.0, 1.0, 0.0]))
    assert t.tolist() == [0.0, 1.0, 1.0, 0.0] and t.dtype is ember.float32
    assert ember.bernoulli(ember.zeros(3), p=1.0).tolist() == [1.0, 1.0, 1.0]
    assert ember.bernoulli(ember.full((3,), 0.5, dtype=ember.float64)).dtype is ember.float64
    freq = ember.bernoulli(ember.full((20000,), 0.3)).numpy().mean()
    assert abs(freq - 0.3) < 0.02
    assert ember.full((4,), 0.5).bernoulli().shape == (4,)
    with pytest.raises(RuntimeError, match="p_in >= 0 && p_in <= 1"):
        ember.bernoulli(ember.tensor([1.5]))
    with pytest.raises(NotImplementedError, match="Long"):
        ember.bernoulli(ember.ones(2, dtype=ember.int64))


def test_multinomial_with_and_without_replacement():
    w = ember.tensor([0.0, 10.0, 0.0, 30.0])
    s = ember.multinomial(w, 4000, replacement=True)
    assert s.dtype is ember.int64 and s.shape == (4000,)
    counts = np.bincount(s.numpy(), minlength=4)
    assert counts[0] == 0 and counts[2] == 0          # zero weight: never drawn
    assert abs(counts[3] / 4000 - 0.75) < 0.03
    s = ember.multinomial(w, 2)
    assert sorted(s.tolist()) == [1, 3]
    rows = ember.tensor([[0.2, 0.8, 0.0], [1.0, 1.0, 1.0]])
    s = ember.multinomial(rows, 2)
    assert s.shape == (2, 2)
    assert len(set(s.tolist()[1])) == 2 and 2 not in s.tolist()[0]
    # more samples than non-zero weights: zero-weight categories come last, as torch
    s = ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 3)
    assert s.tolist()[0] == 1 and sorted(s.tolist()) == [0, 1, 2]
    assert ember.tensor([1.0, 2.0]).multinomial(1).shape == (1,)
    # a few hundred draws without replacement follow the weights
    firsts = [ember.multinomial(ember.tensor([1.0, 3.0]), 1).item() for _ in range(400)]
    assert 0.65 < np.mean(firsts) < 0.85


@pytest.mark.parametrize("w, n, kw, msg", [
    ([0.2, 0.8], 3, {}, "cannot sample n_sample > prob_dist.size"),
    ([0.2, 0.8], 0, {}, "n_sample <= 0"),
    ([-1.0, 1.0], 1, {}, "element < 0"),
    ([float("nan"), 1.0], 1, {}, "`nan`"),
    ([0.0, 0.0], 1, {}, "sum of probabilities <= 0"),
    ([[[1.0]]], 1, {}, "1 or 2 dim"),
])
def test_multinomial_errors(w, n, kw, msg):
    with pytest.raises(RuntimeError, match=msg):
        ember.multinomial(ember.tensor(w), n, **kw)
    with pytest.raises(RuntimeError, match="floating-point"):
        ember.multinomial(ember.tensor([1, 2]), 1)


def test_manual_seed_reproducibility():
    ember.manual_seed(123)
    a = [ember.rand(3).tolist(), ember.randn(2).tolist(), ember.randint(0, 100, (3,)).tolist(),
         ember.randperm(5).tolist(), ember.multinomial(ember.ones(4), 2).tolist()]
    ember.manual_seed(123)
    b = [ember.rand(3).tolist(), ember.randn(2).tolist(), ember.randint(0, 100, (3,)).tolist(),
         ember.randperm(5).tolist(), ember.multinomial(ember.ones(4), 2).tolist()]
    assert a == b
    ember.manual_seed(124)
    assert ember.rand(3).tolist() != a[0]
    assert ember.initial_seed() == 124
    assert isinstance(ember.manual_seed(0), ember.Generator)


def test_generator_is_independent_of_global_state():
    g = ember.Generator().manual_seed(7)
    a = ember.rand(4, generator=g).tolist()
    ember.rand(10)                                     # global draws don't touch g
    g2 = ember.Generator().manual_seed(7)
    assert ember.rand(4, generator=g2).tolist() == a
    assert g.initial_seed() == 7
    ember.manual_seed(5)
    x = ember.rand(3).tolist()
    ember.manual_seed(5)
    ember.rand(3, generator=ember.Generator().manual_seed(99))
    assert ember.rand(3).tolist() == x


def test_rng_state_roundtrip_is_plain_bytes():
    s = ember.get_rng_state()
    assert s.dtype is ember.uint8 and s.dim() == 1
    x = ember.randn(5).tolist()
    ember.set_rng_state(s)
    assert ember.randn(5).tolist() == x
    g = ember.Generator()
    st = g.get_state()
    y = ember.rand(3, generator=g).tolist()
    g.set_state(st)
    assert ember.rand(3, generator=g).tolist() == y
    with pytest.raises(RuntimeError, match="RNG state"):
        ember.set_rng_state(ember.zeros(3, dtype=ember.uint8))
    ember.set_rng_state(s)
    with ember.random.fork_rng():   # draws inside leave the outer state untouched
        ember.rand(100)
    assert ember.randn(5).tolist() == x


def test_inplace_samplers():
    t = ember.zeros(1000)
    assert t.uniform_(-2, 3) is t
    a = t.numpy()
    assert a.min() >= -2 and a.max() < 3 and a.min() < -1.5
    v = t._version_counter
    t.normal_(10, 0.1)
    assert abs(t.numpy().mean() - 10) < 0.05
    assert t._version_counter == v + 1
    r = ember.zeros(500).random_(0, 4)
    assert set(r.tolist()) == {0.0, 1.0, 2.0, 3.0}
    assert set(ember.zeros(300, dtype=ember.int64).random_(3).tolist()) == {0, 1, 2}
    assert ember.zeros(3, dtype=ember.int32).random_().dtype is ember.int32
    assert (ember.zeros(500).exponential_(2.0).numpy() > 0).all()
    assert set(ember.zeros(200).bernoulli_(0.5).tolist()) == {0.0, 1.0}
    assert (ember.zeros(100).geometric_(0.5).numpy() >= 1).all()
    assert (ember.zeros(100).log_normal_().numpy() > 0).all()
    assert ember.zeros(10).cauchy_().shape == (10,)


def test_inplace_sampler_autograd_rules():
    w = ember.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.uniform_()
    with ember.no_grad():
        w.uniform_(-1, 1)
    assert w.requires_grad and w.is_leaf and (w.numpy(force=True) != 0).any()
    x = ember.ones(3, requires_grad=True)
    y = x * 2
    y.normal_()
    assert type(y.grad_fn).__name__ == "NormalBackward0"
    y.backward(ember.ones(3))
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
