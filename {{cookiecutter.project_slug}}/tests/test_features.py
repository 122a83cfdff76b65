import tracemalloc

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.data.sources import load_source
from {{ cookiecutter.module_name }}.data.splits import split
from {{ cookiecutter.module_name }}.data.validation import decide_task, validate
from {{ cookiecutter.module_name }}.features import (
    RawColumns,
    build_preprocessor,
    feature_frame,
    infer_schema,
)
from {{ cookiecutter.module_name }}.schema import FeatureSchema
from {{ cookiecutter.module_name }}.sections import SyntheticSettings
from {{ cookiecutter.module_name }}.tasks import TASKS


@pytest.fixture
def task(raw, base_settings):
    return decide_task(raw, base_settings.data, base_settings.task)


@pytest.fixture
def train(raw, base_settings, task):
    table = validate(raw, base_settings.data, task).table
    return split(table, base_settings.data, 0, TASKS[task])["train"]


@pytest.fixture
def schema(train, base_settings, task):
    return infer_schema(train, base_settings.data.target, task)


def test_schema_kinds_follow_dtypes(schema, train):
    assert schema.names == [c for c in train.columns if c != schema.target]
    for feature in schema.features:
        numeric = train[feature.name].dtype.kind in "iuf"
        assert feature.kind == ("numeric" if numeric else "categorical")


def test_schema_has_the_training_labels_or_the_target_range(schema, train):
    if schema.spec.answer == "value":
        assert schema.classes == []
        assert schema.target_stats.min == train[schema.target].min()
        assert schema.target_stats.mean == pytest.approx(train[schema.target].mean())
    else:
        assert schema.classes == sorted(train[schema.target].unique())
        assert schema.target_stats is None


def test_schema_round_trips(schema, tmp_path):
    (tmp_path / "schema.json").write_text(schema.model_dump_json())
    assert FeatureSchema.load(tmp_path / "schema.json") == schema


def test_preprocessor_output_is_dense_and_complete(schema, train):
    X = build_preprocessor(schema).fit_transform(feature_frame(schema, train))
    n_onehot = sum(len(f.categories) for f in schema.features if f.kind == "categorical")
    assert X.shape == (len(train), len(schema.numeric) + n_onehot)
    assert not np.isnan(X).any()


def test_scaled_numbers_are_standardised(schema, train):
    X = build_preprocessor(schema).fit_transform(feature_frame(schema, train))
    numeric = X[:, : len(schema.numeric)]
    assert np.allclose(numeric.mean(axis=0), 0, atol=1e-6)


def test_frame_turns_none_into_missing(schema, train):
    record = {name: None for name in schema.names}
    frame = feature_frame(schema, [record])
    assert frame.isna().all(axis=None)
    row = build_preprocessor(schema).fit(feature_frame(schema, train)).transform(frame)
    assert not np.isnan(row).any()


@pytest.mark.slow
def test_preprocessing_100k_rows_stays_within_three_times_its_output():
    """Fit and transform may hold the output and a copy of it, not copies of every column."""
    frame = load_source("synthetic", SyntheticSettings(rows=100_000))
    schema = infer_schema(frame, "label")
    X = feature_frame(schema, frame)
    del frame
    tracemalloc.start()
    try:
        out = build_preprocessor(schema).fit(X).transform(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    one_hot = sum(len(feature.categories) for feature in schema.features)
    assert out.shape == (100_000, len(schema.numeric) + one_hot)
    # 100k x 48 float64 = 37 MiB; measured peak 2.0 times that (numpy reports to tracemalloc).
    assert peak <= 3 * out.nbytes, f"peak {peak / 2**20:.0f} MiB for {out.nbytes / 2**20:.0f} MiB"


def test_integer_codes_are_listed_in_numeric_order():
    train = pd.DataFrame({"code": ["10", "2", "1", None, "2"], "size": [1.0, 2, 3, 4, 5]})
    schema = infer_schema(train.assign(label=list("abaab")), "label")
    assert schema.features[0].categories == ["1", "2", "10"]


def test_raw_columns_type_a_raw_table_as_the_pipeline_was_fitted():
    step = RawColumns(numeric=["size"], categorical=["code"])
    raw = pd.DataFrame({"code": [8, 8.0, None], "size": [1, 2, 3], "extra": ["a", "b", "c"]})
    typed = step.fit(raw).transform(raw)
    assert list(typed.columns) == ["size", "code"]  # training order; other columns ignored
    assert typed["size"].dtype == "float64"
    assert typed["code"].tolist()[:2] == ["8", "8"]  # codes as numbers mean their text
    assert pd.isna(typed["code"].iloc[2])
    absent = step.transform(raw.drop(columns="size"))
    assert absent["size"].isna().all()  # an absent column is missing, for the imputer


def test_the_feature_frame_keeps_the_schemas_column_order(schema, train):
    assert list(feature_frame(schema, train).columns) == schema.names
