"""The API's answers and fixed bodies; `bodies` builds the record bodies from the schema."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import orjson
from pydantic import BaseModel

from ..schema import FeatureSchema


class ModelRef(BaseModel):
    """Which registered model version answered."""

    name: str
    version: str


class Scored(BaseModel):
    """One predicted class with the probability of every class."""

    prediction: str
    probabilities: dict[str, float]

    @classmethod
    def from_output(
        cls,
        output: npt.NDArray[np.float32],
        classes: Sequence[str],
        chosen: npt.NDArray[np.int64] | None = None,
    ) -> list[Scored]:
        """Read the graph's answer, one row per record: the class it chose, and all classes.

        Without the graph's decision (`chosen`), the likeliest class.
        """
        indices = output.argmax(axis=1) if chosen is None else chosen
        labels = [classes[i] for i in indices.tolist()]
        return [
            cls(prediction=label, probabilities=dict(zip(classes, row, strict=True)))
            for label, row in zip(labels, output.tolist(), strict=True)
        ]


class Valued(BaseModel):
    """One predicted value (regression)."""

    prediction: float

    @classmethod
    def from_output(
        cls,
        output: npt.NDArray[np.float32],
        classes: Sequence[str],
        chosen: npt.NDArray[np.int64] | None = None,
    ) -> list[Valued]:
        """Read the graph's values, one per record."""
        return [cls(prediction=value) for value in output.tolist()]


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


class ColumnarPrediction(BaseModel):
    """Answer to `POST /predict/batch` with columns, for classes: a list per output."""

    predictions: list[str]
    probabilities: dict[str, list[float]]  # by class, each in the order of the rows
    model: ModelRef

    @staticmethod
    def dump(
        output: npt.NDArray[np.float32],
        classes: Sequence[str],
        chosen: npt.NDArray[np.int64] | None,
        model: ModelRef,
    ) -> bytes:
        """Write the answer as JSON straight from the graph's arrays: no object per row."""
        indices = output.argmax(axis=1) if chosen is None else chosen
        answer = {
            "predictions": np.asarray(classes, dtype=object)[indices].tolist(),
            "probabilities": {c: np.ascontiguousarray(output[:, j]) for j, c in enumerate(classes)},
            "model": model.model_dump(),
        }
        return orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY)


class ColumnarValuePrediction(BaseModel):
    """Answer to `POST /predict/batch` with columns, for values: one list, in row order."""

    predictions: list[float]
    model: ModelRef

    @staticmethod
    def dump(
        output: npt.NDArray[np.float32],
        classes: Sequence[str],
        chosen: npt.NDArray[np.int64] | None,
        model: ModelRef,
    ) -> bytes:
        """Write the answer as JSON straight from the graph's values."""
        answer = {"predictions": np.ascontiguousarray(output), "model": model.model_dump()}
        return orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY)


class Answers(NamedTuple):
    """One task's answers: per record, to `/predict`, to `/predict/batch` (records, columns)."""

    each: type[Scored] | type[Valued]
    one: type[Prediction] | type[ValuePrediction]
    many: type[BatchPrediction] | type[BatchValuePrediction]
    columns: type[ColumnarPrediction] | type[ColumnarValuePrediction]


# By the task's answer (`TaskSpec.answer`): a class with its probabilities, or a number.
ANSWERS = {
    "class": Answers(Scored, Prediction, BatchPrediction, ColumnarPrediction),
    "value": Answers(Valued, ValuePrediction, BatchValuePrediction, ColumnarValuePrediction),
}


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
    threshold: float | None  # binary targets: P(positive) from which it is answered
    sha256: str
    metrics: dict[str, float | None]
    trained_at: datetime
    feature_schema: FeatureSchema
