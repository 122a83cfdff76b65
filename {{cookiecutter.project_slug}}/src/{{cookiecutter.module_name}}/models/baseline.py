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

# The linear model of each task, from the `baseline` section of params.yaml.
LINEAR: dict[Task, Callable[[BaselineSettings, int], BaseEstimator]] = {
    "classification": lambda cfg, seed: LogisticRegression(
        C=cfg.C, max_iter=cfg.max_iter, random_state=seed
    ),
    "regression": lambda cfg, seed: Ridge(alpha=cfg.alpha),
}


def build_baseline(schema: FeatureSchema, cfg: BaselineSettings, seed: int) -> Pipeline:
    """Preprocessing followed by a logistic regression, or a ridge regression for numbers."""
    model = LINEAR[schema.task](cfg, seed)
    return Pipeline([("preprocess", build_preprocessor(schema)), ("model", model)])
