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
    roc_auc_score,
)

Labels = Sequence[str] | npt.NDArray[np.str_]
Proba = npt.NDArray[np.float64]
# Metrics where lower is better; the rest are "higher is better".
LOWER_IS_BETTER = {"log_loss"}


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
    y_true: Labels,
    proba: Proba,
    classes: Sequence[str],
    metric: str,
    n_resamples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval of a label metric over resampled rows."""
    labels = np.asarray(classes)
    k = len(labels)
    # Class indices once; each resample is then one bincount into a confusion matrix, which
    # keeps a thousand resamples of a large test split to seconds.
    true = pd.Categorical(np.asarray(y_true), categories=labels).codes.astype(np.int64)
    cells = true * k + proba.argmax(axis=1)
    rng = np.random.default_rng(seed)
    scores = []
    for _ in range(n_resamples):
        rows = rng.integers(0, len(cells), len(cells))
        confusion = np.bincount(cells[rows], minlength=k * k).reshape(k, k)
        scores.append(label_metric(confusion, metric))
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return float(low), float(high)


def slice_metrics(
    groups: pd.Series,
    y_true: Labels,
    proba: Proba,
    classes: Sequence[str],
    metric: str,
    min_size: int,
) -> dict[str, Any]:
    """Score each group of a column; flag groups too small to trust and report the gap."""
    y, labels = np.asarray(y_true), np.asarray(classes)
    keys = groups.astype(object).where(groups.notna(), "(missing)").astype(str).to_numpy()
    found: dict[str, dict[str, Any]] = {}
    for group in sorted(set(keys)):
        rows = keys == group
        with warnings.catch_warnings():
            # A group may hold one class only; its score is still defined, and flagged if small.
            warnings.simplefilter("ignore", UserWarning)
            value = METRICS[metric](y[rows], proba[rows], labels)
        found[group] = {"n": int(rows.sum()), "value": value, "small": bool(rows.sum() < min_size)}
    trusted = [g["value"] for g in found.values() if not g["small"]]
    gap = max(trusted) - min(trusted) if len(trusted) > 1 else 0.0
    return {"groups": found, "gap": float(gap)}


def feature_importance(
    model: Any, X: pd.DataFrame, y: Labels, repeats: int, seed: int, max_rows: int
) -> dict[str, float]:
    """Drop in balanced accuracy when each original column is shuffled, largest first.

    Each shuffle is scored on at most `max_rows` rows drawn from X (the unshuffled baseline
    on all of them): at scale, every row x every column x every repeat costs minutes.
    """
    result = permutation_importance(
        model,
        X,
        y,
        scoring="balanced_accuracy",
        n_repeats=repeats,
        random_state=seed,
        max_samples=min(max_rows, len(X)),
    )
    ranked = sorted(zip(X.columns, result.importances_mean, strict=True), key=lambda kv: -kv[1])
    return {str(name): float(value) for name, value in ranked}
