"""erf, erfc and erfinv kernels on arrays.

SciPy's ``scipy.special`` does the work when it can be imported (looked up lazily, so
``import ember`` never loads SciPy); otherwise a NumPy implementation — Chebyshev expansions and
Halley steps, accurate to a few ulp in float64 — takes over.
"""
import math

import numpy as np

from ..backend import xp

_PI = math.pi


_special = [None]   # scipy.special once looked up, False when unavailable (tests force this)


def _scipy_special():
    s = _special[0]
    if s is None:
        try:
            import scipy.special as s
        except ImportError:
            s = False
        _special[0] = s
    return s


# Chebyshev coefficients, computed with mpmath at 40 digits by interpolation at Chebyshev
# nodes: erf(x)/x in u = 2x^2 - 1 for |x| < 1, and erfcx(x) = exp(x^2) erfc(x) in
# s = (4t - 1)/3 with t = (x - 3)/(x + 3) for x >= 1 (maps [1, inf) onto [-1, 1]).
_ERF_SMALL = (
    0.9754769393826541, -0.14226120510371365, 0.010035582187599796, -0.0005768764699767485,
    2.741993125219606e-05, -1.1043175507344507e-06, 3.8488755420345036e-08,
    -1.1808582533875466e-09, 3.2334215826050907e-11, -7.991015947004549e-13,
    1.7990725113961456e-14, -3.718635487818693e-16, 7.103599003714253e-18,
    -1.2612455119155226e-19)
_ERFCX_LARGE = (
    0.16030782168013577, -0.20248368350212123, 0.05152037301577461, -0.011044817039448143,
    0.001940661027236712, -0.00026305237656550323, 2.320082286685405e-05,
    -2.674122228955668e-07, -2.698235597618644e-07, 3.293601879636265e-08,
    1.3348627906379942e-09, -6.965402129676096e-10, 2.163947580200648e-11,
    1.324104198534484e-11, -1.0858490940440946e-12, -2.716491479516023e-13,
    3.383474818226137e-14, 6.479835658997927e-15, -9.66810407384418e-16,
    -1.8377022518077007e-16, 2.6753933134154895e-17, 6.0409698802994015e-18,
    -6.967362713982379e-19)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _cheb(c, s):
    """Clenshaw evaluation of sum c[k] T_k(s)."""
    b1 = b2 = 0.0
    s2 = 2.0 * s
    for ck in c[:0:-1]:
        b1, b2 = s2 * b1 - b2 + ck, b1
    return s * b1 - b2 + c[0]


def _erf_small(x):
    return x * _cheb(_ERF_SMALL, 2.0 * x * x - 1.0)


def _erfc_large(x):
    """erfc(x) for x >= 1 as exp(-x^2) erfcx(x); x^2 is split so exp loses no accuracy."""
    x = xp.minimum(x, 28.0)   # erfc underflows to 0 long before; keeps inf out of t
    t = (x - 3.0) / (x + 3.0)
    r = _cheb(_ERFCX_LARGE, (4.0 * t - 1.0) / 3.0)
    xh = xp.round(x * 1048576.0) / 1048576.0   # xh * xh is exact in float64
    return xp.exp(-xh * xh) * xp.exp(-(x - xh) * (x + xh)) * r


def _erf_np(x):
    x = xp.asarray(x, dtype=xp.float64)
    ax = xp.abs(x)
    small = ax < 1.0
    out = xp.empty_like(x)
    out[small] = _erf_small(x[small])
    big = ~small
    out[big] = xp.copysign(1.0 - _erfc_large(ax[big]), x[big])
    return out


def _erfc_np(x):
    x = xp.asarray(x, dtype=xp.float64)
    ax = xp.abs(x)
    small = ax < 1.0
    out = xp.empty_like(x)
    out[small] = 1.0 - _erf_small(x[small])
    big = ~small
    e = _erfc_large(ax[big])
    out[big] = xp.where(x[big] < 0, 2.0 - e, e)
    return out


def _erfinv_np(y):
    """Inverse of erf: a close start, then Halley steps on erf (or on erfc in the tails, where
    1 - |y| is exact and keeps full relative accuracy)."""
    y = xp.asarray(y, dtype=xp.float64)
    a = xp.abs(y)
    q = 1.0 - a
    with np.errstate(all="ignore"):
        a2 = a * a   # start for |y| <= 0.5: the Maclaurin series of erfinv
        p = _PI
        x0 = (math.sqrt(p) / 2) * a * (1 + a2 * (p / 12 + a2 * (7 * p ** 2 / 480 + a2 * (
            127 * p ** 3 / 40320 + a2 * (4369 * p ** 4 / 5806080)))))
        ln = xp.log(q) + xp.log(2.0 - q)   # start for the tails: Winitzki's formula
        f = 2.0 / (_PI * 0.147) + ln / 2
        x1 = xp.sqrt(xp.sqrt(f * f - ln / 0.147) - f)
        tail = a > 0.5
        x = xp.where(tail, x1, x0)
        for _ in range(3):
            fx = xp.where(tail, q - _erfc_np(x), _erf_np(x) - a)   # erf(x) - |y|
            u = fx / (_TWO_OVER_SQRT_PI * xp.exp(-x * x))
            x = x - u / (1.0 + x * u)
        x = xp.where(a == 1.0, xp.inf, x)
        x = xp.where(a > 1.0, xp.nan, x)
    return xp.copysign(x, y)


def erf_array(a):
    """erf of a float array, in its dtype."""
    s = _scipy_special()
    r = s.erf(a) if s else _erf_np(a)
    return xp.asarray(r).astype(a.dtype, copy=False)


def erfc_array(a):
    """erfc of a float array, in its dtype."""
    s = _scipy_special()
    r = s.erfc(a) if s else _erfc_np(a)
    return xp.asarray(r).astype(a.dtype, copy=False)


def erfinv_array(a):
    """erfinv of a float array, in its dtype (±inf at ±1, NaN outside [-1, 1])."""
    s = _scipy_special()
    if s:
        with np.errstate(all="ignore"):
            r = s.erfinv(a)
    else:
        r = _erfinv_np(a)
    return xp.asarray(r).astype(a.dtype, copy=False)
