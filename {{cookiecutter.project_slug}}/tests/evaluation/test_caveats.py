"""The warnings of the results: each one raised when, and only when, its case holds."""

import pytest

from {{ cookiecutter.module_name }}.evaluation.caveats import caveats
from {{ cookiecutter.module_name }}.evaluation.summary import Interval, ModelScores, ServingChecks, Summary
from {{ cookiecutter.module_name }}.schema import Feature, FeatureSchema

SCHEMA = FeatureSchema(
    target="y", classes=["a", "b"], features=[Feature(name="x", kind="numeric", min=0, max=1)]
)
ROWS = {"train": 600, "val": 200, "test": 200}
BALANCE = {"a": 300, "b": 300}


def summary(low: float, high: float, test: dict[str, float | None] | None = None) -> Summary:
    scores = ModelScores(
        test=test or {"balanced_accuracy": (low + high) / 2},
        interval=Interval(low=low, high=high),
        slices={},
        importance={"x": 0.1},
    )
    return Summary(
        task="classification",
        champion="mlp",
        main_metric="balanced_accuracy",
        test_rows=ROWS["test"],
        models={"mlp": scores},
        floor={"balanced_accuracy": 0.5},
        serving=ServingChecks(onnx_max_abs_diff={}, int8={}),
    )


def test_sound_results_raise_no_warning():
    assert caveats(summary(0.8, 0.9), SCHEMA, ROWS, 600, BALANCE, {}) == []


def test_an_interval_that_reaches_the_floor_comes_first():
    [first, *_] = caveats(summary(0.45, 0.7), SCHEMA, {**ROWS, "val": 7}, 600, BALANCE, {})
    assert first.startswith("The champion (mlp) is not clearly better than a model")
    assert "0.4500 to 0.7000, reaches the floor of 0.5000" in first


@pytest.mark.parametrize(
    ("rows", "balance", "expected"),
    [
        ({**ROWS, "val": 7}, BALANCE, "The validation split has 7 rows"),
        ({**ROWS, "test": 20}, BALANCE, "The test split has 20 rows"),
        ({**ROWS, "train": 40}, BALANCE, "The champion fitted on 40 rows"),
        (ROWS, {"a": 591, "b": 9}, "The rarest class, 'b', is 1.5% of the training rows"),
    ],
)
def test_small_splits_and_rare_classes_are_named(rows, balance, expected):
    [warning] = caveats(summary(0.8, 0.9), SCHEMA, rows, rows["train"], balance, {})
    assert warning.startswith(expected)


def test_what_the_data_step_left_out_is_listed():
    schema = SCHEMA.model_copy(
        update={"ignored": {"id": "data.drop", "day": "dates"}, "rare_classes": {"c": 3}}
    )
    found = caveats(summary(0.8, 0.9), schema, ROWS, 600, BALANCE, {})
    assert any("'c' (3 rows)" in w and "data.min_class_rows" in w for w in found)
    assert "Columns left out of the model: 'id' (data.drop), 'day' (dates)." in found


def test_undefined_metrics_are_named_with_their_split():
    results = summary(0.8, 0.9, test={"balanced_accuracy": 0.85, "roc_auc": None})
    found = caveats(results, SCHEMA, ROWS, 600, BALANCE, {"mlp": {"val_roc_auc": None}})
    assert found[0].startswith("roc_auc of mlp on the test split: undefined")
    assert found[1].startswith("roc_auc of mlp on the validation split: undefined")


def test_a_kept_previous_champion_is_the_first_warning():
    why = "the mlp scores 0.5 against a floor of 0.5: @champion stays on version 3"
    found = caveats(summary(0.45, 0.7), SCHEMA, ROWS, 600, BALANCE, {}, promotion=why)
    assert found[0] == f"Promotion: {why}."
    assert "not clearly better" in found[1]
