"""The mitigated candidate reduces the disparity it is asked to on the arrests table."""

import numpy as np
import pytest
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from {{ cookiecutter.module_name }}.data.sources import load_source
from {{ cookiecutter.module_name }}.fairness.mitigation import (
    fit_mitigation,
    group_rules,
    mitigated_answers,
)

MEASURES = {
    "demographic_parity": demographic_parity_difference,
    "equalized_odds": equalized_odds_difference,
}


@pytest.fixture(scope="module")
def arrests():
    """P(released) of a logistic regression, on rows it did not fit: two halves of the rest."""
    table = load_source("arrests").sample(frac=1.0, random_state=0).reset_index(drop=True)
    X, truth = table.drop(columns="released"), (table["released"] == "Yes").to_numpy(int)
    text = ["colour", "sex", "employed", "citizen"]
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(), text), (StandardScaler(), ["year", "age", "checks"])
        ),
        LogisticRegression(max_iter=1000),
    ).fit(X[:2600], truth[:2600])
    scores = model.predict_proba(X)[:, 1]
    held, check = slice(2600, 3900), slice(3900, None)
    return scores, truth, X[["colour"]], held, check


@pytest.mark.parametrize("constraint", list(MEASURES))
def test_mitigation_reduces_the_chosen_disparity(arrests, constraint):
    scores, truth, groups, held, check = arrests
    optimizer = fit_mitigation(
        constraint, "balanced_accuracy", scores[held], truth[held], groups[held]
    )
    answered = mitigated_answers(optimizer, scores[check], groups[check], seed=0)
    measure = MEASURES[constraint]
    # Unmitigated: the one threshold for everybody that is best on the same held-out rows.
    cuts = np.linspace(0.05, 0.95, 91)
    best = max(cuts, key=lambda cut: balanced_accuracy_score(truth[held], scores[held] >= cut))
    unmitigated = (scores[check] >= best).astype(int)
    before = measure(truth[check], unmitigated, sensitive_features=groups[check])
    after = measure(truth[check], answered, sensitive_features=groups[check])
    assert after < before / 2, (before, after)


def test_its_rules_name_each_group_and_add_up(arrests):
    scores, truth, groups, held, _ = arrests
    optimizer = fit_mitigation(
        "equalized_odds", "accuracy", scores[held], truth[held], groups[held]
    )
    rules = group_rules(optimizer)
    assert set(rules) == {"Black", "White"}
    for rule in rules.values():
        assert rule.p0 + rule.p1 == pytest.approx(1.0)
        assert rule.rule0.startswith((">", "<"))


def test_answers_are_the_same_for_the_same_seed(arrests):
    scores, truth, groups, held, check = arrests
    optimizer = fit_mitigation(
        "demographic_parity", "balanced_accuracy", scores[held], truth[held], groups[held]
    )
    first = mitigated_answers(optimizer, scores[check], groups[check], seed=1)
    again = mitigated_answers(optimizer, scores[check], groups[check], seed=1)
    np.testing.assert_array_equal(first, again)
    assert set(np.unique(first)) <= {0, 1}
