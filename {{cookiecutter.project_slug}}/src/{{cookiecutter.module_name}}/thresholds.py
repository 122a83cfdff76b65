"""The decision threshold of a binary classifier, chosen on rows that it did not fit on.

scikit-learn's `TunedThresholdClassifierCV` searches the same way but refits the model
once per fold; here each candidate's held-out probabilities exist already (its folds, or
the validation split), so the search reads them. The probabilities stay as they are: only
the label changes, as `tasks.Decision` applies it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .decision import Decision
from .evaluation.metrics import Output, metric_value
from .metric_names import greater_is_better
from .sections import ImbalanceSettings
from .tasks import TaskSpec

CUTS = 200  # thresholds tried at most: quantiles of the held-out probabilities


def choose_threshold(
    cfg: ImbalanceSettings,
    spec: TaskSpec,
    classes: tuple[str, ...],
    y_held: Any,
    proba: Output,
    metric: str,
) -> float | None:
    """Return the threshold that `imbalance.threshold` asks for; None: the likelier class.

    Only binary targets have one. `tuned` picks the cut on the positive class's held-out
    probability that scores best on `metric` (the main metric); among equal scores, the
    middle one.
    """
    if spec.name != "classification" or len(classes) != 2 or cfg.threshold == "argmax":
        return None
    if not isinstance(cfg.threshold, str):
        return float(cfg.threshold)
    positive = proba[:, 1]
    cuts = np.unique(np.quantile(positive, np.linspace(0, 1, CUTS)))
    sign = 1.0 if greater_is_better(metric) else -1.0
    found = [metric_value(metric, y_held, proba, Decision(classes, float(t))) for t in cuts]
    scores = np.array([-np.inf if s is None else sign * s for s in found])
    best = np.flatnonzero(scores == scores.max())
    return float(cuts[best[len(best) // 2]])
