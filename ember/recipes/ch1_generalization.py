"""Chapter 1: generalisation, under- and overfitting, and ridge regularisation.

The chapter's toy problem: 100 evenly spaced x in [-1, 1], y = 2 + x + 2x^2 plus Gaussian noise
(standard deviation 0.1), the first 80 points for training and the last 20 for testing (so the
test set is an extrapolation to the right). Polynomials of degree 1, 2 and 8 are fitted by least
squares through the normal equations, (X^T X) w = X^T y, on ember tensors in float64: degree 1
underfits, degree 2 (the true model) generalises, degree 8 fits the training points slightly
better and extrapolates badly. Then the ridge sweep: 80 power columns, w = (X^T X + lambda I)^-1
X^T y for 100 values of lambda in [0.01, 0.99], with the training and test errors per lambda.

The book prints its errors as sums of squared residuals; this recipe reports both the RMSE
(root mean squared error) and that sum (``sse``). Figures (matplotlib, optional): the data with
the three fits, and the ridge train/test curves. ``best_model.pt`` holds the fitted weights
(each degree's, and the ridge weights at the best lambda) as ember tensors; the ridge sweep is
also logged as TensorBoard scalars (tensorboardX, optional).
"""
import csv
import math
import os

NAME = "ch1-generalization"
DESCRIPTION = "polynomial least squares of degree 1/2/8 and the ridge lambda sweep (ch. 1)"
DEFAULT_DATA = "the chapter's toy data: y = 2 + x + 2x^2 + noise on 100 points in [-1, 1]"

N_POINTS, N_TRAIN = 100, 80


def add_arguments(parser):
    parser.set_defaults(seed=20)          # the book seeds NumPy with 20
    parser.add_argument("--degrees", default="1,2,8",
                        help="comma-separated polynomial degrees to fit (default 1,2,8)")
    parser.add_argument("--noise", type=float, default=0.1,
                        help="standard deviation of the Gaussian noise (default 0.1)")
    parser.add_argument("--ridge-columns", type=int, default=80,
                        help="power columns x^0..x^(k-1) in the ridge sweep (default 80)")
    parser.add_argument("--lambdas", type=int, default=100,
                        help="number of lambda values in [0.01, 0.99] (default 100)")


def _parse_degrees(text):
    try:
        degrees = [int(p) for p in str(text).split(",") if p.strip()]
    except ValueError:
        raise_error(f"--degrees must be comma-separated integers, got {text!r}")
    if not degrees:
        raise_error("--degrees names no degree")
    for d in degrees:
        if d < 0 or d >= N_TRAIN:
            raise_error(f"--degrees: degree {d} is out of range (0 to {N_TRAIN - 1} "
                        f"for {N_TRAIN} training points)")
    return degrees


def raise_error(msg):
    from . import RecipeError
    raise RecipeError(msg)


def make_data(seed, noise=0.1):
    """The toy data as float64 ember tensors ``(x, y)`` of shape (100,)."""
    import numpy as np

    import ember as torch
    rng = np.random.RandomState(seed % 2**32)
    x = np.linspace(-1.0, 1.0, N_POINTS)
    y = 2 + x + 2 * x ** 2 + rng.normal(0.0, noise, N_POINTS)
    return torch.from_numpy(x), torch.from_numpy(y)


def design(x, columns):
    """The matrix of powers [x^0, x^1, ..., x^(columns-1)], one row per point."""
    import ember as torch
    return torch.pow(x.unsqueeze(1), torch.arange(columns, dtype=x.dtype))


def fit(X, y, lam=0.0):
    """Least squares by the normal equations, (X^T X + lam I) w = X^T y."""
    import ember as torch
    A = X.T @ X
    if lam:
        A = A + lam * torch.eye(A.shape[0], dtype=A.dtype)
    return torch.linalg.solve(A, X.T @ y.unsqueeze(1)).squeeze(1)


def errors(X, y, w):
    """``(rmse, sse)`` of the predictions ``X @ w`` against ``y``."""
    resid = X @ w - y
    sse = float((resid * resid).sum())
    return math.sqrt(sse / y.shape[0]), sse


def _figures(out, x, y, fits, lambdas, ridge_train, ridge_test):
    try:
        from matplotlib.figure import Figure
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        print("matplotlib is not installed: figures skipped (pip install 'ember[plots]')")
        return []
    import numpy as np
    xs, ys = x.numpy(), y.numpy()
    fig = Figure(figsize=(7, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(xs[:N_TRAIN], ys[:N_TRAIN], s=12, c="tab:blue", label="train")
    ax.scatter(xs[N_TRAIN:], ys[N_TRAIN:], s=12, c="tab:red", label="test")
    grid = np.linspace(-1, 1, 400)
    for d, w in fits.items():
        ax.plot(grid, np.polyval(w.numpy()[::-1], grid), label=f"degree {d}")
    lo, hi = ys.min(), ys.max()
    ax.set_ylim(lo - 0.5 * (hi - lo), hi + 0.5 * (hi - lo))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title("Polynomial least-squares fits")
    ax.legend()
    p1 = os.path.join(out, "polynomial_fits.png")
    fig.savefig(p1, format="png")

    fig = Figure(figsize=(7, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(lambdas, ridge_train, label="train RMSE")
    ax.plot(lambdas, ridge_test, label="test RMSE")
    ax.set_xlabel("lambda")
    ax.set_ylabel("RMSE")
    ax.set_title("Ridge regression: error against lambda")
    ax.legend()
    p2 = os.path.join(out, "ridge_lambda.png")
    fig.savefig(p2, format="png")
    return [p1, p2]


def _save_weights(out, fits, ridge_w, ridge_lambda):
    """The fitted weights as an ember checkpoint: ``degree_<d>`` per polynomial, ``ridge`` at the
    best lambda and ``ridge_lambda``."""
    import ember
    state = {f"degree_{d}": w for d, w in fits.items()}
    state["ridge"] = ridge_w
    state["ridge_lambda"] = ember.tensor(ridge_lambda, dtype=ember.float64)
    path = os.path.join(out, "best_model.pt")
    ember.save(state, path)
    return path


def run(args):
    import numpy as np

    from . import write_metrics
    degrees = _parse_degrees(args.degrees)
    if not args.noise >= 0 or not math.isfinite(args.noise):
        raise_error(f"--noise must be a finite number >= 0, got {args.noise}")
    if args.ridge_columns < 1:
        raise_error(f"--ridge-columns must be at least 1, got {args.ridge_columns}")
    n_lambdas = 20 if args.quick and args.lambdas == 100 else args.lambdas
    if n_lambdas < 2:
        raise_error(f"--lambdas must be at least 2, got {args.lambdas}")

    x, y = make_data(args.seed, args.noise)
    print(f"data: {N_POINTS} points, x in [-1, 1], y = 2 + x + 2x^2 + N(0, {args.noise:g}); "
          f"train {N_TRAIN}, test {N_POINTS - N_TRAIN} (seed {args.seed})")

    # 1. polynomial fits by the normal equations
    fits, table = {}, {}
    print(f"{'degree':>6}  {'train RMSE':>10}  {'test RMSE':>10}  {'train SSE':>10}  "
          f"{'test SSE':>10}")
    for d in degrees:
        X = design(x, d + 1)
        w = fit(X[:N_TRAIN], y[:N_TRAIN])
        tr, tr_sse = errors(X[:N_TRAIN], y[:N_TRAIN], w)
        te, te_sse = errors(X[N_TRAIN:], y[N_TRAIN:], w)
        fits[d] = w
        table[str(d)] = {"train_rmse": tr, "test_rmse": te, "train_sse": tr_sse,
                         "test_sse": te_sse, "coefficients": w.tolist()}
        print(f"{d:>6}  {tr:>10.4f}  {te:>10.4f}  {tr_sse:>10.4f}  {te_sse:>10.4f}")

    # 2. ridge sweep on many power columns
    X = design(x, args.ridge_columns)
    lambdas = np.linspace(0.01, 0.99, n_lambdas)
    ridge_train, ridge_test = [], []
    for lam in lambdas:
        w = fit(X[:N_TRAIN], y[:N_TRAIN], float(lam))
        ridge_train.append(errors(X[:N_TRAIN], y[:N_TRAIN], w)[0])
        ridge_test.append(errors(X[N_TRAIN:], y[N_TRAIN:], w)[0])
    best = int(np.argmin(ridge_test))
    print(f"ridge with {args.ridge_columns} power columns, {n_lambdas} lambdas in [0.01, 0.99]: "
          f"train RMSE {ridge_train[0]:.4f} -> {ridge_train[-1]:.4f}, "
          f"test RMSE {ridge_test[0]:.4f} -> {ridge_test[-1]:.4f}; "
          f"best test RMSE {ridge_test[best]:.4f} at lambda {lambdas[best]:.4f}")

    hist = os.path.join(args.out, "history.csv")
    with open(hist, "w", newline="") as fh:
        wr = csv.writer(fh)
        wr.writerow(["lambda", "train_rmse", "test_rmse"])
        for row in zip(lambdas, ridge_train, ridge_test):
            wr.writerow([f"{v:.10g}" for v in row])
    plots = _figures(args.out, x, y, fits, lambdas, ridge_train, ridge_test)
    w_best = fit(X[:N_TRAIN], y[:N_TRAIN], float(lambdas[best]))
    ckpt = _save_weights(args.out, fits, w_best, float(lambdas[best]))
    from . import write_scalars
    tb = write_scalars(args.out, {"ridge/train_rmse": list(enumerate(ridge_train)),
                                  "ridge/test_rmse": list(enumerate(ridge_test)),
                                  "ridge/lambda": list(enumerate(lambdas))})

    metrics = {
        "recipe": NAME,
        "seed": args.seed,
        "noise": args.noise,
        "n_train": N_TRAIN,
        "n_test": N_POINTS - N_TRAIN,
        "polynomial": table,
        "ridge": {"columns": args.ridge_columns, "lambdas": lambdas.tolist(),
                  "train_rmse": ridge_train, "test_rmse": ridge_test,
                  "best_lambda": float(lambdas[best]), "best_test_rmse": ridge_test[best]},
        "history": hist,
        "plots": plots,
        "checkpoint": ckpt,
        "tensorboard": tb,
    }
    print("metrics:", write_metrics(args.out, metrics))
    return metrics
