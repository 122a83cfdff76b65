"""One model across the sensitive columns: group metrics, disparities, the main metric."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..decision import Decision
from ..evaluation.bootstrap import bootstrap_interval
from ..evaluation.metrics import Output, metric_value
from ..evaluation.slices import group_keys
from ..evaluation.summary import Interval
from ..sections import EvaluationSettings
from .disparity import disparities
from .groups import column_fairness
from .summary import ModelFairness


def model_fairness(
    sensitive: pd.DataFrame,
    y: Any,
    output: Output,
    decision: Decision,
    metric: str,
    cfg: EvaluationSettings,
    seed: int,
) -> ModelFairness:
    """Measure one model's output on the test rows, column by sensitive column."""
    interval = bootstrap_interval(y, output, decision, metric, cfg.bootstrap, seed)
    low, high = interval or (None, None)
    binary = len(decision.classes) == 2
    truth = (np.asarray(y) == decision.classes[1]).astype(np.int64) if binary else None
    columns = {}
    for column in sensitive.columns:
        found = column_fairness(sensitive[column], y, output, decision, metric, cfg.min_slice_size)
        if truth is not None:
            keys = group_keys(sensitive[column])
            answered = decision.indices(output)
            found.disparities = disparities(truth, answered, keys, cfg.bootstrap, seed)
        columns[str(column)] = found
    return ModelFairness(
        main=metric_value(metric, y, output, decision),
        interval=Interval(low=low, high=high),
        columns=columns,
    )


def one_hot(answered: np.ndarray[Any, Any], classes: int = 2) -> Output:
    """Answers as an output that the likeliest-class decision reads back unchanged."""
    found: Output = np.eye(classes)[answered]
    return found


def too_small(report: dict[str, ModelFairness], min_size: int) -> list[str]:
    """Warn of the groups with too few test rows to judge (the same for every model)."""
    first = next(iter(report.values()), None)
    if first is None:
        return []
    return [
        f"Fairness: group {group!r} of `{column}` has {g.n} test rows (fewer than "
        f"evaluation.min_slice_size = {min_size}): its rates and gaps say little"
        for column, found in first.columns.items()
        for group, g in found.groups.items()
        if g.small
    ]
