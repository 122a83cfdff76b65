"""Permutation importance: how much a model's score drops when one column is shuffled."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.inspection import permutation_importance

from ..tasks import TaskSpec


def feature_importance(
    model: Any,
    X: pd.DataFrame,
    y: Any,
    repeats: int,
    seed: int,
    max_rows: int,
    spec: TaskSpec,
) -> dict[str, float]:
    """Drop in balanced accuracy (rise in RMSE) when each column is shuffled, largest first.

    Each shuffle is scored on at most `max_rows` rows drawn from X (the unshuffled baseline
    on all of them): at scale, every row x every column x every repeat costs minutes.
    """
    result = permutation_importance(
        model,
        X,
        y,
        scoring=spec.importance_scoring,
        n_repeats=repeats,
        random_state=seed,
        max_samples=min(max_rows, len(X)),
    )
    ranked = sorted(zip(X.columns, result.importances_mean, strict=True), key=lambda kv: -kv[1])
    return {str(name): float(value) for name, value in ranked}
