"""Permutation importance: how much a model's score drops when one column is shuffled."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.inspection import permutation_importance

from ..decision import Decision
from ..metric_names import greater_is_better
from ..tasks import TaskSpec
from .metrics import metric_value, model_output


def feature_importance(
    model: Any,
    X: pd.DataFrame,
    y: Any,
    repeats: int,
    seed: int,
    max_rows: int,
    spec: TaskSpec,
    decision: Decision,
) -> dict[str, float]:
    """Drop in balanced accuracy (rise in RMSE) when each column is shuffled, largest first.

    Each shuffle is scored on at most `max_rows` rows drawn from X (the unshuffled baseline
    on all of them): at scale, every row x every column x every repeat costs minutes.
    """
    metric = spec.importance_metric
    sign = 1.0 if greater_is_better(metric) else -1.0  # a rise in RMSE is a drop in score

    def score(fitted: Any, rows: pd.DataFrame, truth: Any) -> float:
        # The model's own decision (a tuned threshold, say), which a named scorer would skip.
        value = metric_value(metric, truth, model_output(fitted, rows, spec), decision)
        return float("nan") if value is None else sign * value

    result = permutation_importance(
        model,
        X,
        y,
        scoring=score,
        n_repeats=repeats,
        random_state=seed,
        max_samples=min(max_rows, len(X)),
    )
    ranked = sorted(zip(X.columns, result.importances_mean, strict=True), key=lambda kv: -kv[1])
    return {str(name): float(value) for name, value in ranked}
