"""The data stage: splits and schema written together, or nothing changed."""

import pytest

from {{ cookiecutter.module_name }}.data import DataError
from {{ cookiecutter.module_name }}.data.splits import load_raw_example, load_splits
from {{ cookiecutter.module_name }}.stages.data import prepare


def test_prepare_writes_splits_and_schema(settings):
    schema = prepare(settings)
    splits, loaded = load_splits(settings.paths.processed)
    assert loaded == schema
    assert set(splits) == {"train", "val", "test"}
    assert not list(settings.paths.processed.glob(".tmp-*"))
    train = splits["train"]
    for feature in schema.features:
        if feature.kind == "numeric":
            assert feature.min == train[feature.name].min()
        else:
            assert set(feature.categories) == set(train[feature.name].dropna())


def test_bad_data_leaves_previous_splits_untouched(settings, raw):
    prepare(settings)
    before = {p.name: p.read_bytes() for p in settings.paths.processed.iterdir()}
    broken = settings.data.model_copy(update={"target": "no_such_column"})
    with pytest.raises(DataError):
        prepare(settings.model_copy(update={"data": broken}))
    after = {p.name: p.read_bytes() for p in settings.paths.processed.iterdir()}
    assert after == before


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("evaluation", "slices", ["nowhere"], r"slices: 'nowhere' is no feature; .* island, sex"),
        ("evaluation", "slices", ["year"], r"slices: 'year' is numeric: list it under data\.categ"),
        (
            "fairness",
            "sensitive",
            ["year"],
            r"sensitive: 'year' is numeric: list it under data\.cat",
        ),
        ("fairness", "sensitive", ["nowhere"], r"fairness\.sensitive: 'nowhere' is no feature"),
        (
            "fairness",
            "max_disparity",
            0.1,
            r"fairness\.max_disparity: bounds a disparity across fairness\.sensitive, which is",
        ),
        ("evaluation", "main_metric", "rmse", r"main_metric: rmse is not a classification metric"),
        ("mlflow", "champion_metric", "val_r2", r"champion_metric: val_r2 is not a classification"),
    ],
)
def test_what_later_stages_read_is_checked_before_any_model_trains(
    penguin_settings, section, key, value, message
):
    changed = getattr(penguin_settings, section).model_copy(update={key: value})
    settings = penguin_settings.model_copy(update={section: changed})
    with pytest.raises(DataError, match=message):
        prepare(settings)
    assert not settings.paths.processed.exists()


def test_a_few_raw_rows_are_kept_with_the_raw_tables_dtypes(settings, raw):
    schema = prepare(settings)
    example = load_raw_example(settings.paths.processed)
    assert list(example.columns) == schema.names
    assert 0 < len(example) <= 5
    for name in schema.names:  # as the table holds them, before any coercion
        assert example[name].dtype == raw[name].dtype, name


def test_a_bound_on_disparity_needs_two_classes(penguin_settings):
    fairness = penguin_settings.fairness.model_copy(
        update={"sensitive": ["sex"], "max_disparity": 0.1}
    )
    with pytest.raises(DataError, match=r"max_disparity: needs a target with two classes; .* 3 "):
        prepare(penguin_settings.model_copy(update={"fairness": fairness}))
