"""Metrics per group of a categorical column, and the largest gap between trusted groups."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..decision import Decision
from .metrics import Output, metric_value
from .summary import Group, SliceScores


def slice_metrics(
    groups: pd.Series,
    y_true: Any,
    output: Output,
    decision: Decision,
    metric: str,
    min_size: int,
) -> SliceScores:
    """Score each group of a column; flag groups too small to trust and report the gap."""
    y = np.asarray(y_true)
    keys = groups.astype(object).where(groups.notna(), "(missing)").astype(str).to_numpy()
    found: dict[str, Group] = {}
    for group in sorted(set(keys)):
        rows = keys == group
        # A group may hold one class or one row only: flagged if small, its score stays.
        value = metric_value(metric, y[rows], output[rows], decision)
        found[group] = Group(n=int(rows.sum()), value=value, small=bool(rows.sum() < min_size))
    trusted = [g.value for g in found.values() if not g.small and g.value is not None]
    gap = max(trusted) - min(trusted) if len(trusted) > 1 else 0.0
    return SliceScores(groups=found, gap=float(gap))
