"""Run unchanged PyTorch code on ember: ``import torch`` (and torchvision, legacy torchtext)
resolves to ember's modules.

Nothing here is active on ``import ember``. ``ember exec script.py`` turns the alias on for the
script; in Python call ``ember.compat.install_torch_alias()`` (undo with
``uninstall_torch_alias()``) or use ``with ember.compat.torch_alias(): ...``.

Mapping (by longest prefix; submodules follow their parent)::

    torch            -> ember             torch.nn.utils.rnn -> ember.nn.utils.rnn
    torchvision      -> ember.vision      torchvision.models -> ember.vision.models
    torchtext        -> ember.text        torchtext.legacy   -> ember.text

A name ember lacks fails loudly -- ``AttributeError``/``ModuleNotFoundError`` saying
"torch.xyz is not supported by ember yet" -- and never falls back to a real PyTorch install:
while the alias is on, the finder sits first on ``sys.meta_path`` and any ``torch*`` modules
already imported are set aside (and restored on uninstall).
"""
import contextlib
import importlib
import importlib.abc
import importlib.util
import sys
import types

__all__ = ["install_torch_alias", "uninstall_torch_alias", "torch_alias", "is_installed",
           "ember_name", "UNSUPPORTED"]

UNSUPPORTED = "is not supported by ember yet"

# alias prefix -> ember module, longest prefix first
_PREFIXES = (
    ("torchtext.legacy", "ember.text"),
    ("torchtext", "ember.text"),
    ("torchvision", "ember.vision"),
    ("torch", "ember"),
)
_ROOTS = ("torch", "torchvision", "torchtext")


def ember_name(alias):
    """The ember module that the PyTorch-family module name ``alias`` maps to, or None."""
    for prefix, target in _PREFIXES:
        if alias == prefix or alias.startswith(prefix + "."):
            return target + alias[len(prefix):]
    return None


def _is_aliased_name(name):
    root = name.partition(".")[0]
    return root in _ROOTS


def _has_submodule(module, name):
    if not hasattr(module, "__path__"):
        return False
    try:
        return importlib.util.find_spec(f"{module.__name__}.{name}") is not None
    except ImportError:
        return False


class _AliasModule(types.ModuleType):
    """A module object named like PyTorch's (``torch.nn``) that forwards to an ember module.

    Attributes are looked up on the ember module (and cached); ember submodules come back as
    their aliases so that ``torch.nn`` and ``import torch.nn`` are the same object; a name the
    ember module lacks raises ``AttributeError`` naming it.
    """

    def __getattr__(self, name):
        d = self.__dict__
        target = d.get("_ember_target")
        if target is None or (name.startswith("__") and name.endswith("__") and name != "__all__"):
            raise AttributeError(f"module {d.get('__name__')!r} has no attribute {name!r}")
        alias = d["__name__"]
        try:
            value = getattr(target, name)
        except AttributeError:
            if name == "__all__":
                value = [n for n in dir(target) if not n.startswith("_")]
            elif _has_submodule(target, name):
                value = importlib.import_module(f"{alias}.{name}")
                d[name] = value
                return value
            else:
                raise AttributeError(f"{alias}.{name} {UNSUPPORTED} (module {alias!r} has no "
                                     f"attribute {name!r})") from None
        if isinstance(value, types.ModuleType) and not isinstance(value, _AliasModule):
            if getattr(value, "__name__", None) == f"{target.__name__}.{name}":
                value = importlib.import_module(f"{alias}.{name}")
        d[name] = value
        return value

    def __setattr__(self, name, value):
        d = self.__dict__
        target = d.get("_ember_target")
        if (target is not None and not (name.startswith("__") and name.endswith("__"))
                and not isinstance(value, _AliasModule) and hasattr(target, name)):
            setattr(target, name, value)      # a flag such as torch.x.y = ... reaches ember
            d.pop(name, None)
            return
        d[name] = value

    def __dir__(self):
        target = self.__dict__.get("_ember_target")
        return sorted(set(self.__dict__) | set(dir(target) if target is not None else ()))

    def __repr__(self):
        target = self.__dict__.get("_ember_target")
        return f"<module {self.__name__!r} (ember alias of {target.__name__!r})>"


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target_name):
        self.target_name = target_name

    def create_module(self, spec):
        target = importlib.import_module(self.target_name)
        mod = _AliasModule(spec.name, target.__doc__)
        mod.__dict__["_ember_target"] = target
        if getattr(target, "__file__", None):
            mod.__dict__["__file__"] = target.__file__
        mod.__dict__["__version__"] = getattr(target, "__version__", None) or \
            sys.modules["ember"].__version__
        return mod

    def exec_module(self, module):
        pass


class _TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch``, ``torchvision``, ``torchtext`` and their submodules in ember."""

    def find_spec(self, fullname, path=None, target=None):
        target_name = ember_name(fullname)
        if target_name is None:
            return None
        try:
            found = importlib.util.find_spec(target_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            # no name=: ``from torch import nosuch`` would otherwise swallow this message
            raise ModuleNotFoundError(f"No module named {fullname!r}: {fullname} {UNSUPPORTED}")
        return importlib.util.spec_from_loader(fullname, _AliasLoader(target_name),
                                               is_package=True)


_state = {"finder": None, "stash": {}}


def is_installed():
    """True while ``import torch`` resolves to ember."""
    return _state["finder"] is not None


def install_torch_alias():
    """Make ``import torch`` / ``torchvision`` / ``torchtext`` give ember's modules until
    ``uninstall_torch_alias()``. Real PyTorch modules already imported are set aside."""
    if _state["finder"] is not None:
        return
    import ember  # noqa: F401  (the alias targets need the package)
    stash = {}
    for name in list(sys.modules):
        if _is_aliased_name(name):
            stash[name] = sys.modules.pop(name)
    finder = _TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    _state["finder"], _state["stash"] = finder, stash
    importlib.invalidate_caches()


def uninstall_torch_alias():
    """Undo ``install_torch_alias()``: drop the alias modules and restore what was set aside."""
    finder = _state["finder"]
    if finder is None:
        return
    if finder in sys.meta_path:
        sys.meta_path.remove(finder)
    for name in list(sys.modules):
        if _is_aliased_name(name) and isinstance(sys.modules[name], _AliasModule):
            del sys.modules[name]
    sys.modules.update(_state["stash"])
    _state["finder"], _state["stash"] = None, {}
    importlib.invalidate_caches()


@contextlib.contextmanager
def torch_alias():
    """``with torch_alias(): import torch`` -- the alias for the duration of the block only."""
    already = is_installed()
    install_torch_alias()
    try:
        yield
    finally:
        if not already:
            uninstall_torch_alias()
