"""A binary classifier's threshold is chosen on held-out rows, for the main metric."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.metrics import metric_value
from {{ cookiecutter.module_name }}.sections import ImbalanceSettings
from {{ cookiecutter.module_name }}.tasks import CLASSIFICATION, REGRESSION
from {{ cookiecutter.module_name }}.thresholds import choose_threshold

CLASSES = ("no", "yes")


@pytest.fixture(scope="module")
def rare_positives():
    """2% positives whose probability is informative but always under 0.5."""
    rng = np.random.default_rng(0)
    y = np.where(rng.random(2000) < 0.02, "yes", "no")
    p = np.clip(np.where(y == "yes", 0.25, 0.05) + rng.normal(0, 0.04, len(y)), 0.001, 0.45)
    return y, np.column_stack([1 - p, p])


def test_a_tuned_threshold_beats_argmax_on_the_main_metric(rare_positives):
    y, proba = rare_positives
    cut = choose_threshold(
        ImbalanceSettings(), CLASSIFICATION, CLASSES, y, proba, "balanced_accuracy"
    )
    assert cut is not None
    assert 0 < cut < 0.5
    tuned = metric_value("balanced_accuracy", y, proba, Decision(CLASSES, cut))
    argmax = metric_value("balanced_accuracy", y, proba, Decision(CLASSES))
    assert argmax == 0.5  # never answers the rare class
    assert tuned is not None
    assert tuned > 0.9


def test_argmax_a_fixed_cut_and_other_tasks(rare_positives):
    y, proba = rare_positives
    fixed = ImbalanceSettings(threshold=0.3)
    assert choose_threshold(fixed, CLASSIFICATION, CLASSES, y, proba, "accuracy") == 0.3
    argmax = ImbalanceSettings(threshold="argmax")
    assert choose_threshold(argmax, CLASSIFICATION, CLASSES, y, proba, "accuracy") is None
    three = np.column_stack([proba, np.zeros(len(y))])
    assert (
        choose_threshold(ImbalanceSettings(), CLASSIFICATION, (*CLASSES, "z"), y, three, "accuracy")
        is None
    )
    values = np.linspace(0, 1, len(y))
    assert choose_threshold(ImbalanceSettings(), REGRESSION, (), values, values, "rmse") is None


@pytest.mark.parametrize("bad", [0, 1, 1.5, "maybe"])
def test_a_threshold_outside_zero_and_one_is_refused(bad):
    with pytest.raises(ValueError, match="threshold"):
        ImbalanceSettings(threshold=bad)


def test_the_decision_answers_the_positive_class_from_the_threshold_on():
    proba = np.array([[0.9, 0.1], [0.7, 0.3], [0.4, 0.6]])
    assert Decision(CLASSES, 0.3).labels(proba).tolist() == ["no", "yes", "yes"]
    assert Decision(CLASSES).labels(proba).tolist() == ["no", "no", "yes"]
