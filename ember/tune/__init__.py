"""``ember.tune``: hyper-parameter search (grid, random, TPE) on Optuna, with early pruning of
bad trials from the training loop.  See ``ember.tune.search.search``.

Optuna is optional (``pip install 'ember[tune]'``); importing ``ember.tune`` does not need it.
"""
from .search import (search, SearchResult, Trial, TrialPruned, PruningCallback, uniform,
                     loguniform, integer, choice, load_best)

__all__ = ["search", "SearchResult", "Trial", "TrialPruned", "PruningCallback", "uniform",
           "loguniform", "integer", "choice", "load_best"]
