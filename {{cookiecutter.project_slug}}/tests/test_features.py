import numpy as np
import pytest

from {{ cookiecutter.module_name }}.data import split, validate
from {{ cookiecutter.module_name }}.features import build_preprocessor, feature_frame, infer_schema
from {{ cookiecutter.module_name }}.schema import FeatureSchema


@pytest.fixture
def train(raw, base_settings):
    return split(validate(raw, base_settings.data), base_settings.data, seed=0)["train"]


@pytest.fixture
def schema(train, base_settings):
    return infer_schema(train, base_settings.data.target)


def test_schema_kinds_follow_dtypes(schema, train):
    assert schema.names == [c for c in train.columns if c != schema.target]
    for feature in schema.features:
        numeric = train[feature.name].dtype.kind in "iuf"
        assert feature.kind == ("numeric" if numeric else "categorical")


def test_schema_classes_are_the_training_labels(schema, train):
    assert schema.classes == sorted(train[schema.target].unique())


def test_schema_round_trips(schema, tmp_path):
    schema.save(tmp_path / "schema.json")
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
