"""Group metrics with fairlearn's MetricFrame: sizes, the main metric, rates, their gaps.

With two classes the rates are selection rate and true and false positive rates per group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import false_positive_rate, selection_rate, true_positive_rate

from ..decision import Decision
from ..evaluation.metrics import Output, metric_value
from ..evaluation.slices import by_group, defined
from .summary import ColumnFairness, GroupMeasures

RATES: dict[str, Callable[..., float]] = {
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
}


def _rate(rate: Callable[..., float], decision: Decision) -> Callable[[Any, Output], float]:
    """Make a fairlearn rate of the answers, the positive class (the second) read as 1."""
    positive = decision.classes[1]

    def measure(y: Any, output: Output) -> float:
        truth = (np.asarray(y) == positive).astype(int)
        return float(rate(truth, decision.indices(output), pos_label=1))

    return measure


def column_fairness(
    groups: pd.Series, y_true: Any, output: Output, decision: Decision, metric: str, min_size: int
) -> ColumnFairness:
    """Measure each group of one sensitive column, and the gaps between groups."""
    measures: dict[str, Callable[[Any, Output], float | None]] = {
        metric: lambda y, out: metric_value(metric, y, out, decision)
    }
    if len(decision.classes) == 2:
        measures |= {name: _rate(rate, decision) for name, rate in RATES.items()}
    frame = by_group(groups, y_true, output, measures)
    found = {
        str(group): GroupMeasures(
            n=int(row["n"]),
            small=bool(row["n"] < min_size),
            measures={name: defined(row[name]) for name in measures},
        )
        for group, row in frame.by_group.iterrows()
    }
    return ColumnFairness(
        groups=found,
        difference={name: defined(frame.difference()[name]) for name in measures},
        ratio={name: defined(frame.ratio()[name]) for name in measures},
    )
