"""Percentile bootstrap intervals of a metric over resampled test rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..decision import Decision
from .metrics import Output, metric_value

LABEL_METRICS = ("accuracy", "balanced_accuracy", "f1_macro")  # read from a confusion matrix


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


def _label_scores(
    y_true: Any, proba: Output, decision: Decision, metric: str, resamples: Iterable[Any]
) -> list[float]:
    """Each resample is one bincount into a confusion matrix: seconds for a large test split."""
    labels = np.asarray(decision.classes)
    k = len(labels)
    true = pd.Categorical(np.asarray(y_true), categories=labels).codes.astype(np.int64)
    cells = true * k + decision.indices(proba)
    return [
        label_metric(np.bincount(cells[rows], minlength=k * k).reshape(k, k), metric)
        for rows in resamples
    ]


def bootstrap_interval(
    y_true: Any,
    output: Output,
    decision: Decision,
    metric: str,
    n_resamples: int,
    seed: int,
    level: float = 0.95,
) -> tuple[float, float] | None:
    """Percentile bootstrap interval of a label or value metric over resampled rows.

    None when no resample defines the metric (R² of a test split of one value, say).
    """
    rng = np.random.default_rng(seed)
    n = len(output)
    # Drawn one at a time: a thousand index arrays of a large test split would not fit.
    resamples = (rng.integers(0, n, n) for _ in range(n_resamples))
    if metric in LABEL_METRICS:
        scores = _label_scores(y_true, output, decision, metric, resamples)
    else:
        y = np.asarray(y_true)
        found = (metric_value(metric, y[rows], output[rows], decision) for rows in resamples)
        scores = [score for score in found if score is not None]
    if not scores:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(scores, [tail, 100 - tail])
    return float(low), float(high)
