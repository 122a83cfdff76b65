"""Bootstrap intervals: one bincount per resample equals rescoring each resample."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.bootstrap import bootstrap_interval, label_metric
from {{ cookiecutter.module_name }}.evaluation.metrics import METRICS

Y = np.array(["a", "a", "b", "c", "c", "c"])
ABC = Decision(("a", "b", "c"))


PROBA = np.array(
    [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3], [0, 0, 1]]
)


def test_bootstrap_interval_brackets_the_score_and_repeats():
    y = np.tile(Y, 20)
    proba = np.tile(PROBA, (20, 1))
    found = bootstrap_interval(y, proba, ABC, "accuracy", 500, seed=0)
    assert found is not None
    low, high = found
    assert low < 4 / 6 < high
    assert (low, high) == bootstrap_interval(y, proba, ABC, "accuracy", 500, seed=0)


# "d" is predicted but never true: scikit-learn warns, and leaves it out of balanced accuracy.
@pytest.mark.filterwarnings("ignore:y_pred contains classes not in y_true")
@pytest.mark.parametrize("metric", ["accuracy", "balanced_accuracy", "f1_macro"])
def test_label_metrics_from_a_confusion_matrix_match_scikit_learn(metric):
    rng = np.random.default_rng(0)
    classes = np.array(["b", "a", "c", "d"])  # unsorted, and "d" never occurs below
    y = rng.choice(classes[:3], 300)
    predicted = np.where(rng.random(300) < 0.6, y, rng.choice(classes, 300))
    proba = np.eye(len(classes))[[list(classes).index(p) for p in predicted]]
    index = {label: i for i, label in enumerate(classes)}
    confusion = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(y, predicted, strict=True):
        confusion[index[t], index[p]] += 1
    assert label_metric(confusion, metric) == pytest.approx(
        METRICS[metric](y, proba, Decision(tuple(classes)))
    )


@pytest.mark.parametrize("metric", ["accuracy", "balanced_accuracy", "f1_macro"])
def test_bootstrap_equals_rescoring_each_resample(metric):
    rng = np.random.default_rng(1)
    y = rng.choice(["a", "b", "c"], 200)
    proba = rng.dirichlet([1, 1, 1], 200)
    classes = np.array(["a", "b", "c"])
    draws = np.random.default_rng(7)
    scores = [
        METRICS[metric](y[rows], proba[rows], Decision(tuple(classes)))
        for rows in (draws.integers(0, 200, 200) for _ in range(50))
    ]
    expected = tuple(np.percentile(scores, [2.5, 97.5]))
    found = bootstrap_interval(y, proba, Decision(tuple(classes)), metric, 50, seed=7)
    assert found == pytest.approx(expected)


def test_an_interval_no_resample_defines_is_none():
    assert (
        bootstrap_interval(np.array([2.0]), np.array([1.5]), Decision(()), "r2", 20, seed=0) is None
    )
