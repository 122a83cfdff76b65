"""SHAP over many rows, for the model card.

Each feature's mean absolute contribution to the served answers, and shap's beeswarm of
every contribution.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..evaluation.figure import png
from ..schema import Row
from .shapley import Contributions, Explainer
from .summary import ShapSummary


def summarise(
    explainer: Explainer, rows: Sequence[Row], model: str
) -> tuple[ShapSummary, bytes | None]:
    """Explain each row's answer; return the summary and the beeswarm (None without rows).

    Rows with a category unseen in training are left out, as the API refuses them.
    """
    unseen = sum(not explainer.knows(row) for row in rows)
    rows = [row for row in rows if explainer.knows(row)]
    if not rows:
        return ShapSummary(model=model, rows=0, unseen=unseen, exact=explainer.exact), None
    found = [explainer.explain_answer(row) for row in rows]
    values = np.stack([f.contributions for f in found])
    means = dict(zip(explainer.model.schema.names, np.abs(values).mean(axis=0), strict=True))
    ranked = {name: float(v) for name, v in sorted(means.items(), key=lambda item: -item[1])}
    summary = ShapSummary(
        model=model, rows=len(rows), unseen=unseen, exact=explainer.exact, mean_abs=ranked
    )
    return summary, beeswarm(explainer, rows, found)


def beeswarm(explainer: Explainer, rows: Sequence[Row], found: list[Contributions]) -> bytes:
    """Draw shap's summary plot: a dot per row and feature, coloured by the feature's value."""
    import matplotlib.pyplot as plt
    import shap

    schema = explainer.model.schema
    data = explainer.encode(rows)
    # A category's index is no scale to colour by: its dots are grey, as shap draws missing.
    data[:, [f.kind != "numeric" for f in schema.features]] = np.nan
    values = np.stack([f.contributions for f in found])
    shown = min(len(schema.features), 15)
    explanation = shap.Explanation(values, data=data, feature_names=schema.names)
    size = (8.0, 1.5 + 0.4 * shown)
    shap.plots.beeswarm(explanation, max_display=shown, show=False, plot_size=size)
    axes = plt.gca()
    axes.set_xlabel(f"SHAP value ({schema.spec.explained_words})", fontsize=11)
    axes.set_title(f"What moves the served model's answers ({len(rows)} test rows)")
    return png(plt.gcf())
