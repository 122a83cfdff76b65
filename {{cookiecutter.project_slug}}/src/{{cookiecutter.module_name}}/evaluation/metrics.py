"""Every metric by name, computed the same way for every model, split and slice.

A metric reads a model's output, class probabilities or predicted values, and a
`Decision`: the classes of the columns, and how labels are made of them (label metrics read
those). Which metrics score a task, and which way they point, is `tasks`' to say.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)

from ..decision import Decision
from ..tasks import CLASSIFICATION, Score, TaskSpec

log = logging.getLogger(__name__)

Labels = Sequence[str] | npt.NDArray[np.str_]
Output = npt.NDArray[np.float64]  # probabilities (one column per class), or values
Metric = Callable[[Any, Output, Decision], float]


def _roc_auc(y_true: Labels, proba: Output, decision: Decision) -> float:
    classes = list(decision.classes)
    if len(classes) == 2:
        return float(roc_auc_score(np.asarray(y_true) == classes[1], proba[:, 1]))
    return float(roc_auc_score(y_true, proba, multi_class="ovr", labels=classes))


def _values(y: Any) -> npt.NDArray[np.float64]:
    return np.asarray(y, dtype=np.float64)


METRICS: dict[str, Metric] = {
    "accuracy": lambda y, p, d: float(accuracy_score(y, d.labels(p))),
    "balanced_accuracy": lambda y, p, d: float(balanced_accuracy_score(y, d.labels(p))),
    "f1_macro": lambda y, p, d: float(f1_score(y, d.labels(p), average="macro")),
    "roc_auc": _roc_auc,
    "log_loss": lambda y, p, d: float(log_loss(y, p, labels=list(d.classes))),
    "rmse": lambda y, p, c: float(root_mean_squared_error(_values(y), p)),
    "mae": lambda y, p, c: float(mean_absolute_error(_values(y), p)),
    "r2": lambda y, p, c: float(r2_score(_values(y), p)),
}


def metric_value(metric: str, y_true: Any, output: Output, decision: Decision) -> Score:
    """One metric of a model's output; None where the rows leave it undefined.

    ROC AUC of a class with no rows, R² of one row: scikit-learn answers NaN or refuses,
    and NaN is not JSON. The log says why.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = METRICS[metric](y_true, output, decision)
        except ValueError as exc:
            log.warning("%s is undefined on these %d rows: %s", metric, len(output), exc)
            return None
    if math.isfinite(value):
        return value
    why = "; ".join(str(w.message) for w in caught) or f"it is {value}"
    log.warning("%s is undefined on these %d rows: %s", metric, len(output), why)
    return None


def task_metrics(
    spec: TaskSpec, y_true: Any, output: Output, decision: Decision
) -> dict[str, Score]:
    """Score a model's output with every metric of its task."""
    return {name: metric_value(name, y_true, output, decision) for name in spec.metrics}


def model_scores(
    model: Any,
    X: pd.DataFrame,
    y_true: Any,
    spec: TaskSpec,
    prefix: str = "",
    threshold: float | None = None,
) -> dict[str, Score]:
    """Score a fitted model on (X, y) with every metric of its task, names prefixed."""
    output = model_output(model, X, spec)
    scores = task_metrics(spec, y_true, output, decision_of(model, threshold))
    return {prefix + name: value for name, value in scores.items()}


def classification_metrics(
    y_true: Labels, proba: Output, classes: Sequence[str], threshold: float | None = None
) -> dict[str, Score]:
    """Score predicted probabilities whose columns follow `classes`."""
    return task_metrics(CLASSIFICATION, y_true, proba, Decision(tuple(classes), threshold))


def model_output(model: Any, X: pd.DataFrame, spec: TaskSpec) -> Output:
    """Return what every metric of the task reads: class probabilities, or predicted values."""
    output: Output = getattr(model, spec.predict_method)(X)
    return output


def classes_of(model: Any) -> list[str]:
    """Return a classifier's classes in the order of its probability columns; [] for values."""
    return [str(c) for c in getattr(model, "classes_", [])]


def decision_of(model: Any, threshold: float | None = None) -> Decision:
    """How a fitted model's output becomes labels: its classes, and the threshold if any."""
    return Decision(tuple(classes_of(model)), threshold)


def majority_rate(y: Labels) -> float:
    """Accuracy of always predicting the most frequent class."""
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return float(counts.max() / counts.sum())


def floor_scores(
    spec: TaskSpec, y_train: Any, y_scored: Any, classes: Sequence[str]
) -> dict[str, Score]:
    """Score the task's trivial predictor (no features) on some rows: every metric's floor."""
    output = spec.floor_output(y_train, len(y_scored), classes)
    return task_metrics(spec, y_scored, output, Decision(tuple(classes)))
