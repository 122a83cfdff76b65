import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, log_loss, roc_auc_score

from {{ cookiecutter.module_name }}.evaluation import (
    METRICS,
    bootstrap_interval,
    classification_metrics,
    feature_importance,
    label_metric,
    majority_rate,
    slice_metrics,
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


def test_bootstrap_interval_brackets_the_score_and_repeats():
    y = np.tile(Y, 20)
    proba = np.tile(PROBA, (20, 1))
    low, high = bootstrap_interval(y, proba, ["a", "b", "c"], "accuracy", 500, seed=0)
    assert low < 4 / 6 < high
    assert (low, high) == bootstrap_interval(y, proba, ["a", "b", "c"], "accuracy", 500, seed=0)


def test_slices_score_each_group_and_flag_small_ones():
    groups = pd.Series(["x", "x", "x", "y", "y", None])
    result = slice_metrics(groups, Y, PROBA, ["a", "b", "c"], "accuracy", min_size=2)
    assert result["groups"]["x"] == {"n": 3, "value": pytest.approx(2 / 3), "small": False}
    assert result["groups"]["y"]["value"] == pytest.approx(1 / 2)
    assert result["groups"]["(missing)"] == {"n": 1, "value": 1.0, "small": True}
    assert result["gap"] == pytest.approx(2 / 3 - 1 / 2)  # the flagged group is left out


def test_importance_ranks_the_informative_column_first():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=200), "signal": rng.normal(size=200)})
    y = np.where(X["signal"] > 0, "up", "down")
    model = LogisticRegression().fit(X, y)
    ranked = feature_importance(model, X, y, repeats=3, seed=0, max_rows=10_000)
    assert list(ranked) == ["signal", "noise"]
    assert ranked["signal"] > 0.3


def test_importance_scores_at_most_max_rows_per_repeat():
    seen = []

    class Counting(LogisticRegression):  # type: ignore[misc]
        def predict(self, X):
            seen.append(len(X))
            return super().predict(X)

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.normal(size=500), "signal": rng.normal(size=500)})
    y = np.where(X["signal"] > 0, "up", "down")
    ranked = feature_importance(Counting().fit(X, y), X, y, repeats=2, seed=0, max_rows=100)
    # One baseline score on every row (scikit-learn's way), then samples: 2 columns x 2 repeats.
    assert sorted(seen) == [100, 100, 100, 100, 500]
    assert list(ranked) == ["signal", "noise"]


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
    assert label_metric(confusion, metric) == pytest.approx(METRICS[metric](y, proba, classes))


@pytest.mark.parametrize("metric", ["accuracy", "balanced_accuracy", "f1_macro"])
def test_bootstrap_equals_rescoring_each_resample(metric):
    rng = np.random.default_rng(1)
    y = rng.choice(["a", "b", "c"], 200)
    proba = rng.dirichlet([1, 1, 1], 200)
    classes = np.array(["a", "b", "c"])
    draws = np.random.default_rng(7)
    scores = [
        METRICS[metric](y[rows], proba[rows], classes)
        for rows in (draws.integers(0, 200, 200) for _ in range(50))
    ]
    expected = tuple(np.percentile(scores, [2.5, 97.5]))
    found = bootstrap_interval(y, proba, list(classes), metric, 50, seed=7)
    assert found == pytest.approx(expected)
