"""The ``ember`` command: recipes, run, exec, info, --version; errors are one line, never a
traceback. Both ``python -m ember`` subprocesses and ``ember.cli.main([...])`` in process."""
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import types

import numpy as np
import pytest

import ember
from ember import cli, recipes

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ember_cmd(*args, cwd, timeout=120):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("EMBER_DEBUG", None)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")    # busy 2-core CI: threaded BLAS spins
    return subprocess.run([sys.executable, "-m", "ember", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def one_line_error(proc_or_err):
    err = proc_or_err if isinstance(proc_or_err, str) else proc_or_err.stderr
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ------------------------------------------------------------------ subprocess: python -m ember

def test_version(tmp_path):
    p = ember_cmd("--version", cwd=tmp_path)
    assert p.returncode == 0 and p.stdout.strip() == f"ember {ember.__version__}"


def test_recipes_lists_name_description_and_data(tmp_path):
    p = ember_cmd("recipes", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    from ember.recipes import ch4_autograd
    assert re.search(r"^ch4-autograd\s+" + re.escape(ch4_autograd.DESCRIPTION), p.stdout, re.M)
    assert "data: " + ch4_autograd.DEFAULT_DATA in p.stdout


def test_info(tmp_path):
    p = ember_cmd("info", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert f"ember   {ember.__version__}" in out
    assert f"numpy   {np.__version__}" in out
    assert re.search(r"^python  \d+\.\d+\.\d+", out, re.M)
    assert re.search(r"^BLAS    \S+", out, re.M) and "unknown" not in out.split("BLAS")[1][:20]
    assert re.search(r"^threads .*\d+ CPUs", out, re.M)
    assert re.search(r"^devices cpu", out, re.M)


def test_run_recipe_subprocess_default_out(tmp_path):
    p = ember_cmd("run", "ch4-autograd", "--quick", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    outs = list((tmp_path / "runs").iterdir())
    assert len(outs) == 1 and re.fullmatch(r"ch4-autograd-\d{8}-\d{6}", outs[0].name)
    metrics = json.loads((outs[0] / "metrics.json").read_text())
    assert metrics["grads"] == {"x": 3.0, "y": 3.0, "z": -1.0}
    assert f"results in runs{os.sep}{outs[0].name}" in p.stdout


@pytest.mark.parametrize("args, pattern", [
    (["run", "nosuch"], r"unknown recipe 'nosuch' \(available: .*ch4-autograd"),
    (["run", "ch4-autograd", "--epochs", "many"], r"argument --epochs: invalid int value"),
    (["run", "ch4-autograd", "--bogus"], r"unrecognized arguments: --bogus"),
    (["run", "ch4-autograd", "--device", "cuda"], r"device 'cuda' is not available"),
    (["exec", "missing.py"], r"ember exec: error: no such file: missing.py"),
    (["frobnicate"], r"invalid choice: 'frobnicate'"),
])
def test_errors_are_one_line_nonzero(tmp_path, args, pattern):
    p = ember_cmd(*args, cwd=tmp_path)
    assert p.returncode != 0
    assert re.search(pattern, one_line_error(p))


# ------------------------------------------------------------------ in process: main([...])

def test_main_version_and_help(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"ember {ember.__version__}"
    assert cli.main([]) == 2
    assert "recipes" in capsys.readouterr().out
    assert cli.main(["run", "ch4-autograd", "--help"]) == 0
    out = capsys.readouterr().out
    for opt in ("--epochs", "--batch-size", "--lr", "--seed", "--out", "--device", "--quick",
                "--x", "--point"):
        assert opt in out
    assert cli.main(["run"]) == 2 and "usage: ember run NAME" in capsys.readouterr().err


def test_main_run_writes_metrics(tmp_path, capsys):
    out = tmp_path / "o"
    assert cli.main(["run", "ch4-autograd", "--out", str(out), "--seed", "3"]) == 0
    assert (out / "metrics.json").exists()
    assert f"results in {out}" in capsys.readouterr().out


def _fake_recipe(run):
    def add_arguments(parser):
        parser.add_argument("--csv")
        parser.set_defaults(epochs=7, lr=0.5)
    return types.SimpleNamespace(NAME="fake", DESCRIPTION="a fake", DEFAULT_DATA="nothing",
                                 add_arguments=add_arguments, run=run)


@pytest.fixture
def fake(monkeypatch):
    """Install a fake recipe whose run() is given by the test."""
    holder = {}

    def get(name):
        if name != "fake":
            raise KeyError(name)
        return holder["recipe"]
    monkeypatch.setattr(recipes, "get", get)
    monkeypatch.delenv("EMBER_DEBUG", raising=False)

    def make(run):
        holder["recipe"] = _fake_recipe(run)
    return make


def test_run_passes_common_options_and_recipe_defaults(fake, tmp_path, capsys):
    seen = {}

    def run(args):
        seen.update(vars(args))
        seen["draw"] = float(ember.rand(1))
        return {"acc": np.float32(0.5), "curve": np.arange(3)}
    fake(run)
    out = tmp_path / "f"
    assert cli.main(["run", "fake", "--out", str(out), "--seed", "5", "--csv", "a.csv",
                     "--batch-size", "32", "--quick"]) == 0
    assert seen["epochs"] == 7 and seen["lr"] == 0.5 and seen["batch_size"] == 32
    assert seen["seed"] == 5 and seen["quick"] and seen["csv"] == "a.csv"
    assert seen["device"] == "cpu" and seen["out"] == str(out) and seen["recipe"] == "fake"
    ember.manual_seed(5)
    assert seen["draw"] == float(ember.rand(1))            # the CLI seeded ember
    # the recipe returned metrics without writing them: the CLI writes metrics.json
    assert json.loads((out / "metrics.json").read_text()) == {"acc": 0.5, "curve": [0, 1, 2]}


@pytest.mark.parametrize("exc, pattern, code", [
    (recipes.RecipeError("column 'nosuchcolumn' is not in data.csv (columns: a, b)"),
     r"^ember run fake: error: column 'nosuchcolumn' is not in data.csv \(columns: a, b\)$", 1),
    (FileNotFoundError(2, "No such file or directory", "missing.csv"),
     r"^ember run fake: error: no such file: missing.csv$", 1),
    (ModuleNotFoundError("No module named 'pandas'", name="pandas"),
     r"needs the optional package 'pandas' \(pip install 'ember\[book\]'\)$", 1),
    (ValueError("could not convert 'abc' in column 'age' to float"),
     r"^ember run fake: error: could not convert 'abc' in column 'age' to float$", 1),
    (RuntimeError("mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
     r"RuntimeError: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\) "
     r"\(EMBER_DEBUG=1 shows the traceback\)$", 1),
    (KeyboardInterrupt(), r"^ember run fake: interrupted$", 130),
])
def test_recipe_errors_are_one_line(fake, tmp_path, capsys, exc, pattern, code):
    def run(args):
        raise exc
    fake(run)
    assert cli.main(["run", "fake", "--out", str(tmp_path / "x")]) == code
    cap = capsys.readouterr()
    assert re.search(pattern, one_line_error(cap.err))


def test_ember_debug_shows_the_traceback(fake, tmp_path, monkeypatch):
    def run(args):
        raise RuntimeError("boom")
    fake(run)
    monkeypatch.setenv("EMBER_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        cli.main(["run", "fake", "--out", str(tmp_path / "x")])


# ------------------------------------------------------------------ exec

def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return str(path)


def test_exec_in_process_argv_exit_code_and_cleanup(tmp_path, capsys):
    from ember import compat
    script = _write(tmp_path, "s.py", """
        import sys
        import torch
        import helper_mod                  # the script's folder is on sys.path
        print("argv", sys.argv[1:], type(torch.zeros(2)).__module__, helper_mod.X)
        sys.exit(int(sys.argv[1]))
    """)
    _write(tmp_path, "helper_mod.py", "X = 42\n")
    argv, path = list(sys.argv), list(sys.path)
    assert cli.main(["exec", script, "3", "--flag"]) == 3
    assert "argv ['3', '--flag'] ember.tensor 42" in capsys.readouterr().out
    assert sys.argv == argv and sys.path == path and not compat.is_installed()
    sys.modules.pop("helper_mod", None)


def test_exec_unsupported_is_one_line_with_location(tmp_path, capsys):
    script = _write(tmp_path, "u.py", """
        import torch
        x = torch.ones(2)
        f = torch.fft.fft(x)
    """)
    assert cli.main(["exec", script]) == 1
    line = one_line_error(capsys.readouterr().err)
    assert line == (f"ember exec: {script}:4: torch.fft is not supported by ember yet "
                    "(module 'torch' has no attribute 'fft')")


def test_exec_script_bug_shows_the_scripts_traceback_only(tmp_path, capsys):
    script = _write(tmp_path, "b.py", """
        def f():
            raise ValueError("bad value in script")
        f()
    """)
    assert cli.main(["exec", script]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: bad value in script" in err
    assert f'File "{script}", line 4' in err
    assert "runpy" not in err and "cli.py" not in err


BOOK_CH3_CH4 = """
    import math
    import numpy as np
    import torch
    import torch.nn as nn
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=1250, centers=2, n_features=64, cluster_std=10,
                      random_state=2020)
    X = torch.from_numpy(X).float()
    y = torch.from_numpy(y.reshape(-1, 1)).float()
    X_train, y_train, X_test, y_test = X[:1000], y[:1000], X[1000:], y[1000:]
    print(X_train.shape, X_train.dtype)


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(2020)
            self.fc1 = nn.Linear(64, 256)
            self.relu1 = nn.ReLU()
            self.fc2 = nn.Linear(256, 1024)
            self.relu2 = nn.ReLU()
            self.out = nn.Linear(1024, 1)
            self.final = nn.Sigmoid()

        def forward(self, x):
            x = self.relu1(self.fc1(x))
            x = self.relu2(self.fc2(x))
            return self.final(self.out(x))


    def train(model, optimizer, loss_fn, epochs=10, batch_size=64):
        model.train()
        for epoch in range(epochs):
            epoch_loss = 0.0
            for start in range(0, X_train.size(0), batch_size):
                xb = X_train[start:start + batch_size]
                yb = y_train[start:start + batch_size]
                optimizer.zero_grad()
                loss = loss_fn(model(xb), yb)
                loss.backward()
                optimizer.step()
                epoch_loss += loss.item() * xb.size(0)
            print("Epoch: {} - Loss:{:.4f}".format(epoch + 1, epoch_loss))
        pred = model(X_test)
        labels = np.where(pred > 0.5, 1, 0)
        print("Accuracy:", (labels == y_test.numpy()).mean())


    loss_fn = nn.BCELoss()
    for name in ("RMSprop", "Adam", "SGD"):
        model = Net()
        if name == "RMSprop":
            opt = torch.optim.RMSprop(model.parameters(), lr=0.01, alpha=0.9, eps=1e-08,
                                      weight_decay=0.1, momentum=0.1, centered=True)
        elif name == "Adam":
            opt = torch.optim.Adam(model.parameters(), lr=0.001)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        print("Optimizer:", name)
        train(model, opt, loss_fn)

    x = torch.Tensor([1])
    y = torch.Tensor([-2])
    z = torch.Tensor([3])
    print(x.requires_grad)
    x.requires_grad = True
    y.requires_grad = True
    z.requires_grad = True
    a = x + y
    f = z * a
    print("f: ", f)
    f.backward()
    print("Gradients:", x.grad.item(), y.grad.item(), z.grad.item())
    print(x.grad, y.grad, z.grad)
"""


def test_exec_runs_a_plain_pytorch_script_from_the_book(tmp_path):
    """Acceptance 7: a ch. 3-4 style PyTorch script, unchanged, runs with `ember exec`."""
    pytest.importorskip("sklearn")
    script = _write(tmp_path, "book_ch3_ch4.py", BOOK_CH3_CH4)
    p = ember_cmd("exec", script, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    epochs = re.findall(r"^Epoch: (\d+) - Loss:(\S+)$", out, re.M)
    assert len(epochs) == 30
    assert [int(e) for e, _ in epochs] == list(range(1, 11)) * 3
    losses = [float(v) for _, v in epochs]
    assert all(math.isfinite(v) for v in losses)
    sections = re.split(r"^Optimizer: ", out, flags=re.M)[1:]
    assert [s.split()[0] for s in sections] == ["RMSprop", "Adam", "SGD"]
    adam = losses[10:20]
    assert adam[-1] < adam[0] / 10 and adam[-1] < adam[1]
    assert "Gradients: 3.0 3.0 -1.0" in out
    assert "tensor([3.]) tensor([3.]) tensor([-1.])" in out
    assert "f:  tensor([-3.], grad_fn=<MulBackward0>)" in out
    accs = [float(a) for a in re.findall(r"^Accuracy: (\S+)$", out, re.M)]
    assert len(accs) == 3 and accs[1] >= 0.95


# ------------------------------------------------------------------ registry

def test_registry_discovers_recipes():
    found = recipes.available()
    assert "ch4-autograd" in found
    for name, mod in found.items():
        assert not isinstance(mod, Exception), (name, mod)
        for attr in recipes.REQUIRED:
            assert hasattr(mod, attr), (name, attr)
        assert mod.NAME == name and mod.__name__.endswith(name.replace("-", "_"))
    assert recipes.get("ch4-autograd") is found["ch4-autograd"]
    assert "ch4-autograd" in recipes.names()
    with pytest.raises(KeyError):
        recipes.get("nosuch")
    with pytest.raises(KeyError):
        recipes.get("../etc")


def test_natural_order():
    assert sorted(["ch10-x", "ch2-y", "ch1-z"], key=recipes._natural) == \
        ["ch1-z", "ch2-y", "ch10-x"]


def test_default_out_is_unique(tmp_path):
    a = recipes.default_out("r", root=str(tmp_path))
    assert re.fullmatch(r"r-\d{8}-\d{6}", os.path.basename(a))
    os.makedirs(a)
    b = recipes.default_out("r", root=str(tmp_path))
    assert b != a and b.startswith(a)


def test_write_metrics_is_atomic_json(tmp_path):
    path = recipes.write_metrics(str(tmp_path / "m"), {"a": np.float64(1.5), "t": ember.ones(2),
                                                       "s": (1, 2)})
    assert json.loads(open(path).read()) == {"a": 1.5, "t": [1.0, 1.0], "s": [1, 2]}
    assert os.listdir(tmp_path / "m") == ["metrics.json"]


def test_console_script_entry_point():
    tomllib = pytest.importorskip("tomllib")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        scripts = tomllib.load(f)["project"]["scripts"]
    module, _, func = scripts["ember"].partition(":")
    assert module == "ember.cli" and getattr(cli, func) is cli.main


def test_cli_modules_not_imported_by_plain_import_ember():
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    code = ("import sys, ember; print(sorted(m for m in sys.modules if m in "
            "('ember.cli', 'ember.compat', 'ember.recipes', 'argparse')))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_a_broken_recipe_module_is_listed_not_fatal(monkeypatch, capsys):
    monkeypatch.setattr(recipes, "_module_names", lambda: ["ch4_autograd", "zz_missing_mod"])
    assert cli.main(["recipes"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^ch4-autograd\s+autograd", out, re.M)
    assert re.search(r"^zz-missing-mod\s+\(unavailable: No module named", out, re.M)
    assert recipes.names() == ["ch4-autograd"]
