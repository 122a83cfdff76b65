"""The feature schema inferred from the training split, and the preprocessing built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import BaseModel
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


class Feature(BaseModel):
    """One input column: its kind and what training saw of it."""

    name: str
    kind: Literal["numeric", "categorical"]
    min: float | None = None
    max: float | None = None
    categories: list[str] = []
    missing: int = 0


class FeatureSchema(BaseModel):
    """Inputs and classes of the model; the API and the tests are generated from it."""

    target: str
    classes: list[str]
    features: list[Feature]

    @property
    def names(self) -> list[str]:
        """Feature names in training order."""
        return [f.name for f in self.features]

    @property
    def numeric(self) -> list[str]:
        """Names of the numeric features."""
        return [f.name for f in self.features if f.kind == "numeric"]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical features."""
        return [f.name for f in self.features if f.kind == "categorical"]

    def save(self, path: Path) -> None:
        """Write the schema as JSON."""
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> FeatureSchema:
        """Read a schema written by `save`."""
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))

    def frame(self, data: pd.DataFrame | list[dict[str, object]]) -> pd.DataFrame:
        """Return the features in training order with the dtypes the pipeline was fitted on."""
        df = pd.DataFrame(data)
        out = pd.DataFrame(index=df.index)
        for name in self.numeric:
            out[name] = pd.to_numeric(df[name]).astype("float64")
        for name in self.categorical:
            # Text as Python str with NaN for missing, whatever pandas version or source.
            out[name] = df[name].astype(object).where(df[name].notna(), np.nan)
            out[name] = out[name].map(str, na_action="ignore")
        ordered: pd.DataFrame = out[self.names]
        return ordered


def is_categorical(series: pd.Series) -> bool:
    """Treat text, booleans and pandas categories as categorical; other numbers as numeric."""
    return ptypes.is_bool_dtype(series) or not ptypes.is_numeric_dtype(series)


def infer_schema(train: pd.DataFrame, target: str) -> FeatureSchema:
    """Infer feature kinds, ranges and category values from the training split only."""
    features = []
    for name in train.columns.drop(target):
        column = train[name]
        missing = int(column.isna().sum())
        if is_categorical(column):
            categories = sorted(column.dropna().astype(str).unique().tolist())
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
    classes = sorted(train[target].astype(str).unique().tolist())
    return FeatureSchema(target=target, classes=classes, features=features)


def build_preprocessor(schema: FeatureSchema) -> ColumnTransformer:
    """Impute and scale numbers, impute and one-hot encode categories."""
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [("numeric", numeric, schema.numeric), ("categorical", categorical, schema.categorical)]
    )
