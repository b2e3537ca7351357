"""``import ember`` stays fast and light: NumPy only, no optional package, under 0.25 s."""
import json
import os
import subprocess
import sys

OPTIONAL = ["scipy", "PIL", "pandas", "matplotlib", "tqdm", "sklearn", "torch", "tensorboardX",
            "cupy", "mpi4py", "optuna", "mlxtend"]

_PROBE = (
    "import sys, time, json\n"
    "t = time.perf_counter()\n"
    "import ember\n"
    "dt = time.perf_counter() - t\n"
    "print(json.dumps({'s': dt, 'mods': sorted(m.split('.')[0] for m in sys.modules)}))\n")


def _probe():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                         text=True, check=True, cwd=root)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_is_fast_and_imports_no_optional_package():
    _probe()                                  # first run may compile bytecode
    runs = [_probe() for _ in range(3)]
    assert min(r["s"] for r in runs) < 0.25, [r["s"] for r in runs]
    loaded = set(runs[0]["mods"])
    assert not loaded & set(OPTIONAL), loaded & set(OPTIONAL)
