"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``.

The flag lives in a one-element list that the op hot path reads directly.
"""
import functools
import inspect

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
           "is_inference_mode_enabled"]

_enabled = [True]


def is_grad_enabled():
    """True when ops record the graph for backward."""
    return _enabled[0]


def _wrap_generator(gen_fn, mode):
    """Run each step of a generator in ``mode``, restoring the caller's mode between steps."""
    @functools.wraps(gen_fn)
    def wrapper(*args, **kwargs):
        gen = gen_fn(*args, **kwargs)
        prev = _enabled[0]
        _enabled[0] = mode
        try:
            response = gen.send(None)
        except StopIteration as e:
            return e.value
        finally:
            _enabled[0] = prev
        while True:
            try:
                request = yield response
            except GeneratorExit:
                prev = _enabled[0]
                _enabled[0] = mode
                try:
                    gen.close()
                finally:
                    _enabled[0] = prev
                raise
            except BaseException as exc:
                prev = _enabled[0]
                _enabled[0] = mode
                try:
                    response = gen.throw(exc)
                except StopIteration as e:
                    return e.value
                finally:
                    _enabled[0] = prev
            else:
                prev = _enabled[0]
                _enabled[0] = mode
                try:
                    response = gen.send(request)
                except StopIteration as e:
                    return e.value
                finally:
                    _enabled[0] = prev
    return wrapper


class _GradMode:
    """Base of the grad-mode switches: a context manager and a decorator (functions and
    generator functions; each call runs in the mode, then the caller's mode comes back)."""
    _mode = True

    def __enter__(self):
        self._prev = _enabled[0]
        _enabled[0] = self._mode

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False

    def clone(self):
        return self.__class__()

    def __call__(self, fn):
        mode = self._mode
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(fn, mode)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _enabled[0]
            _enabled[0] = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _enabled[0] = prev
        return wrapper


class _NoParamDecorator(_GradMode):
    """Also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func=None):
        pass


class no_grad(_NoParamDecorator):
    """Record no graph inside the block (inference, optimizer updates)."""
    _mode = False


class enable_grad(_NoParamDecorator):
    """Turn recording back on inside a no_grad block."""
    _mode = True


_inference = [False]


def is_inference_mode_enabled():
    """True inside an ``inference_mode()`` block."""
    return _inference[0]


class inference_mode(_GradMode):
    """Like no_grad (ember has no separate inference tensors); ``inference_mode(False)`` turns
    grad mode back on. Usable bare (``@inference_mode``) or called."""

    def __new__(cls, mode=True):
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self._mode = not mode
        self._inf = bool(mode)

    def __enter__(self):
        self._prev_inf = _inference[0]
        _inference[0] = self._inf
        super().__enter__()

    def __exit__(self, *exc):
        _inference[0] = self._prev_inf
        return super().__exit__(*exc)

    def __call__(self, fn):
        inner = super().__call__(fn)
        if inspect.isgeneratorfunction(fn):
            return inner
        flag = self._inf

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _inference[0]
            _inference[0] = flag
            try:
                return inner(*args, **kwargs)
            finally:
                _inference[0] = prev
        return wrapper


class set_grad_enabled(_GradMode):
    """Set grad mode now; as a context manager, restore the previous mode on exit."""

    def __init__(self, mode):
        self._prev = _enabled[0]
        self._mode = bool(mode)
        _enabled[0] = self._mode

    def __enter__(self):
        pass

    def __call__(self, fn):
        _enabled[0] = self._prev  # used as a decorator: don't change the mode now
        return super().__call__(fn)

    def __exit__(self, *exc):
        _enabled[0] = self._prev
        return False
