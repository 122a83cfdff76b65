"""The trade-off figure: each model's main metric against its disparity, with intervals."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..evaluation.figure import png
from .summary import FairnessReport, ModelFairness


def disparity_of(
    model: ModelFairness, column: str, report: FairnessReport
) -> tuple[float | None, float | None, float | None]:
    """Return the disparity plotted: the constraint's (two classes), else the metric's gap."""
    found = model.columns[column]
    if report.constraint in found.disparities:
        d = found.disparities[report.constraint]
        return d.value, d.interval.low, d.interval.high
    return found.difference.get(report.main_metric), None, None


def disparity_name(report: FairnessReport) -> str:
    """Name what the x axis measures."""
    if report.constraint:
        return f"{report.constraint.replace('_', ' ')} difference"
    return f"largest gap in {report.main_metric} between groups"


def tradeoff_figure(report: FairnessReport) -> bytes:
    """One panel per sensitive column; a point per model, 95% intervals as bars."""
    fig, axes = plt.subplots(
        1, len(report.sensitive), figsize=(5.5 * len(report.sensitive), 4.2), squeeze=False
    )
    for ax, column in zip(axes[0], report.sensitive, strict=True):
        for name, model in report.models.items():
            x, x_low, x_high = disparity_of(model, column, report)
            if x is None or model.main is None:
                continue
            xerr = [[x - x_low], [x_high - x]] if x_low is not None and x_high is not None else None
            low, high = model.interval.low, model.interval.high
            yerr = (
                [[model.main - low], [high - model.main]]
                if low is not None and high is not None
                else None
            )
            ax.errorbar(x, model.main, xerr=xerr, yerr=yerr, fmt="o", capsize=3, label=name)
            ax.annotate(name, (x, model.main), textcoords="offset points", xytext=(6, 6))
        ax.set_xlabel(f"{disparity_name(report)} across `{column}` (0: none)")
        ax.set_ylabel(f"{report.main_metric} (test)")
        ax.set_title(f"Trade-off across `{column}`")
        ax.grid(alpha=0.3)
    return png(fig)
