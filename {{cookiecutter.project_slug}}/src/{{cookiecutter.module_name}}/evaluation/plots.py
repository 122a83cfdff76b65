"""Evaluation figures as PNG files: `FIGURES` draws each kind that a task lists.

The classifier's figures are in `class_plots`; the values', importance and the MLP's
epochs are here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt

from ..decision import Decision
from . import class_plots
from .figure import save


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
    return save(fig, path)


def residuals(y_true: npt.ArrayLike, predicted: npt.ArrayLike, title: str, path: Path) -> Path:
    """Residuals (actual minus predicted) against the prediction: patterns mean bias."""
    y, p = np.asarray(y_true, dtype=float), np.asarray(predicted, dtype=float)
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.scatter(p, y - p, s=12, alpha=0.6)
    ax.axhline(0, linestyle=":", color="grey")
    ax.set(xlabel="Predicted", ylabel="Actual - predicted", title=f"Residuals: {title}")
    return save(fig, path)


def importance(values: dict[str, float], title: str, path: Path, measure: str) -> Path:
    """Horizontal bars of permutation importance per original column."""
    names = list(values)[::-1]
    fig, ax = plt.subplots(figsize=(5.5, 0.4 * len(names) + 1.5))
    ax.barh(names, [values[n] for n in names], color="tab:blue")
    ax.set(xlabel=f"{measure} when shuffled", title=f"Feature importance: {title}")
    return save(fig, path)


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
    return save(fig, path)


# Every figure kind from (true target, model output, its decision, title, path).
Draw = Callable[[npt.ArrayLike, npt.NDArray[np.float64], Decision, str, Path], Path]
FIGURES: dict[str, Draw] = {
    "confusion": class_plots.confusion,
    "roc": class_plots.roc,
    "pr": class_plots.precision_recall,
    "calibration": class_plots.calibration,
    "predicted": lambda y, p, d, title, path: predicted_vs_actual(y, p, title, path),
    "residuals": lambda y, p, d, title, path: residuals(y, p, title, path),
}
