"""Slices: a score per group, small groups flagged and left out of the gap."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.slices import slice_metrics

Y = np.array(["a", "a", "b", "c", "c", "c"])


PROBA = np.array(
    [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3], [0, 0, 1]]
)


def test_slices_score_each_group_and_flag_small_ones():
    groups = pd.Series(["x", "x", "x", "y", "y", None])
    result = slice_metrics(groups, Y, PROBA, Decision(("a", "b", "c")), "accuracy", min_size=2)
    found = {name: group.model_dump() for name, group in result.groups.items()}
    assert found["x"] == {"n": 3, "value": pytest.approx(2 / 3), "small": False}
    assert found["y"]["value"] == pytest.approx(1 / 2)
    assert found["(missing)"] == {"n": 1, "value": 1.0, "small": True}
    assert result.gap == pytest.approx(2 / 3 - 1 / 2)  # the flagged group is left out


def test_a_group_whose_score_is_undefined_is_none_and_out_of_the_gap():
    groups = pd.Series(["x", "x", "x", "y"])
    y, predicted = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.1, 2.1, 2.9, 3.0])
    result = slice_metrics(groups, y, predicted, Decision(()), "r2", min_size=1)
    assert result.groups["y"].value is None  # R² of one row
    assert result.groups["x"].value == pytest.approx(1 - 0.03 / 2)  # R² of the three
    assert result.gap == 0.0
