"""Metrics computed the same way for every model: scores, intervals, slices, importance."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.inspection import permutation_importance
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

from .schema import Task

Labels = Sequence[str] | npt.NDArray[np.str_]
Proba = npt.NDArray[np.float64]
Values = npt.NDArray[np.float64]
# Metrics where lower is better; the rest are "higher is better".
LOWER_IS_BETTER = {"log_loss", "rmse", "mae"}
# What `auto` means in params.yaml: the interval's metric, and the champion's (on validation).
MAIN_METRIC: dict[Task, str] = {"classification": "balanced_accuracy", "regression": "rmse"}
CHAMPION_METRIC: dict[Task, str] = {"classification": "log_loss", "regression": "rmse"}
# What permutation importance measures: a drop in this score (negated RMSE: a rise in RMSE),
# and how the figure and the model card say it.
IMPORTANCE_SCORING: dict[Task, str] = {
    "classification": "balanced_accuracy",
    "regression": "neg_root_mean_squared_error",
}
IMPORTANCE_MEASURE: dict[Task, str] = {
    "classification": "drop in balanced accuracy",
    "regression": "rise in RMSE",
}


class MetricError(ValueError):
    """Raised when params.yaml names a metric of the other task; the message names the key."""


def _roc_auc(y_true: Labels, proba: Proba, labels: npt.NDArray[np.str_]) -> float:
    if len(labels) == 2:
        return float(roc_auc_score(np.asarray(y_true) == labels[1], proba[:, 1]))
    return float(roc_auc_score(y_true, proba, multi_class="ovr", labels=labels))


METRICS: dict[str, Callable[[Labels, Proba, npt.NDArray[np.str_]], float]] = {
    "accuracy": lambda y, p, c: float(accuracy_score(y, c[p.argmax(axis=1)])),
    "balanced_accuracy": lambda y, p, c: float(balanced_accuracy_score(y, c[p.argmax(axis=1)])),
    "f1_macro": lambda y, p, c: float(f1_score(y, c[p.argmax(axis=1)], average="macro")),
    "roc_auc": _roc_auc,
    "log_loss": lambda y, p, c: float(log_loss(y, p, labels=c)),
}


REGRESSION: dict[str, Callable[[Values, Values], float]] = {
    "rmse": lambda y, p: float(root_mean_squared_error(y, p)),
    "mae": lambda y, p: float(mean_absolute_error(y, p)),
    "r2": lambda y, p: float(r2_score(y, p)),
}


def model_output(model: Any, X: pd.DataFrame, task: Task) -> npt.NDArray[np.float64]:
    """Return what every metric of the task reads: class probabilities, or predicted values."""
    output: npt.NDArray[np.float64] = (
        model.predict(X) if task == "regression" else model.predict_proba(X)
    )
    return output


def classes_of(model: Any) -> list[str]:
    """Return a classifier's classes in the order of its probability columns; [] for values."""
    return [str(c) for c in getattr(model, "classes_", [])]


def metric_names(task: Task) -> list[str]:
    """Name the metrics every model of the task is scored with."""
    return list(REGRESSION if task == "regression" else METRICS)


def _resolve(choice: str, task: Task, default: str, key: str, prefix: str) -> str:
    metric = choice.removeprefix(prefix)
    if metric == "auto":
        return prefix + default
    if metric not in metric_names(task):
        choices = ", ".join(["auto", *(prefix + m for m in metric_names(task))])
        raise MetricError(f"{key}: {choice} is not a {task} metric; choose one of {choices}")
    return choice


def champion_metric(choice: str, task: Task) -> str:
    """Resolve `mlflow.champion_metric` for the task; a metric of the other task fails."""
    return _resolve(choice, task, CHAMPION_METRIC[task], "mlflow.champion_metric", "val_")


def main_metric(choice: str, task: Task) -> str:
    """Resolve `evaluation.main_metric` for the task; a metric of the other task fails."""
    return _resolve(choice, task, MAIN_METRIC[task], "evaluation.main_metric", "")


def greater_is_better(metric: str) -> bool:
    """Whether a higher value wins, for a metric name with or without its `val_` prefix."""
    return metric.removeprefix("val_") not in LOWER_IS_BETTER


def mean_predictor(train_mean: float, y_true: Values) -> dict[str, float]:
    """Scores of always predicting the training mean: the floor a regressor must beat."""
    return task_metrics("regression", y_true, np.full(len(y_true), train_mean), [])


def task_metrics(
    task: Task, y_true: Labels | Values, output: Proba | Values, classes: Sequence[str]
) -> dict[str, float]:
    """Score a model's output: class probabilities (columns follow `classes`) or values."""
    return {name: metric_value(name, y_true, output, classes) for name in metric_names(task)}


def metric_value(
    metric: str, y_true: Labels | Values, output: Proba | Values, classes: Sequence[str]
) -> float:
    """One metric of a model's output, either task's."""
    if metric in REGRESSION:
        return REGRESSION[metric](np.asarray(y_true, dtype=np.float64), output)
    return METRICS[metric](y_true, output, np.asarray(classes))  # type: ignore[arg-type]


def classification_metrics(
    y_true: Labels, proba: Proba, classes: Sequence[str]
) -> dict[str, float]:
    """Score predicted probabilities whose columns follow `classes`."""
    labels = np.asarray(classes)
    return {name: metric(y_true, proba, labels) for name, metric in METRICS.items()}


def majority_rate(y: Labels) -> float:
    """Accuracy of always predicting the most frequent class: the floor to beat."""
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return float(counts.max() / counts.sum())


def label_metric(confusion: npt.NDArray[np.int64], metric: str) -> float:
    """Score a confusion matrix (rows true, columns predicted) with a label metric.

    Accuracy, balanced accuracy or macro F1, as scikit-learn computes them: balanced accuracy
    averages the classes that occur, macro F1 the classes that occur or are predicted.
    """
    true, predicted, hits = confusion.sum(axis=1), confusion.sum(axis=0), np.diag(confusion)
    if metric == "accuracy":
        return float(hits.sum() / confusion.sum())
    if metric == "balanced_accuracy":
        present = true > 0
        return float((hits[present] / true[present]).mean())
    if metric == "f1_macro":
        seen = (true + predicted) > 0
        return float((2 * hits[seen] / (true[seen] + predicted[seen])).mean())
    raise ValueError(f"{metric!r} is not a metric of predicted labels")


def bootstrap_interval(
    y_true: Labels | Values,
    output: Proba | Values,
    classes: Sequence[str],
    metric: str,
    n_resamples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a label or regression metric over resampled rows."""
    rng = np.random.default_rng(seed)
    n = len(output)
    if metric in REGRESSION:
        y, values = np.asarray(y_true, dtype=np.float64), np.asarray(output, dtype=np.float64)
        scores = []
        for _ in range(n_resamples):
            rows = rng.integers(0, n, n)
            scores.append(REGRESSION[metric](y[rows], values[rows]))
    else:
        labels = np.asarray(classes)
        k = len(labels)
        # Class indices once; each resample is then one bincount into a confusion matrix,
        # which keeps a thousand resamples of a large test split to seconds.
        true = pd.Categorical(np.asarray(y_true), categories=labels).codes.astype(np.int64)
        cells = true * k + output.argmax(axis=1)
        scores = []
        for _ in range(n_resamples):
            confusion = np.bincount(cells[rng.integers(0, n, n)], minlength=k * k)
            scores.append(label_metric(confusion.reshape(k, k), metric))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return float(low), float(high)


def slice_metrics(
    groups: pd.Series,
    y_true: Labels | Values,
    output: Proba | Values,
    classes: Sequence[str],
    metric: str,
    min_size: int,
) -> dict[str, Any]:
    """Score each group of a column; flag groups too small to trust and report the gap."""
    y = np.asarray(y_true)
    keys = groups.astype(object).where(groups.notna(), "(missing)").astype(str).to_numpy()
    found: dict[str, dict[str, Any]] = {}
    for group in sorted(set(keys)):
        rows = keys == group
        with warnings.catch_warnings():
            # A group may hold one class or one row only: flagged if small, its score stays.
            warnings.simplefilter("ignore", UserWarning)
            value = metric_value(metric, y[rows], output[rows], classes)
        found[group] = {"n": int(rows.sum()), "value": value, "small": bool(rows.sum() < min_size)}
    trusted = [g["value"] for g in found.values() if not g["small"]]
    gap = max(trusted) - min(trusted) if len(trusted) > 1 else 0.0
    return {"groups": found, "gap": float(gap)}


def feature_importance(
    model: Any,
    X: pd.DataFrame,
    y: Labels | Values,
    repeats: int,
    seed: int,
    max_rows: int,
    task: Task = "classification",
) -> dict[str, float]:
    """Drop in balanced accuracy (rise in RMSE) when each column is shuffled, largest first.

    Each shuffle is scored on at most `max_rows` rows drawn from X (the unshuffled baseline
    on all of them): at scale, every row x every column x every repeat costs minutes.
    """
    result = permutation_importance(
        model,
        X,
        y,
        scoring=IMPORTANCE_SCORING[task],
        n_repeats=repeats,
        random_state=seed,
        max_samples=min(max_rows, len(X)),
    )
    ranked = sorted(zip(X.columns, result.importances_mean, strict=True), key=lambda kv: -kv[1])
    return {str(name): float(value) for name, value in ranked}
