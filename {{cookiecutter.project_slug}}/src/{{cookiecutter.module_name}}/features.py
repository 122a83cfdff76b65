"""Features as the models see them: typed frames, the inferred schema, the preprocessing."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .schema import Feature, FeatureSchema, Row, TargetStats
from .tasks import TASKS, Target, Task

MAX_CATEGORIES = 20  # one-hot columns per categorical feature, the group of rare ones included


def feature_frame(
    schema: FeatureSchema, data: pd.DataFrame | Sequence[Mapping[str, object]]
) -> pd.DataFrame:
    """Return the features in training order with the dtypes the pipeline was fitted on."""
    typed = typed_columns(pd.DataFrame(data), schema.numeric, schema.categorical)
    ordered: pd.DataFrame = typed[schema.names]
    return ordered


def typed_columns(
    df: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str]
) -> pd.DataFrame:
    """Numbers as float64; categories as text (codes 8 and 8.0 both "8"), NaN where missing.

    Text that isn't a number is missing in a numeric column, as the data step reads it.
    """
    out = pd.DataFrame(index=df.index)
    for name in numeric:
        out[name] = pd.to_numeric(df[name], errors="coerce").astype("float64")
    for name in categorical:
        values = df[name].astype(object).where(df[name].notna(), np.nan)
        out[name] = values.map(_category, na_action="ignore")
    ordered: pd.DataFrame = out[[*numeric, *categorical]]
    return ordered


def _category(value: object) -> str:
    whole = isinstance(value, float | np.floating) and float(value).is_integer()
    return str(int(value)) if whole else str(value)  # type: ignore[call-overload]


class RawColumns(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """The logged model's first step: a raw table's columns typed as the pipeline was fitted.

    So that MLflow's model takes the user's rows as they are: integer years, codes as
    numbers; other columns are ignored, absent ones are missing.
    """

    def __init__(self, numeric: Sequence[str] = (), categorical: Sequence[str] = ()) -> None:
        self.numeric = numeric
        self.categorical = categorical

    def fit(self, X: pd.DataFrame, y: object = None) -> RawColumns:
        """Nothing to learn."""
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Select and type the feature columns."""
        names = [*self.numeric, *self.categorical]
        return typed_columns(pd.DataFrame(X).reindex(columns=names), self.numeric, self.categorical)


def targets(frame: pd.DataFrame, schema: FeatureSchema) -> Target:
    """Return the target column of a split as models learn it: labels as text, or values."""
    return schema.spec.targets(frame[schema.target])


def api_records(schema: FeatureSchema, frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as the API takes them: numbers, text, true/false for booleans, None if missing."""
    records: list[dict[str, Any]] = json.loads(
        feature_frame(schema, frame).to_json(orient="records")
    )
    booleans = [f.name for f in schema.features if f.boolean]
    for record in records:
        for name in booleans:
            if record[name] is not None:
                record[name] = record[name] == "True"
    return records


def is_categorical(series: pd.Series) -> bool:
    """Treat text, booleans and pandas categories as categorical; other numbers as numeric."""
    return ptypes.is_bool_dtype(series) or not ptypes.is_numeric_dtype(series)


def _in_order(category: str) -> tuple[int, float, str]:
    """Sort codes as numbers ("2" before "10"), and text after them, as text."""
    try:
        number = float(category)
    except ValueError:
        return (1, 0.0, category)
    return (0, number, "") if math.isfinite(number) else (1, 0.0, category)


def infer_schema(
    train: pd.DataFrame,
    target: str,
    task: Task = "classification",
    ignored: dict[str, str] | None = None,
    rare: dict[str, int] | None = None,
) -> FeatureSchema:
    """Infer feature kinds, ranges and category values from the training split only.

    `ignored` are the table's other columns, left out for a reason: the API accepts them.
    `rare` are the classes dropped for having too few rows, with their rows.
    """
    features = []
    for name in train.columns.drop(target):
        column = train[name]
        missing = int(column.isna().sum())
        if is_categorical(column):
            categories = sorted(column.dropna().astype(str).unique().tolist(), key=_in_order)
            features.append(
                Feature(name=name, kind="categorical", categories=categories, missing=missing)
            )
        else:
            low, high = column.min(), column.max()
            features.append(
                Feature(
                    name=name,
                    kind="numeric",
                    min=None if pd.isna(low) else float(low),
                    max=None if pd.isna(high) else float(high),
                    missing=missing,
                )
            )
    spec = TASKS[task]
    stats = spec.value_stats(train[target])
    return FeatureSchema(
        target=target,
        task=task,
        classes=spec.classes(train[target]),
        target_stats=None if stats is None else TargetStats(**stats),
        features=features,
        ignored=ignored or {},
        rare_classes=rare or {},
    )


def build_preprocessor(schema: FeatureSchema) -> ColumnTransformer:
    """Impute and scale numbers, impute and one-hot encode categories.

    A categorical column gets MAX_CATEGORIES one-hot columns at most: its rarest values
    share the last one, so that a column of zip codes can't add thousands of inputs.
    """
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", max_categories=MAX_CATEGORIES, sparse_output=False),
    )
    return ColumnTransformer(
        [("numeric", numeric, schema.numeric), ("categorical", categorical, schema.categorical)]
    )


def rows_of(X: pd.DataFrame) -> list[Row]:
    """Rows as the server receives them: plain values, None where missing."""
    return [tuple(row) for row in X.astype(object).where(X.notna(), None).itertuples(index=False)]
