"""Group metrics with MetricFrame agree with counting rows by hand."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.fairness.groups import column_fairness

DECISION = Decision(("no", "yes"), threshold=0.5)
# Group a: truth yes yes no no, answered yes no yes no.
# Group b: truth yes no no, answered yes yes yes.
Y = np.array(["yes", "yes", "no", "no", "yes", "no", "no"])
P_YES = np.array([0.9, 0.2, 0.7, 0.1, 0.8, 0.6, 0.55])
GROUPS = pd.Series(["a", "a", "a", "a", "b", "b", "b"], name="colour")


def test_rates_sizes_and_gaps_match_a_direct_count():
    proba = np.column_stack([1 - P_YES, P_YES])
    found = column_fairness(GROUPS, Y, proba, DECISION, "accuracy", min_size=4)
    a, b = found.groups["a"], found.groups["b"]
    assert (a.n, a.small, b.n, b.small) == (4, False, 3, True)
    assert a.measures == pytest.approx(
        {
            "accuracy": 2 / 4,
            "selection_rate": 2 / 4,
            "true_positive_rate": 1 / 2,
            "false_positive_rate": 1 / 2,
        }
    )
    assert b.measures == pytest.approx(
        {
            "accuracy": 1 / 3,
            "selection_rate": 1.0,
            "true_positive_rate": 1.0,
            "false_positive_rate": 1.0,
        }
    )
    assert found.difference["selection_rate"] == pytest.approx(1 - 1 / 2)
    assert found.ratio["selection_rate"] == pytest.approx(0.5)
    assert found.difference["accuracy"] == pytest.approx(1 / 2 - 1 / 3)


def test_the_threshold_decides_what_counts_as_selected():
    proba = np.column_stack([1 - P_YES, P_YES])
    strict = Decision(("no", "yes"), threshold=0.85)  # only the 0.9 row is answered yes
    found = column_fairness(GROUPS, Y, proba, strict, "accuracy", min_size=1)
    assert found.groups["a"].measures["selection_rate"] == pytest.approx(1 / 4)
    assert found.groups["b"].measures["selection_rate"] == 0.0


def test_without_two_classes_only_the_main_metric_is_compared():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    predicted = values + np.array([0, 0, 0, 0, 1, -1, 1])
    found = column_fairness(GROUPS, values, predicted, Decision(()), "mae", min_size=1)
    assert set(found.groups["a"].measures) == {"mae"}
    assert found.groups["b"].measures["mae"] == pytest.approx(1.0)
    assert found.difference == {"mae": pytest.approx(1.0)}
    assert found.disparities == {}
