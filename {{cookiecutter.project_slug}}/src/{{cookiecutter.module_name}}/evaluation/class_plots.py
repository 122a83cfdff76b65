"""Figures of a classifier's test output: confusion, ROC, precision-recall, calibration.

With many classes they stay readable: the confusion matrix shows the most frequent classes
and one "other" row and column; the curves show the most frequent classes, legend beside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import ConfusionMatrixDisplay, auc, precision_recall_curve, roc_curve

from ..decision import Decision
from .figure import save

SHOWN = 10  # classes drawn at most; the rest are "other" in the matrix, left out of curves
OTHER = "(other)"
Proba = npt.NDArray[np.float64]


def frequent(y_true: npt.ArrayLike, classes: tuple[str, ...], k: int = SHOWN) -> list[str]:
    """Return the k classes with most test rows, in the classes' order."""
    counts = {c: int(np.sum(np.asarray(y_true) == c)) for c in classes}
    top = set(sorted(classes, key=lambda c: -counts[c])[:k])
    return [c for c in classes if c in top]


def confusion(
    y_true: npt.ArrayLike, proba: Proba, decision: Decision, title: str, path: Path
) -> Path:
    """Confusion matrix with counts, true class in rows; rare classes grouped as "other"."""
    shown = frequent(y_true, decision.classes)
    y, predicted = np.asarray(y_true), decision.labels(proba)
    labels = shown
    if len(shown) < len(decision.classes):
        y, predicted = (np.where(np.isin(a, shown), a, OTHER) for a in (y, predicted))
        labels = [*shown, OTHER]
    side = 4.5 + 0.3 * max(0, len(labels) - 4)
    fig, ax = plt.subplots(figsize=(side + 0.5, side))
    ConfusionMatrixDisplay.from_predictions(
        y, predicted, labels=labels, ax=ax, colorbar=False, cmap="Blues", xticks_rotation="vertical"
    )
    ax.set_title(f"Confusion matrix: {title}")
    return save(fig, path)


def _one_vs_rest(
    y_true: npt.ArrayLike, proba: Proba, classes: tuple[str, ...]
) -> list[tuple[str, npt.NDArray[np.bool_], Proba]]:
    y = np.asarray(y_true)
    shown = classes[1:] if len(classes) == 2 else frequent(y, classes)  # binary: the positive
    return [(c, y == c, proba[:, classes.index(c)]) for c in shown]


def _legend(
    fig: Figure, ax: Axes, curves: int, inside: Literal["lower right", "lower left"]
) -> None:
    """Inside the plot for a few curves; beside it for more, so no curve is covered."""
    if curves <= 4:
        ax.legend(loc=inside)
    else:
        fig.set_size_inches(7, 4.5)  # room beside the plot, which keeps its width
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize="small")


def roc(y_true: npt.ArrayLike, proba: Proba, decision: Decision, title: str, path: Path) -> Path:
    """One-vs-rest ROC curve per (frequent) class, with its AUC."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    curves = _one_vs_rest(y_true, proba, decision.classes)
    for label, positive, score in curves:
        fpr, tpr, _ = roc_curve(positive, score)
        ax.plot(fpr, tpr, label=f"{label} (AUC {auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set(xlabel="False positive rate", ylabel="True positive rate", title=f"ROC: {title}")
    _legend(fig, ax, len(curves) + 1, "lower right")
    return save(fig, path)


def precision_recall(
    y_true: npt.ArrayLike, proba: Proba, decision: Decision, title: str, path: Path
) -> Path:
    """One-vs-rest precision-recall curve per (frequent) class."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    curves = _one_vs_rest(y_true, proba, decision.classes)
    for label, positive, score in curves:
        precision, recall, _ = precision_recall_curve(positive, score)
        ax.plot(recall, precision, label=f"{label} (prevalence {positive.mean():.2f})")
    ax.set(xlabel="Recall", ylabel="Precision", title=f"Precision-recall: {title}")
    ax.set_ylim(0, 1.05)
    _legend(fig, ax, len(curves), "lower left")
    return save(fig, path)


def calibration(
    y_true: npt.ArrayLike, proba: Proba, decision: Decision, title: str, path: Path
) -> Path:
    """Reliability of the top predicted probability: how often that prediction is right."""
    y = np.asarray(y_true)
    correct = np.asarray(decision.classes)[proba.argmax(axis=1)] == y
    confidence = proba.max(axis=1)
    right, predicted = calibration_curve(correct, confidence, n_bins=5, strategy="quantile")
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    ax.plot(predicted, right, marker="o", label="model")
    ax.set(
        xlabel="Predicted probability of the likeliest class",
        ylabel="Observed accuracy",
        title=f"Calibration: {title}",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    ax.legend(loc="upper left")
    return save(fig, path)
