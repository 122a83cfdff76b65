"""Evaluation figures, written as PNG files with matplotlib's non-interactive backend.

`FIGURES` draws each kind that a task lists (`TaskSpec.figures`) from a model's output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # no display needed; must precede pyplot

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure
from sklearn.calibration import calibration_curve
from sklearn.metrics import ConfusionMatrixDisplay, auc, precision_recall_curve, roc_curve


def _save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def confusion(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, classes: Sequence[str], title: str, path: Path
) -> Path:
    """Confusion matrix with counts, true class in rows."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ConfusionMatrixDisplay.from_predictions(
        y_true, y_pred, labels=list(classes), ax=ax, colorbar=False, cmap="Blues"
    )
    ax.set_title(f"Confusion matrix: {title}")
    return _save(fig, path)


def _one_vs_rest(
    y_true: npt.ArrayLike, proba: npt.NDArray[np.float64], classes: Sequence[str]
) -> list[tuple[str, npt.NDArray[np.bool_], npt.NDArray[np.float64]]]:
    y = np.asarray(y_true)
    shown = classes[1:] if len(classes) == 2 else classes  # binary: the positive class only
    return [(c, y == c, proba[:, list(classes).index(c)]) for c in shown]


def roc(
    y_true: npt.ArrayLike,
    proba: npt.NDArray[np.float64],
    classes: Sequence[str],
    title: str,
    path: Path,
) -> Path:
    """One-vs-rest ROC curve per class, with its AUC."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for label, positive, score in _one_vs_rest(y_true, proba, classes):
        fpr, tpr, _ = roc_curve(positive, score)
        ax.plot(fpr, tpr, label=f"{label} (AUC {auc(fpr, tpr):.3f})")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="chance")
    ax.set(xlabel="False positive rate", ylabel="True positive rate", title=f"ROC: {title}")
    ax.legend(loc="lower right")
    return _save(fig, path)


def precision_recall(
    y_true: npt.ArrayLike,
    proba: npt.NDArray[np.float64],
    classes: Sequence[str],
    title: str,
    path: Path,
) -> Path:
    """One-vs-rest precision-recall curve per class."""
    fig, ax = plt.subplots(figsize=(5, 4.5))
    for label, positive, score in _one_vs_rest(y_true, proba, classes):
        precision, recall, _ = precision_recall_curve(positive, score)
        ax.plot(recall, precision, label=f"{label} (prevalence {positive.mean():.2f})")
    ax.set(xlabel="Recall", ylabel="Precision", title=f"Precision-recall: {title}")
    ax.set_ylim(0, 1.05)
    ax.legend(loc="lower left")
    return _save(fig, path)


def calibration(
    y_true: npt.ArrayLike,
    proba: npt.NDArray[np.float64],
    classes: Sequence[str],
    title: str,
    path: Path,
) -> Path:
    """Reliability of the top predicted probability: how often that prediction is right."""
    y = np.asarray(y_true)
    correct = np.asarray(classes)[proba.argmax(axis=1)] == y
    confidence = proba.max(axis=1)
    right, predicted = calibration_curve(correct, confidence, n_bins=5, strategy="quantile")
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    ax.plot(predicted, right, marker="o", label="model")
    ax.set(
        xlabel="Predicted probability of the predicted class",
        ylabel="Observed accuracy",
        title=f"Calibration: {title}",
        xlim=(0, 1.02),
        ylim=(0, 1.02),
    )
    ax.legend(loc="upper left")
    return _save(fig, path)


def predicted_vs_actual(
    y_true: npt.ArrayLike, predicted: npt.ArrayLike, title: str, path: Path
) -> Path:
    """Each test row's prediction against its true value; perfect predictions lie on the line."""
    y, p = np.asarray(y_true, dtype=float), np.asarray(predicted, dtype=float)
    low, high = min(y.min(), p.min()), max(y.max(), p.max())
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(y, p, s=12, alpha=0.6)
    ax.plot([low, high], [low, high], linestyle=":", color="grey", label="perfect")
    ax.set(xlabel="Actual", ylabel="Predicted", title=f"Predicted vs actual: {title}")
    ax.legend(loc="upper left")
    return _save(fig, path)


def residuals(y_true: npt.ArrayLike, predicted: npt.ArrayLike, title: str, path: Path) -> Path:
    """Residuals (actual minus predicted) against the prediction: patterns mean bias."""
    y, p = np.asarray(y_true, dtype=float), np.asarray(predicted, dtype=float)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(p, y - p, s=12, alpha=0.6)
    ax.axhline(0, linestyle=":", color="grey")
    ax.set(xlabel="Predicted", ylabel="Actual - predicted", title=f"Residuals: {title}")
    return _save(fig, path)


def importance(values: dict[str, float], title: str, path: Path, measure: str) -> Path:
    """Horizontal bars of permutation importance per original column."""
    names = list(values)[::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.4 * len(names) + 1.5))
    ax.barh(names, [values[n] for n in names], color="tab:blue")
    ax.set(xlabel=f"{measure} when shuffled", title=f"Feature importance: {title}")
    return _save(fig, path)


def training_curves(history: list[dict[str, Any]], path: Path) -> Path:
    """Training and validation loss per epoch, and validation accuracy if there is one."""
    epochs = [h["epoch"] for h in history]
    with_accuracy = "val_accuracy" in history[0]
    columns = 2 if with_accuracy else 1
    fig, axes = plt.subplots(1, columns, figsize=(4.5 * columns, 3.8), squeeze=False)
    loss = axes[0, 0]
    loss.plot(epochs, [h["train_loss"] for h in history], label="train")
    loss.plot(epochs, [h["val_loss"] for h in history], label="validation")
    ylabel = "Cross-entropy" if with_accuracy else "Squared error (standardized target)"
    loss.set(xlabel="Epoch", ylabel=ylabel, title="MLP loss")
    loss.legend()
    if with_accuracy:
        accuracy = axes[0, 1]
        accuracy.plot(epochs, [h["val_accuracy"] for h in history], color="tab:green")
        accuracy.set(
            xlabel="Epoch", ylabel="Accuracy", title="MLP validation accuracy", ylim=(0, 1.02)
        )
    return _save(fig, path)


# Every figure kind from (true target, model output, classes, title, path).
Draw = Callable[[npt.ArrayLike, npt.NDArray[np.float64], Sequence[str], str, Path], Path]
FIGURES: dict[str, Draw] = {
    "confusion": lambda y, p, c, title, path: confusion(
        y, np.asarray(c)[p.argmax(axis=1)], c, title, path
    ),
    "roc": roc,
    "pr": precision_recall,
    "calibration": calibration,
    "predicted": lambda y, p, c, title, path: predicted_vs_actual(y, p, title, path),
    "residuals": lambda y, p, c, title, path: residuals(y, p, title, path),
}
