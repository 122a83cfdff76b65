"""Metrics by name, as scikit-learn computes them."""

import numpy as np
import pytest
from sklearn.metrics import f1_score, log_loss, roc_auc_score

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.metrics import (
    classification_metrics,
    majority_rate,
    metric_value,
)

Y = np.array(["a", "a", "b", "c", "c", "c"])


PROBA = np.array(
    [[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8], [0.5, 0.2, 0.3], [0, 0, 1]]
)


def test_metrics_match_scikit_learn():
    metrics = classification_metrics(Y, PROBA, ["a", "b", "c"])
    predicted = np.array(["a", "b", "b", "c", "a", "c"])
    assert metrics["accuracy"] == pytest.approx(4 / 6)
    assert metrics["f1_macro"] == pytest.approx(f1_score(Y, predicted, average="macro"))
    assert metrics["log_loss"] == pytest.approx(log_loss(Y, PROBA, labels=["a", "b", "c"]))
    assert metrics["balanced_accuracy"] == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)


def test_majority_rate():
    assert majority_rate(Y) == pytest.approx(3 / 6)


def test_roc_auc_matches_scikit_learn():
    metrics = classification_metrics(Y, PROBA, ["a", "b", "c"])
    expected = roc_auc_score(Y, PROBA, multi_class="ovr", labels=["a", "b", "c"])
    assert metrics["roc_auc"] == pytest.approx(expected)


def test_binary_roc_auc_uses_the_positive_column():
    y = np.array(["no", "yes", "yes", "no"])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    metrics = classification_metrics(y, proba, ["no", "yes"])
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(y == "yes", proba[:, 1]))


def test_a_metric_the_rows_leave_undefined_is_none_and_the_log_says_why(caplog):
    one_class = np.array(["a", "a", "a"])
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3]])
    assert metric_value("roc_auc", one_class, proba, Decision(("a", "b"))) is None
    assert metric_value("r2", np.array([3.0]), np.array([2.5]), Decision(())) is None
    assert "roc_auc is undefined on these 3 rows" in caplog.text
    assert "r2 is undefined on these 1 rows" in caplog.text
    assert metric_value("accuracy", one_class, proba, Decision(("a", "b"))) == 1.0
