"""Permutation importance: the informative column first, at most max_rows per shuffle."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.importance import feature_importance
from {{ cookiecutter.module_name }}.tasks import CLASSIFICATION

UP_DOWN = Decision(("down", "up"))


def test_importance_ranks_the_informative_column_first():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=200), "signal": rng.normal(size=200)})
    y = np.where(X["signal"] > 0, "up", "down")
    model = LogisticRegression().fit(X, y)
    ranked = feature_importance(
        model, X, y, repeats=3, seed=0, max_rows=10_000, spec=CLASSIFICATION, decision=UP_DOWN
    )
    assert list(ranked) == ["signal", "noise"]
    assert ranked["signal"] > 0.3


def test_importance_scores_at_most_max_rows_per_repeat():
    seen = []

    class Counting(LogisticRegression):  # type: ignore[misc]
        def predict_proba(self, X):
            seen.append(len(X))
            return super().predict_proba(X)

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=500), "signal": rng.normal(size=500)})
    y = np.where(X["signal"] > 0, "up", "down")
    model = Counting().fit(X, y)
    ranked = feature_importance(
        model, X, y, 2, seed=0, max_rows=100, spec=CLASSIFICATION, decision=UP_DOWN
    )
    # One baseline score on every row (scikit-learn's way), then samples: 2 columns x 2 repeats.
    assert sorted(seen) == [100, 100, 100, 100, 500]
    assert list(ranked) == ["signal", "noise"]
