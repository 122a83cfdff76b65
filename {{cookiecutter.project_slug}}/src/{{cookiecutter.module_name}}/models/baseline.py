"""The scikit-learn baseline: the shared preprocessing, then a linear model."""

from __future__ import annotations

from collections.abc import Callable

from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline

from ..features import build_preprocessor
from ..schema import FeatureSchema
from ..sections import BaselineSettings
from ..tasks import Task

# The linear model of each task, from the `baseline` section of params.yaml and the class
# weights of `imbalance.class_weight` (classes only).
LINEAR: dict[Task, Callable[[BaselineSettings, int, str | None], BaseEstimator]] = {
    "classification": lambda cfg, seed, weights: LogisticRegression(
        C=cfg.C, max_iter=cfg.max_iter, random_state=seed, class_weight=weights
    ),
    "regression": lambda cfg, seed, weights: Ridge(alpha=cfg.alpha),
}
# The keys of the `baseline` section that the other task's model reads, and this one doesn't:
# `make tune` leaves them out of the search.
UNUSED: dict[Task, frozenset[str]] = {
    "classification": frozenset({"alpha"}),
    "regression": frozenset({"C", "max_iter"}),
}


def build_baseline(
    schema: FeatureSchema, cfg: BaselineSettings, seed: int, class_weight: str | None = None
) -> Pipeline:
    """Preprocessing followed by a logistic regression, or a ridge regression for numbers."""
    model = LINEAR[schema.task](cfg, seed, class_weight)
    return Pipeline([("preprocess", build_preprocessor(schema)), ("model", model)])
