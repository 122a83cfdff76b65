"""The mitigated candidate: fairlearn's ThresholdOptimizer on a candidate's probabilities.

Post-processing: a threshold per group (a random mix of two), chosen on held-out rows so
that the groups' rates match (`fairness.constraint`) at the best main metric it can keep.
Its answers depend on the sensitive column and on chance, so the ONNX graph does not
carry it: it is assessed and reported beside the served champion, never served.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from sklearn.base import BaseEstimator, ClassifierMixin

from .summary import GroupRule

# What it maximizes under the constraint: fairlearn's names for our main metrics.
OBJECTIVES = {"accuracy": "accuracy_score", "balanced_accuracy": "balanced_accuracy_score"}


class GivenScores(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A model whose one input column is its score: the candidate's held-out probabilities."""

    def fit(self, X: Any = None, y: Any = None) -> GivenScores:
        """Nothing to learn: the scores come from a candidate trained elsewhere."""
        self.fitted_ = True
        return self

    def predict(self, X: Any) -> npt.NDArray[np.float64]:
        """Return the scores."""
        return np.asarray(X, dtype=np.float64)[:, 0]


def fit_mitigation(
    constraint: str,
    main_metric: str,
    scores: npt.NDArray[np.float64],
    truth: npt.NDArray[np.int64],
    groups: pd.DataFrame,
) -> ThresholdOptimizer:
    """Choose each group's thresholds on held-out P(positive) and 0/1 truth."""
    optimizer = ThresholdOptimizer(
        estimator=GivenScores().fit(),
        constraints=constraint,
        objective=OBJECTIVES.get(main_metric, "balanced_accuracy_score"),
        prefit=True,
        predict_method="predict",
    )
    return optimizer.fit(scores[:, None], truth, sensitive_features=groups)


def mitigated_answers(
    optimizer: ThresholdOptimizer,
    scores: npt.NDArray[np.float64],
    groups: pd.DataFrame,
    seed: int,
) -> npt.NDArray[np.int64]:
    """Answer 0/1 for each row; seeded, since the optimizer mixes thresholds at random."""
    answered = optimizer.predict(scores[:, None], sensitive_features=groups, random_state=seed)
    return np.asarray(answered, dtype=np.int64)


def group_rules(optimizer: ThresholdOptimizer) -> dict[str, GroupRule]:
    """Return the thresholds it chose, per group, as the report shows them."""
    rules = {}
    for group, found in optimizer.interpolated_thresholder_.interpolation_dict.items():
        rules[str(group)] = GroupRule(
            p0=float(found["p0"]),
            rule0=f"{found['operation0'].operator} {found['operation0'].threshold:.3f}",
            p1=float(found["p1"]),
            rule1=f"{found['operation1'].operator} {found['operation1'].threshold:.3f}",
            p_random=float(found.get("p_ignore", 0.0)),
            constant=float(found.get("prediction_constant", 0.0)),
        )
    return rules
