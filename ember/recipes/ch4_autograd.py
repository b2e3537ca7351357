"""Chapter 4: automatic differentiation.

The three-variable example f = z * (x + y) at x = 1, y = -2, z = 3 with its gradients
(df/dx = z = 3, df/dy = z = 3, df/dz = x + y = -1); the computational graph that autograd
recorded, printed by walking ``grad_fn.next_functions`` (and drawn when Graphviz's ``dot`` is
installed); then the check the chapter recommends before trusting gradients: ``gradcheck`` and
the four numerical schemes (forward, backward, central, Richardson) against autograd, with
their errors shrinking as O(h), O(h), O(h^2) and O(h^4). Artefacts: metrics.json, graph.dot
(graph.png with Graphviz), history.csv (the error of each scheme per step h) and
convergence.png (those errors against h on log-log axes; matplotlib, optional).
"""
import csv
import math
import os
import shutil
import subprocess

NAME = "ch4-autograd"
DESCRIPTION = "autograd on (x+y)*z, the recorded graph, gradcheck vs four numerical schemes"
DEFAULT_DATA = "none (x=1, y=-2, z=3 and a smooth test function)"

STEPS = (0.1, 0.05, 0.025, 0.0125)     # finite-difference step sizes h, halving


def add_arguments(parser):
    parser.add_argument("--x", type=float, default=1.0, help="value of x (default 1)")
    parser.add_argument("--y", type=float, default=-2.0, help="value of y (default -2)")
    parser.add_argument("--z", type=float, default=3.0, help="value of z (default 3)")
    parser.add_argument("--point", type=float, default=0.5,
                        help="where the numerical schemes differentiate sin(u)*exp(u) "
                             "(default 0.5)")


def _leaf_names(named):
    return {id(t): n for n, t in named.items()}


def graph_lines(root, names):
    """The graph below ``root`` (a grad_fn) as indented text lines, depth first."""
    lines = []

    def walk(node, depth):
        label = type(node).__name__
        var = getattr(node, "variable", None)
        if var is not None:
            label += f" ({names.get(id(var), 'leaf')} = {var.detach().tolist()})"
        lines.append("  " * depth + label)
        for child, _ in getattr(node, "next_functions", ()):
            if child is not None:
                walk(child, depth + 1)
    walk(root, 0)
    return lines


def graph_dot(root, names):
    """The same graph in Graphviz's dot language."""
    ids, edges, labels = {}, [], {}

    def visit(node):
        if id(node) in ids:
            return ids[id(node)]
        ids[id(node)] = key = f"n{len(ids)}"
        var = getattr(node, "variable", None)
        labels[key] = type(node).__name__ + (f"\\n{names.get(id(var), 'leaf')}"
                                             if var is not None else "")
        for child, _ in getattr(node, "next_functions", ()):
            if child is not None:
                edges.append((visit(child), key))
        return key
    visit(root)
    body = [f'  {k} [label="{v}"];' for k, v in labels.items()]
    body += [f"  {a} -> {b};" for a, b in edges]
    return "digraph autograd {\n  rankdir=BT;\n  node [shape=box];\n" + "\n".join(body) + "\n}\n"


def _order(errors):
    """Observed convergence order: the mean of log2(error(h) / error(h/2))."""
    ratios = [math.log2(a / b) for a, b in zip(errors, errors[1:]) if a > 0 and b > 0]
    return sum(ratios) / len(ratios) if ratios else float("nan")


def _write_table(out, table):
    path = os.path.join(out, "history.csv")
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["h"] + list(table))
        for i, step in enumerate(STEPS):
            w.writerow([step] + [repr(errs[i]) for errs in table.values()])
    return path


def _plot_convergence(out, table, orders):
    from ember.train.plots import _figure, _save
    try:
        fig = _figure((6.5, 4.5), 100)
    except ImportError:
        print("matplotlib is not installed: convergence plot skipped "
              "(pip install 'ember[plots]')")
        return None
    ax = fig.add_subplot(1, 1, 1)
    for m, errs in table.items():
        ax.loglog(STEPS, errs, marker="o", label=f"{m} (order {orders[m]:.2f})")
    ax.set_xlabel("step h")
    ax.set_ylabel("|numerical - autograd|")
    ax.set_title("d/du sin(u)exp(u): finite-difference error against h")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return _save(fig, os.path.join(out, "convergence.png"), 100)


def run(args):
    import numpy as np

    import ember as torch
    from ember.autograd import numerical

    # 1. the book's example: three leaves, f = (x + y) * z, one backward pass
    x, y, z = torch.Tensor([args.x]), torch.Tensor([args.y]), torch.Tensor([args.z])
    print("x requires grad before:", x.requires_grad)
    for t in (x, y, z):
        t.requires_grad = True
    a = x + y
    f = z * a
    f.backward()
    print("f =", f)
    print(f"x.grad = {x.grad}, y.grad = {y.grad}, z.grad = {z.grad}")
    print("a.grad_fn:", type(a.grad_fn).__name__, "| x is leaf:", x.is_leaf,
          "| a is leaf:", a.is_leaf)

    # 2. the graph autograd recorded
    names = _leaf_names({"x": x, "y": y, "z": z})
    lines = graph_lines(f.grad_fn, names)
    print("computational graph (from f back to the leaves):")
    for line in lines:
        print("  " + line)
    dot_path = os.path.join(args.out, "graph.dot")
    with open(dot_path, "w") as fh:
        fh.write(graph_dot(f.grad_fn, names))
    drawn = None
    if shutil.which("dot"):
        png = os.path.join(args.out, "graph.png")
        done = subprocess.run(["dot", "-Tpng", dot_path, "-o", png], capture_output=True)
        drawn = png if done.returncode == 0 else None

    # 3. gradcheck: autograd's Jacobian against central differences, in float64
    def g(u, v, w):
        return ((u + v) * w).sin() * u.exp()
    torch.manual_seed(args.seed)
    ins = [torch.randn(3, dtype=torch.float64, requires_grad=True) for _ in range(3)]
    ok = bool(torch.autograd.gradcheck(g, ins, raise_exception=False))
    print(f"gradcheck of sin((u+v)*w)*exp(u) on 3-vectors: {'passed' if ok else 'FAILED'}")

    # 4. the four numerical schemes against autograd on sin(u) * exp(u)
    def h_fn(u):
        return u.sin() * u.exp()
    u = torch.tensor(args.point, dtype=torch.float64, requires_grad=True)
    h_fn(u).backward()
    exact = u.grad.item()

    def scalar(v):
        return h_fn(torch.tensor(v, dtype=torch.float64)).item()

    print(f"d/du sin(u)exp(u) at u={args.point}: autograd {exact:.12f}")
    print("  h        " + "".join(f"{m:>13}" for m in numerical.METHODS))
    table = {m: [] for m in numerical.METHODS}
    for step in STEPS:
        row = []
        for m in numerical.METHODS:
            err = abs(numerical.derivative(scalar, args.point, step, m) - exact)
            table[m].append(err)
            row.append(f"{err:13.3e}")
        print(f"  {step:<9g}" + "".join(row))
    orders = {m: _order(errs) for m, errs in table.items()}
    print("  order    " + "".join(f"{orders[m]:13.2f}" for m in numerical.METHODS)
          + "   (error ~ h^order)")
    table_path = _write_table(args.out, table)
    plot_path = _plot_convergence(args.out, table, orders)

    # the same schemes on a whole Jacobian (what gradcheck uses), step 1e-3
    jac_err = {}
    ins2 = [torch.randn(4, dtype=torch.float64, requires_grad=True)]
    t = ins2[0]
    eye = torch.eye(4, dtype=torch.float64)
    out = h_fn(t)
    auto = np.stack([torch.autograd.grad(out, t, eye[i], retain_graph=True)[0].numpy()
                     for i in range(4)], 1)       # (input, output), as numerical.jacobian
    for m in numerical.METHODS:
        num = numerical.jacobian(h_fn, ins2, 1e-3, m)[0]
        jac_err[m] = float(abs(num - auto).max())
    print("  Jacobian max error at h=1e-3: "
          + ", ".join(f"{m} {e:.1e}" for m, e in jac_err.items()))

    metrics = {
        "recipe": NAME,
        "inputs": {"x": args.x, "y": args.y, "z": args.z},
        "f": f.item(),
        "grads": {"x": x.grad.item(), "y": y.grad.item(), "z": z.grad.item()},
        "grad_fn": {"f": type(f.grad_fn).__name__, "a": type(a.grad_fn).__name__},
        "graph": lines,
        "graph_dot": dot_path,
        "graph_png": drawn,
        "gradcheck": ok,
        "artefacts": {"history": table_path, "convergence": plot_path},
        "numerical": {"point": args.point, "exact": exact, "steps": list(STEPS),
                      "errors": table, "orders": orders, "jacobian_max_error": jac_err},
    }
    from . import write_metrics
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
