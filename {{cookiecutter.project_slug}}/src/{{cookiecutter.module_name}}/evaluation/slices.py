"""Metrics per group of a categorical column, and the largest gap between trusted groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count

from ..decision import Decision
from ..tasks import Score
from .metrics import Output, metric_value
from .summary import Group, SliceScores

MISSING = "(missing)"  # the group of rows whose column is empty


def group_keys(groups: pd.Series) -> pd.Series:
    """Name each row's group as text, missing values as a group of their own."""
    keys = groups.astype(object).where(groups.notna(), MISSING).astype(str)
    named: pd.Series = pd.Series(keys.to_numpy(), name=str(groups.name))
    return named


def by_group(
    groups: pd.Series, y_true: Any, output: Output, measures: dict[str, Callable[..., Score]]
) -> MetricFrame:
    """Measure each group of a column with fairlearn's MetricFrame; its size is `n`."""
    return MetricFrame(
        metrics={**measures, "n": count},
        y_true=np.asarray(y_true),
        y_pred=output,
        sensitive_features=group_keys(groups),
    )


def slice_metrics(
    groups: pd.Series,
    y_true: Any,
    output: Output,
    decision: Decision,
    metric: str,
    min_size: int,
) -> SliceScores:
    """Score each group of a column; flag groups too small to trust and report the gap."""
    # A group may hold one class or one row only: flagged if small, its score stays.
    frame = by_group(
        groups, y_true, output, {"value": lambda y, out: metric_value(metric, y, out, decision)}
    )
    found = {
        str(group): Group(n=int(n), value=defined(value), small=bool(n < min_size))
        for group, value, n in frame.by_group[["value", "n"]].itertuples()
    }
    trusted = [g.value for g in found.values() if not g.small and g.value is not None]
    gap = max(trusted) - min(trusted) if len(trusted) > 1 else 0.0
    return SliceScores(groups=found, gap=float(gap))


def defined(value: object) -> float | None:
    """MetricFrame holds an undefined score (None) as NaN; the summaries say None."""
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[call-overload, arg-type]
