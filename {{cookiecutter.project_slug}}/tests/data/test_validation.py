"""The table against params.yaml: the task, the target, the rows kept."""

import logging

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.classes import rows_needed
from {{ cookiecutter.module_name }}.data.sources import load_diabetes_progression
from {{ cookiecutter.module_name }}.data.validation import decide_task, validate
from {{ cookiecutter.module_name }}.sections import DataSettings


def test_validate_keeps_every_row_with_a_target(raw, table, base_settings):
    target = base_settings.data.target
    assert len(table) == raw[target].notna().sum()
    assert table[target].notna().all()


def test_missing_target_column_is_named(raw, base_settings):
    cfg = base_settings.data.model_copy(update={"target": "no_such_column"})
    with pytest.raises(DataError, match=r"'no_such_column' \(data\.target"):
        validate(raw, cfg)


def test_missing_drop_column_is_named(raw, base_settings):
    cfg = base_settings.data.model_copy(update={"drop": ["ghost"]})
    with pytest.raises(DataError, match=r"'ghost' \(data\.drop"):
        validate(raw, cfg)


def test_single_class_is_refused(raw, base_settings):
    target = base_settings.data.target
    one_class = raw.assign(**{target: "only"})
    with pytest.raises(DataError, match="one class"):
        validate(one_class, base_settings.data)


def test_empty_target_is_refused(raw, base_settings):
    target = base_settings.data.target
    with pytest.raises(DataError, match="no values"):
        validate(raw.assign(**{target: None}), base_settings.data)


def test_rows_without_target_are_dropped(raw, base_settings):
    target = base_settings.data.target
    holed = raw.copy()
    holed.loc[holed.index[:5], target] = None
    assert (
        len(validate(holed, base_settings.data).table)
        == len(validate(raw, base_settings.data).table) - 5
    )


def small_table(target: list[object]) -> tuple[pd.DataFrame, DataSettings]:
    frame = pd.DataFrame({"x": np.arange(len(target), dtype=float), "y": target})
    return frame, DataSettings(target="y")


@pytest.mark.parametrize(
    ("target", "task", "why"),
    [
        (["a", "b"] * 20, "classification", "not numbers"),
        ([True, False] * 20, "classification", "not numbers"),
        ([0, 1, 2, 3] * 10, "classification", "4 distinct whole numbers"),
        ([1.0, 2.0] * 20, "classification", "2 distinct whole numbers"),
        (list(range(40)), "regression", "40 distinct numbers"),
        ([0.5, 1.5] * 20, "regression", "2 distinct numbers"),
    ],
)
def test_task_auto_decides_from_the_target_and_says_why(target, task, why, caplog):
    frame, cfg = small_table(target)
    with caplog.at_level(logging.INFO, logger="{{ cookiecutter.module_name }}.data"):
        assert decide_task(frame, cfg) == task
    assert f"task: {task}" in caplog.text
    assert why in caplog.text


def test_a_task_set_in_params_wins_over_the_guess():
    frame, cfg = small_table([0, 1, 2, 3] * 10)
    assert decide_task(frame, cfg, "regression") == "regression"
    assert validate(frame, cfg, "regression").table["y"].dtype == "float64"
    assert validate(frame, cfg, "classification").table["y"].tolist()[:2] == ["0", "1"]


def test_classes_stored_as_whole_floats_are_labelled_as_integers():
    frame, cfg = small_table([0.0, 1.0] * 20)
    assert set(validate(frame, cfg).table["y"]) == {"0", "1"}


def test_a_regression_target_that_is_not_a_number_is_named_with_its_row():
    frame, cfg = small_table([1.5, 2.5, "n/a", 3.5] * 10)
    with pytest.raises(DataError, match=r"'y' \(data\.target\): 'n/a' \(row 3 .*task: class"):
        validate(frame, cfg, "regression")


def test_a_regression_target_with_one_value_is_refused():
    frame, cfg = small_table([2.5] * 40)
    with pytest.raises(DataError, match=r"'y' \(data\.target\) has one value only"):
        validate(frame, cfg, "regression")


def test_the_builtin_table_is_a_regression_with_readable_columns():
    frame = load_diabetes_progression()
    assert {"bmi", "bp", "ltg", "progression"} <= set(frame.columns)
    assert validate(frame, DataSettings(target="progression")).table["progression"].nunique() > 100


def test_a_table_too_small_to_split_says_how_many_rows_it_has_and_needs(raw, base_settings):
    needed = rows_needed(base_settings.data)
    for rows in (1, needed - 1):
        plural = "row" if rows == 1 else "rows"
        with pytest.raises(DataError, match=rf"has {rows} {plural}; .* at least {needed} to"):
            validate(raw.head(rows), base_settings.data)


def test_rows_without_a_target_do_not_count(raw, base_settings):
    target = base_settings.data.target
    needed = rows_needed(base_settings.data)
    few = raw.head(needed + 2).copy()
    few.loc[few.index[:3], target] = None
    with pytest.raises(DataError, match=rf"has {needed - 1} rows with a value of data\.target"):
        validate(few, base_settings.data)


def test_the_fewest_rows_needed_are_enough():
    frame, cfg = small_table([0.5 * i for i in range(rows_needed(DataSettings(target="y")))])
    assert len(validate(frame, cfg, "regression").table) == rows_needed(cfg)
