"""The champion rule: disparities on the selection rows, and the candidates within a bound."""

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from {{ cookiecutter.module_name }}.fairness.rule import selection_disparity, within_bound
from {{ cookiecutter.module_name }}.features import infer_schema
from {{ cookiecutter.module_name }}.selection import held_out_frame


@pytest.fixture
def scored():
    """Train + validation rows, and held-out P(positive) that favour group b."""
    rng = np.random.default_rng(0)
    n = 400
    rows = pd.DataFrame(
        {
            "group": rng.choice(["a", "b"], n),
            "other": rng.choice(["x", "y", "z"], n),
            "size": rng.normal(size=n),
            "label": rng.choice(["no", "yes"], n),
        }
    )
    positive = np.clip(rng.random(n) + np.where(rows["group"] == "b", 0.3, 0.0), 0, 1)
    held = held_out_frame(np.arange(n), np.column_stack([1 - positive, positive]))
    return rows, held, infer_schema(rows, "label")


@pytest.mark.parametrize(
    ("constraint", "fairlearns"),
    [
        ("demographic_parity", demographic_parity_difference),
        ("equalized_odds", equalized_odds_difference),
    ],
)
def test_the_disparity_is_fairlearns_at_the_candidates_threshold(scored, constraint, fairlearns):
    rows, held, schema = scored
    truth = (rows["label"] == "yes").astype(int)
    for threshold in (0.5, 0.8):
        answered = (held["output_1"] >= threshold).astype(int)
        expected = fairlearns(truth, answered, sensitive_features=rows["group"])
        found = selection_disparity(rows, held, schema, threshold, ["group"], constraint)
        assert found == pytest.approx(expected)


def test_several_columns_give_the_largest_disparity(scored):
    rows, held, schema = scored
    group, other = (
        selection_disparity(rows, held, schema, 0.5, [c], "demographic_parity")
        for c in ("group", "other")
    )
    assert group is not None
    assert other is not None
    assert group > other  # the scores favour b: a gap the rule must see
    both = selection_disparity(rows, held, schema, 0.5, ["group", "other"], "demographic_parity")
    assert both == group


def test_the_bound_keeps_the_candidates_within_it():
    found = within_bound({"baseline": 0.1, "mlp": 0.3}, 0.2, "equalized_odds")
    assert found.allowed == ["baseline"]
    assert not found.short
    assert "the baseline's 0.100, the mlp's 0.300" in found.said
    assert within_bound({"baseline": 0.1, "mlp": 0.3}, 0.3, "equalized_odds").allowed == [
        "baseline",
        "mlp",
    ]


def test_with_none_within_the_bound_the_smallest_is_kept_and_said():
    found = within_bound({"baseline": 0.4, "mlp": None}, 0.2, "demographic_parity")
    assert found.allowed == ["baseline"]  # an undefined disparity is no smaller
    assert "demographic parity difference" in found.short
    assert "fairness.max_disparity" in found.short
