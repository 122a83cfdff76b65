"""Request and response bodies; the record body is generated from the feature schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, create_model

from ..schema import FeatureSchema

RANGE_MARGIN = 10  # how many training spans a number may lie outside the training range


class ModelRef(BaseModel):
    """Which registered model version answered."""

    name: str
    version: str


class Scored(BaseModel):
    """One predicted class with the probability of every class."""

    prediction: str
    probabilities: dict[str, float]


class Valued(BaseModel):
    """One predicted value (regression)."""

    prediction: float


class Prediction(Scored):
    """Answer to `POST /predict` for classes."""

    model: ModelRef


class ValuePrediction(Valued):
    """Answer to `POST /predict` for values."""

    model: ModelRef


class BatchPrediction(BaseModel):
    """Answer to `POST /predict/batch` for classes, in the order of the records."""

    predictions: list[Scored]
    model: ModelRef


class BatchValuePrediction(BaseModel):
    """Answer to `POST /predict/batch` for values, in the order of the records."""

    predictions: list[Valued]
    model: ModelRef


class Health(BaseModel):
    """Answer to `GET /health`: the process is alive."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """Answer to `GET /ready` when a model is loaded."""

    status: Literal["ready"] = "ready"
    model: ModelRef


class Reloaded(BaseModel):
    """Answer to `POST /admin/reload`."""

    previous: ModelRef | None
    model: ModelRef


class ModelDetails(ModelRef):
    """Answer to `GET /model`."""

    alias: str
    candidate: str
    run_id: str
    quantized: bool
    sha256: str
    metrics: dict[str, float]
    trained_at: datetime
    feature_schema: FeatureSchema


def record_model(schema: FeatureSchema | None) -> type[BaseModel]:
    """Build the body of one record: numbers are finite floats, categories the values seen.

    Every field is required; `null` stands for a missing value, which the model imputes.
    Numbers may stray RANGE_MARGIN training spans beyond the training range, no further:
    beyond that a prediction is extrapolation, and 32-bit arithmetic can overflow.
    Field names are positional and the column names are aliases, so any column name works.
    """
    if schema is None:  # nothing exported yet: accept anything, the routes answer 503
        return create_model("Record", __config__=ConfigDict(extra="allow"))
    fields: dict[str, Any] = {}
    for i, feature in enumerate(schema.features):
        if feature.kind == "numeric":
            annotation: Any = FiniteFloat | None
            bounds: dict[str, float] = {}
            hint = "number"
            if feature.min is not None and feature.max is not None:
                margin = RANGE_MARGIN * max(feature.max - feature.min, abs(feature.max), 1.0)
                bounds = {"ge": feature.min - margin, "le": feature.max + margin}
                hint = f"number, {feature.min:g} to {feature.max:g} in training"
            # Strict: "45" or true is a client bug, not a number to coerce.
            field = Field(alias=feature.name, description=hint, strict=True, **bounds)  # type: ignore[call-overload]
        elif feature.boolean:
            # A boolean column: JSON true/false, which the model sees as "True"/"False".
            annotation, field = bool | None, Field(alias=feature.name, description="true or false")
        else:
            annotation = Literal[tuple(feature.categories)] | None if feature.categories else None
            field = Field(alias=feature.name, description="one of the categories seen in training")
        fields[f"field_{i}"] = (annotation, field)
    return create_model("Record", __config__=ConfigDict(extra="forbid", title="Record"), **fields)


def batch_model(record: type[BaseModel], max_records: int) -> type[BaseModel]:
    """Build the body of `POST /predict/batch`."""
    return create_model(
        "BatchRequest",
        __config__=ConfigDict(extra="forbid"),
        records=(list[record], Field(min_length=1, max_length=max_records)),  # type: ignore[valid-type]
    )
