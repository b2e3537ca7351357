"""The allocator policy applied at import (ember/backend/memory.py)."""
import os
import subprocess
import sys

import pytest

from ember.backend import memory

_GLIBC = sys.platform.startswith("linux") and os.path.exists("/lib/x86_64-linux-gnu/libc.so.6") \
    or sys.platform.startswith("linux") and os.path.exists("/lib/aarch64-linux-gnu/libc.so.6")


def _tuned_in_subprocess(env_value):
    env = dict(os.environ)
    if env_value is None:
        env.pop("EMBER_MALLOC_TUNE", None)
    else:
        env["EMBER_MALLOC_TUNE"] = env_value
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-c",
                          "import ember.backend.memory as m; print(m.tuned)"],
                         env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_thresholds_are_ordered():
    assert memory.MMAP_THRESHOLD <= memory.TRIM_THRESHOLD


@pytest.mark.skipif(not _GLIBC, reason="mallopt tuning applies to glibc on Linux only")
def test_applied_on_import_and_switchable_off():
    assert _tuned_in_subprocess(None) == "True"
    assert _tuned_in_subprocess("0") == "False"
