"""Metric names as params.yaml and MLflow spell them, and which way each is better."""

from __future__ import annotations

LOWER_IS_BETTER = frozenset({"log_loss", "rmse", "mae"})  # the other metrics: higher is better
VALIDATION = "val_"  # the prefix of the scores that training logs, which crown the champion


class MetricError(ValueError):
    """Raised when params.yaml names a metric of the other task; the message names the key."""


def greater_is_better(metric: str) -> bool:
    """Whether a higher value wins, for a metric name with or without its `val_` prefix."""
    return metric.removeprefix(VALIDATION) not in LOWER_IS_BETTER
