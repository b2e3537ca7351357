"""ch4-autograd recipe: the book's (x+y)*z gradients, the recorded graph, gradcheck and the four
numerical schemes converging at their orders; run end to end through the CLI."""
import json

import pytest

import ember
from ember import cli
from ember.recipes import ch4_autograd


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    out = tmp_path_factory.mktemp("ch4")
    code = cli.main(["run", "ch4-autograd", "--quick", "--out", str(out)])
    assert code == 0
    return out, json.loads((out / "metrics.json").read_text())


def test_gradients_of_the_book_example(result):
    _, m = result
    assert m["f"] == -3.0
    assert m["grads"] == {"x": 3.0, "y": 3.0, "z": -1.0}
    assert m["grad_fn"] == {"f": "MulBackward0", "a": "AddBackward0"}


def test_graph_printed_and_written(result):
    out, m = result
    assert m["graph"] == ["MulBackward0",
                          "  AccumulateGrad (z = [3.0])",
                          "  AddBackward0",
                          "    AccumulateGrad (x = [1.0])",
                          "    AccumulateGrad (y = [-2.0])"]
    dot = (out / "graph.dot").read_text()
    assert dot.startswith("digraph autograd {") and dot.count("->") == 4
    assert 'label="AddBackward0"' in dot and 'label="AccumulateGrad\\nx"' in dot


def test_gradcheck_and_numerical_orders(result):
    _, m = result
    assert m["gradcheck"] is True
    num = m["numerical"]
    expected = {"forward": 1, "backward": 1, "central": 2, "richardson": 4}
    for method, order in expected.items():
        assert abs(num["orders"][method] - order) < 0.2, (method, num["orders"])
        errs = num["errors"][method]
        assert all(a > b for a, b in zip(errs, errs[1:])), (method, errs)
    jac = num["jacobian_max_error"]
    assert jac["richardson"] < jac["central"] < jac["forward"]
    assert jac["central"] < 1e-5 and jac["forward"] < 1e-2


def test_convergence_table_and_plot(result):
    out, m = result
    rows = (out / "history.csv").read_text().splitlines()
    assert rows[0] == "h,forward,backward,central,richardson"
    assert len(rows) == 1 + len(ch4_autograd.STEPS)
    first = [float(v) for v in rows[1].split(",")]
    assert first[0] == ch4_autograd.STEPS[0]
    assert first[1:] == [m["numerical"]["errors"][k][0]
                         for k in ("forward", "backward", "central", "richardson")]
    png = out / "convergence.png"
    assert m["artefacts"]["convergence"] == str(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_other_values_and_printed_output(tmp_path, capsys):
    assert cli.main(["run", "ch4-autograd", "--x", "2", "--y", "5", "--z", "-1",
                     "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["grads"] == {"x": -1.0, "y": -1.0, "z": 7.0} and m["f"] == -7.0
    assert "x.grad = tensor([-1.]), y.grad = tensor([-1.]), z.grad = tensor([7.])" in printed
    assert "gradcheck of sin((u+v)*w)*exp(u) on 3-vectors: passed" in printed


def test_graph_lines_shared_node_and_unnamed_leaf():
    x = ember.tensor([2.0], requires_grad=True)
    w = ember.tensor([1.0], requires_grad=True)
    y = (x * x).exp() + w
    lines = ch4_autograd.graph_lines(y.grad_fn, {id(x): "x"})
    assert lines == ["AddBackward0",
                     "  ExpBackward0",
                     "    MulBackward0",
                     "      AccumulateGrad (x = [2.0])",
                     "      AccumulateGrad (x = [2.0])",
                     "  AccumulateGrad (leaf = [1.0])"]
    dot = ch4_autograd.graph_dot(y.grad_fn, {id(x): "x"})
    assert dot.count("AccumulateGrad") == 2        # the shared leaf is one node in the drawing
    assert dot.count("->") == 5


def test_order_estimate():
    assert ch4_autograd._order([1.0, 0.25, 0.0625]) == pytest.approx(2.0)
