"""The README's two set-up commands, run as a new user would: in a fresh virtual environment,
from a copy of the source tree.

The first installs ember with the book extra and runs the main job (``ember run ch6-mnist``);
the second installs the test extra and runs this test suite there. That inner run skips this
test (``EMBER_README_INNER``), so it does not recurse. Slow (a few minutes: it installs
PyTorch into the new environment and runs the suite twice) but part of CI: a README whose
commands stop working is a broken front door.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INNER = "EMBER_README_INNER"

pytestmark = pytest.mark.slow


def setup_commands(readme_text):
    """The fenced commands of the README's "Set-up" section, in order."""
    m = re.search(r"^## Set-up.*?$(.*?)(?=^## )", readme_text, re.M | re.S)
    if m is None:
        raise AssertionError("README has no '## Set-up' section")
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", m.group(1), re.M | re.S)
    return [b.strip() for b in blocks]


def test_setup_section_names_the_main_job_and_the_tests():
    with open(os.path.join(ROOT, "README.md")) as f:
        cmds = setup_commands(f.read())
    assert len(cmds) == 2, cmds
    assert "pip install" in cmds[0] and "ember run ch6-mnist" in cmds[0]
    assert "pip install" in cmds[1] and "pytest" in cmds[1]
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        assert cmds[1] in f.read(), ".ci/run must call exactly the README's test command"


def _copy_source(dst):
    """The files a fresh clone would have (git's tracked files; the tree less build output and
    runs when this is not a git checkout)."""
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = None
    if not files:
        shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(
            ".git", "runs", "build", "*.egg-info", "__pycache__", ".pytest_cache"))
        return
    for rel in files:
        src = os.path.join(ROOT, rel)
        if not os.path.isfile(src):       # deleted in the work tree but not yet committed
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, rel)) or dst, exist_ok=True)
        shutil.copy2(src, os.path.join(dst, rel))


def _run(cmd, cwd, env, timeout):
    t0 = time.perf_counter()
    p = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=timeout, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - t0
    out = p.stdout + p.stderr
    if p.returncode != 0:
        # pip's "Location ... is ignored" lines about the local package index are noise here
        shown = "\n".join(line for line in out.splitlines() if "is ignored: it is" not in line)
        raise AssertionError(f"`{cmd}` exited {p.returncode} after {took:.0f} s:\n"
                             f"{shown[-8000:]}")
    return p.stdout, took


@pytest.mark.skipif(os.environ.get(INNER) == "1", reason="the inner run of this very test")
def test_readme_setup_commands_in_a_fresh_virtualenv(tmp_path):
    with open(os.path.join(ROOT, "README.md")) as f:
        main_job, tests = setup_commands(f.read())
    src = tmp_path / "ember"
    _copy_source(str(src))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(str(env_dir))
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               VIRTUAL_ENV=str(env_dir), PYTHONNOUSERSITE="1", **{INNER: "1"})

    out, took = _run(main_job, str(src), env, timeout=1200)
    metrics_files = glob.glob(str(src / "runs" / "ch6-mnist-*" / "metrics.json"))
    assert len(metrics_files) == 1, out[-3000:]
    with open(metrics_files[0]) as f:
        metrics = json.load(f)
    assert metrics["val_accuracy"] >= 0.955, metrics["val_accuracy"]
    assert "validation accuracy" in out
    run_dir = os.path.dirname(metrics_files[0])        # every artefact the README promises
    for name in ("history.csv", "best_model.pt", "confusion_matrix.png", "samples.png",
                 "learning_curves.png"):
        assert os.path.getsize(os.path.join(run_dir, name)) > 0, name
    assert glob.glob(os.path.join(run_dir, "tensorboard", "events.out.tfevents.*")), out[-2000:]
    assert took < 300, f"the main job (install included) took {took:.0f} s; the bar is 5 minutes"
    print(f"main job: {took:.0f} s, val accuracy {metrics['val_accuracy']:.4f}", file=sys.stderr)

    # the new environment's Python must be the one that runs ember, not ours
    where = subprocess.run([str(env_dir / "bin" / "python"), "-c",
                            "import ember; print(ember.__file__)"], env=env, cwd=str(tmp_path),
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(env_dir)), where

    out, took = _run(tests, str(src), env, timeout=3000)
    last = [line for line in out.strip().splitlines() if line.strip()][-1]   # pytest's summary
    assert re.search(r"\d+ passed", last) and "failed" not in last and "error" not in last, last
    print(f"test command: {took:.0f} s: {last}", file=sys.stderr)
