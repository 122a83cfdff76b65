"""Classification metrics computed the same way for every model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, log_loss


def classification_metrics(
    y_true: Sequence[str] | npt.NDArray[np.str_],
    proba: npt.NDArray[np.float64],
    classes: Sequence[str],
) -> dict[str, float]:
    """Score predicted probabilities whose columns follow `classes`."""
    labels = np.asarray(classes)
    y_pred = labels[proba.argmax(axis=1)]
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "f1_macro": float(f1_score(y_true, y_pred, average="macro")),
        "log_loss": float(log_loss(y_true, proba, labels=labels)),
    }


def majority_rate(y: Sequence[str] | npt.NDArray[np.str_]) -> float:
    """Accuracy of always predicting the most frequent class: the floor to beat."""
    _, counts = np.unique(np.asarray(y), return_counts=True)
    return float(counts.max() / counts.sum())
