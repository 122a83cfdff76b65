"""Disparities: fairlearn's values, intervals from confusion counts that agree with them."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from {{ cookiecutter.module_name }}.fairness.disparity import disparities, from_counts


@pytest.fixture
def rows():
    rng = np.random.default_rng(0)
    groups = pd.Series(rng.choice(["a", "b", "c"], 600, p=[0.5, 0.3, 0.2]))
    truth = rng.integers(0, 2, 600)
    # Group b is answered positive more often: a disparity to find.
    answered = (rng.random(600) < np.where(groups == "b", 0.8, 0.4)).astype(np.int64)
    return truth, answered, groups


def test_counts_give_fairlearns_differences(rows):
    truth, answered, groups = rows
    codes = pd.Categorical(groups).codes
    counts = np.bincount(codes * 4 + truth * 2 + answered, minlength=12).reshape(3, 2, 2)
    found = from_counts(counts)
    assert found["demographic_parity"] == pytest.approx(
        demographic_parity_difference(truth, answered, sensitive_features=groups)
    )
    assert found["equalized_odds"] == pytest.approx(
        equalized_odds_difference(truth, answered, sensitive_features=groups)
    )


def test_intervals_hold_the_value_and_exclude_no_disparity(rows):
    truth, answered, groups = rows
    found = disparities(truth, answered, groups, n_resamples=300, seed=0)
    for disparity in found.values():
        low, value, high = disparity.interval.low, disparity.value, disparity.interval.high
        assert low is not None
        assert value is not None
        assert high is not None
        assert low < value < high
        assert low > 0.2  # 0.8 against 0.4: clearly not zero


def test_equal_answers_for_every_group_are_no_disparity():
    groups = pd.Series(["a", "b"] * 50)
    truth = np.tile([1, 1, 0, 0], 25)
    found = disparities(truth, truth.copy(), groups, n_resamples=50, seed=0)
    assert found["demographic_parity"].value == 0.0
    assert found["equalized_odds"].value == 0.0
