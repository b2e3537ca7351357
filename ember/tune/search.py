"""Grid, random and TPE hyper-parameter search on Optuna (book ch. 5).

``search(train_fn, space, method=...)`` calls ``train_fn(config)`` or ``train_fn(config, trial)``
once per trial.  ``config`` is a dict of sampled values; ``train_fn`` returns the monitored
validation metric (a number or one-element tensor) or a dict of metrics that contains
``monitor``.  During training it may call ``trial.report(value, step)`` and
``if trial.should_prune(): raise ember.tune.TrialPruned()`` (or ``trial.prune_if_needed(...)``)
so bad trials stop early; ``trial.callback(monitor)`` gives the same thing as a fit-loop
callback for ``ember.train.fit``.

The search space maps each name to
  * a list/tuple of values (grid points; categorical for random/TPE), or ``choice(values)``,
  * ``uniform(low, high)``, ``loguniform(low, high)``, ``integer(low, high, step=1, log=False)``
    (both ends included), or an ``optuna.distributions`` object (random/TPE only; a grid needs
    values, except that ``integer`` ranges are enumerated).

Optuna is optional: ``pip install 'ember[tune]'``; it is imported when ``search`` runs.
"""
import inspect
import json
import math
import os
import tempfile
import time

from ..train.callbacks import Callback

__all__ = ["search", "SearchResult", "Trial", "TrialPruned", "PruningCallback", "uniform",
           "loguniform", "integer", "choice", "load_best"]

_HINT = "pip install 'ember[tune]'"


def _require_optuna():
    try:
        import optuna
    except ImportError as e:
        raise ImportError(f"ember.tune needs optuna: {_HINT}") from e
    return optuna


class TrialPruned(Exception):
    """Raise from a training loop to stop a trial that ``trial.should_prune()`` flagged."""


# ----- search-space declarations (no optuna needed to build them) ---------------------------
class _Dist:
    __slots__ = ("kind", "low", "high", "step", "log", "values")

    def __init__(self, kind, low=None, high=None, step=None, log=False, values=None):
        self.kind, self.low, self.high, self.step, self.log, self.values = \
            kind, low, high, step, log, values

    def __repr__(self):
        if self.kind == "choice":
            return f"choice({list(self.values)!r})"
        if self.kind == "int":
            return f"integer({self.low}, {self.high}, step={self.step}, log={self.log})"
        return f"{'loguniform' if self.log else 'uniform'}({self.low}, {self.high})"


def uniform(low, high):
    """A float drawn uniformly from [low, high]."""
    if not low < high:
        raise ValueError(f"uniform needs low < high, got {low} and {high}")
    return _Dist("float", float(low), float(high))


def loguniform(low, high):
    """A float whose logarithm is uniform on [log(low), log(high)] (learning rates, decays)."""
    if not 0 < low < high:
        raise ValueError(f"loguniform needs 0 < low < high, got {low} and {high}")
    return _Dist("float", float(low), float(high), log=True)


def integer(low, high, step=1, log=False):
    """An int in [low, high], both ends included, on a grid of ``step``."""
    if not low <= high:
        raise ValueError(f"integer needs low <= high, got {low} and {high}")
    return _Dist("int", int(low), int(high), step=int(step), log=bool(log))


def choice(values):
    """One of ``values`` (the same as giving the list itself)."""
    values = list(values)
    if not values:
        raise ValueError("choice needs at least one value")
    return _Dist("choice", values=values)


def _grid_values(name, spec):
    if isinstance(spec, (list, tuple)):
        vals = list(spec)
    elif isinstance(spec, _Dist) and spec.kind == "choice":
        vals = list(spec.values)
    elif isinstance(spec, _Dist) and spec.kind == "int" and not spec.log:
        vals = list(range(spec.low, spec.high + 1, spec.step))
    else:
        raise ValueError(f"grid search needs a list of values for {name!r}, got {spec!r}")
    if not vals:
        raise ValueError(f"grid search got no values for {name!r}")
    return vals


def _suggest(otrial, name, spec, method):
    optuna = _require_optuna()
    D = optuna.distributions
    if method == "grid" or isinstance(spec, (list, tuple)):
        return otrial.suggest_categorical(name, _grid_values(name, spec) if method == "grid"
                                          else list(spec))
    if isinstance(spec, _Dist):
        if spec.kind == "choice":
            return otrial.suggest_categorical(name, spec.values)
        if spec.kind == "int":
            return otrial.suggest_int(name, spec.low, spec.high, step=spec.step, log=spec.log)
        return otrial.suggest_float(name, spec.low, spec.high, log=spec.log)
    if isinstance(spec, D.CategoricalDistribution):
        return otrial.suggest_categorical(name, spec.choices)
    if isinstance(spec, D.IntDistribution):
        return otrial.suggest_int(name, spec.low, spec.high, step=spec.step, log=spec.log)
    if isinstance(spec, D.FloatDistribution):
        return otrial.suggest_float(name, spec.low, spec.high, step=spec.step, log=spec.log)
    raise TypeError(f"search space entry {name!r} should be a list of values, "
                    f"ember.tune.uniform/loguniform/integer/choice or an optuna distribution, "
                    f"got {type(spec).__name__}")


def _to_float(v, what):
    if hasattr(v, "item") and not isinstance(v, (int, float)):
        v = v.item()
    try:
        return float(v)
    except (TypeError, ValueError):
        raise TypeError(f"{what} should be a number, got {type(v).__name__}") from None


# ----- the trial handed to train_fn --------------------------------------------------------
class Trial:
    """What ``train_fn`` sees: ``number``, ``params`` (the config), ``report(value, step)``,
    ``should_prune()``, ``prune_if_needed(value, step)``, ``set_user_attr`` and
    ``callback(monitor)`` for the fit loop."""

    def __init__(self, otrial, params, monitor):
        self._trial = otrial
        self.number = otrial.number
        self.params = dict(params)
        self.monitor = monitor
        self.last_step = None

    def report(self, value, step):
        """Report an intermediate value of the monitored metric at ``step`` (e.g. the epoch)."""
        value = _to_float(value, "trial.report value")
        self._trial.report(value, int(step))
        self.last_step = int(step)

    def should_prune(self):
        """True when the pruner judges this trial worse than the others at its last step."""
        return bool(self._trial.should_prune())

    def prune_if_needed(self, value, step):
        """``report`` then raise ``TrialPruned`` when ``should_prune()``."""
        self.report(value, step)
        if self.should_prune():
            raise TrialPruned(f"trial {self.number} pruned at step {step}")

    def set_user_attr(self, key, value):
        self._trial.set_user_attr(key, value)

    def callback(self, monitor=None):
        """A fit-loop callback that reports ``logs[monitor]`` each epoch and prunes."""
        return PruningCallback(self, monitor or self.monitor)

    def __repr__(self):
        return f"Trial(number={self.number}, params={self.params})"


class PruningCallback(Callback):
    """Fit-loop callback: at each epoch end, ``trial.report(logs[monitor], epoch)`` and raise
    ``TrialPruned`` when the trial should stop (the exception leaves ``fit`` and ``search``
    records the trial as pruned)."""

    def __init__(self, trial, monitor):
        self.trial = trial
        self.monitor = monitor

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(f"PruningCallback: monitor {self.monitor!r} is not among the logged "
                           f"metrics {sorted(logs)}")
        self.trial.prune_if_needed(logs[self.monitor], epoch)


# ----- results -------------------------------------------------------------------------------
def _fmt(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.6g}"
    return str(v)


class SearchResult:
    """The outcome of ``search``: ``results`` (one dict per trial, best first: completed trials
    sorted by the monitored metric, then pruned, then failed), ``best_params``, ``best_value``,
    ``best_trial``, ``study`` (the optuna Study), ``table()`` and ``save(path)``."""

    def __init__(self, results, method, direction, monitor, param_names, study=None):
        self.results = results
        self.method = method
        self.direction = direction
        self.monitor = monitor
        self.param_names = list(param_names)
        self.study = study
        done = [r for r in results if r["state"] == "COMPLETE"]
        self.best_trial = done[0] if done else None
        self.best_params = ({k: done[0][k] for k in self.param_names} if done else None)
        self.best_value = done[0][monitor] if done else None

    def __len__(self):
        return len(self.results)

    def __iter__(self):
        return iter(self.results)

    def table(self):
        """The results as a plain-text table (no pandas needed)."""
        extra = []
        for r in self.results:
            for k in r.get("metrics", {}):
                if k != self.monitor and k not in extra:
                    extra.append(k)
        cols = ["rank", "trial"] + self.param_names + [self.monitor] + extra + ["state", "steps"]
        rows = []
        for r in self.results:
            m = r.get("metrics", {})
            row = [r["rank"], r["trial"]] + [r[k] for k in self.param_names] + \
                [r[self.monitor]] + [m.get(k, "") for k in extra] + [r["state"], r["steps"]]
            rows.append([_fmt(v) if v is not None else "-" for v in row])
        widths = [max(len(c), *(len(row[i]) for row in rows)) if rows else len(c)
                  for i, c in enumerate(cols)]
        line = "  ".join(c.rjust(w) for c, w in zip(cols, widths))
        out = [line, "  ".join("-" * w for w in widths)]
        out += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in rows]
        return "\n".join(out)

    __str__ = table

    def __repr__(self):
        return (f"SearchResult(method={self.method!r}, trials={len(self.results)}, "
                f"best_params={self.best_params}, best_{self.monitor}={self.best_value})")

    def to_dict(self):
        return {"method": self.method, "direction": self.direction, "monitor": self.monitor,
                "best_params": self.best_params, "best_value": self.best_value,
                "trials": self.results}

    def save(self, path):
        """Write the best configuration and all trials to ``path`` as JSON (atomically)."""
        path = os.fspath(path)
        d = os.path.dirname(os.path.abspath(path))
        os.makedirs(d, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=d, prefix=".tune-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                json.dump(self.to_dict(), f, indent=2, default=_json_default)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path


def _json_default(o):
    if hasattr(o, "item"):
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    return str(o)


def load_best(path):
    """The ``best_params`` dict saved by ``search(..., save_path=path)``."""
    with open(path) as f:
        return json.load(f)["best_params"]


def _make_pruner(optuna, pruner):
    if pruner is None or pruner is False or pruner == "none":
        return optuna.pruners.NopPruner()
    if pruner == "median":
        return optuna.pruners.MedianPruner()
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner()
    if pruner == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner()
    if isinstance(pruner, optuna.pruners.BasePruner):
        return pruner
    raise ValueError(f"pruner should be 'median', 'hyperband', 'successive_halving', 'none' or "
                     f"an optuna pruner, got {pruner!r}")


def _log_hparams(log_dir, rows, names):
    """One TensorBoard run per completed trial (``<log_dir>/trial_<n>``) with its config and
    metrics, for the HParams tab (metrics are tagged ``hparam/<name>``)."""
    from ..utils.tensorboard import SummaryWriter
    with SummaryWriter(log_dir) as w:
        for r in sorted(rows, key=lambda r: r["trial"]):
            if r["state"] != "COMPLETE":
                continue
            hp = {k: (r[k] if isinstance(r[k], (bool, str, int, float)) else str(r[k]))
                  for k in names}
            w.add_hparams(hp, {f"hparam/{k}": v for k, v in r["metrics"].items()},
                          run_name=f"trial_{r['trial']}")


def _wants_trial(fn):
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return True
    pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(pos) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def search(train_fn, space, method="grid", n_trials=None, seed=None, direction="maximize",
           monitor="value", pruner="median", save_path=None, timeout=None, catch=(),
           study_name=None, log_dir=None, verbose=False):
    """Run a hyper-parameter search and return a ``SearchResult`` (best first).

    Args:
        train_fn: ``train_fn(config)`` or ``train_fn(config, trial)`` -> metric or dict of metrics.
        space: dict name -> values / distribution (see the module docstring).
        method: ``'grid'`` (every combination, in a seeded random order), ``'random'`` or
            ``'tpe'`` (Optuna's GridSampler, RandomSampler, TPESampler).
        n_trials: number of trials; a grid defaults to (and stops at) its size, random/TPE
            default to 10.
        seed: seeds the sampler and, before each trial, ``ember.manual_seed(seed + number)``,
            so a search with a fixed seed is reproducible.
        direction: ``'maximize'`` (accuracy, AUC) or ``'minimize'`` (loss).
        monitor: the key of the metric in ``train_fn``'s dict (its name in the table when
            ``train_fn`` returns a number).
        pruner: ``'median'`` (default), ``'hyperband'``, ``'successive_halving'``, ``'none'`` or
            an optuna pruner; it acts only on values given to ``trial.report``.
        save_path: when given, the results and best configuration are written there as JSON.
        catch: exception types that mark a trial failed instead of stopping the search.
        log_dir: when given, each completed trial's config and metrics are written for
            TensorBoard's HParams tab, as the run ``<log_dir>/trial_<number>`` (needs
            ``ember[tensorboard]``).
    """
    if method not in ("grid", "random", "tpe"):
        raise ValueError(f"method should be 'grid', 'random' or 'tpe', got {method!r}")
    if direction not in ("maximize", "minimize"):
        raise ValueError(f"direction should be 'maximize' or 'minimize', got {direction!r}")
    if not isinstance(space, dict) or not space:
        raise ValueError("space should be a non-empty dict of name -> values or distribution")
    optuna = _require_optuna()
    names = list(space)

    if method == "grid":
        grid = {k: _grid_values(k, v) for k, v in space.items()}
        size = math.prod(len(v) for v in grid.values())
        n_trials = size if n_trials is None else min(int(n_trials), size)
        sampler = optuna.samplers.GridSampler(grid, seed=seed)
    elif method == "random":
        sampler = optuna.samplers.RandomSampler(seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed)
    if n_trials is None:
        n_trials = 10

    old_verbosity = optuna.logging.get_verbosity()
    if not verbose:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=sampler, pruner=_make_pruner(optuna, pruner),
                                direction=direction, study_name=study_name)
    pass_trial = _wants_trial(train_fn)
    extra = {}

    def objective(otrial):
        config = {k: _suggest(otrial, k, space[k], method) for k in names}
        trial = Trial(otrial, config, monitor)
        if seed is not None:
            from ..random import manual_seed
            manual_seed(int(seed) + otrial.number)
        t0 = time.perf_counter()
        try:
            out = train_fn(config, trial) if pass_trial else train_fn(config)
        except TrialPruned as e:
            extra[otrial.number] = {"steps": trial.last_step, "seconds": time.perf_counter() - t0}
            raise optuna.TrialPruned(str(e)) from None
        metrics = {}
        if isinstance(out, dict):
            if monitor not in out:
                raise KeyError(f"train_fn returned metrics {sorted(out)} without the monitored "
                               f"{monitor!r}; pass monitor= one of them")
            metrics = {k: _to_float(v, f"metric {k!r}") for k, v in out.items()}
            value = metrics[monitor]
        else:
            value = _to_float(out, "train_fn's return value")
            metrics = {monitor: value}
        extra[otrial.number] = {"steps": trial.last_step, "metrics": metrics,
                                "seconds": time.perf_counter() - t0}
        return value

    try:
        study.optimize(objective, n_trials=n_trials, timeout=timeout, catch=tuple(catch))
    finally:
        optuna.logging.set_verbosity(old_verbosity)

    state_names = {optuna.trial.TrialState.COMPLETE: "COMPLETE",
                   optuna.trial.TrialState.PRUNED: "PRUNED",
                   optuna.trial.TrialState.FAIL: "FAIL"}
    rows = []
    for ft in study.trials:
        state = state_names.get(ft.state, ft.state.name)
        info = extra.get(ft.number, {})
        if state == "COMPLETE":
            value = ft.value
        elif ft.intermediate_values:
            value = ft.intermediate_values[max(ft.intermediate_values)]
        else:
            value = None
        row = {"rank": None, "trial": ft.number}
        row.update({k: ft.params.get(k) for k in names})
        row[monitor] = value
        row["state"] = state
        row["steps"] = info.get("steps", max(ft.intermediate_values)
                                if ft.intermediate_values else None)
        row["seconds"] = info.get("seconds")
        row["metrics"] = info.get("metrics", {})
        rows.append(row)

    sign = -1.0 if direction == "maximize" else 1.0
    order = {"COMPLETE": 0, "PRUNED": 1}

    def key(r):
        v = r[monitor]
        bad = v is None or (isinstance(v, float) and math.isnan(v))
        return (order.get(r["state"], 2), bad, 0.0 if bad else sign * v, r["trial"])

    rows.sort(key=key)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    result = SearchResult(rows, method, direction, monitor, names, study)
    if log_dir is not None:
        _log_hparams(log_dir, rows, names)
    if save_path is not None:
        result.save(save_path)
    return result
