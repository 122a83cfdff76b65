"""The task's answers: to one record, to many as records, to many as columns.

Each is a pydantic model, which /docs shows; the hot paths write the same JSON straight
from the graph's arrays with orjson (`dump`), without building the objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import orjson
from pydantic import BaseModel

from ..tasks import Output
from .schemas import ModelRef

Chosen = npt.NDArray[np.int64] | None  # the graph's decision per row; None for values


class Scored(BaseModel):
    """One predicted class with the probability of every class."""

    prediction: str
    probabilities: dict[str, float]

    @classmethod
    def from_output(
        cls, output: Output, classes: Sequence[str], chosen: Chosen = None
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
        cls, output: Output, classes: Sequence[str], chosen: Chosen = None
    ) -> list[Valued]:
        """Read the graph's values, one per record."""
        return [cls(prediction=value) for value in output.tolist()]


class Prediction(Scored):
    """Answer to `POST /predict` for classes."""

    model: ModelRef

    @staticmethod
    def dump(output: Output, classes: Sequence[str], chosen: int | None, model: ModelRef) -> bytes:
        """Write one answer as JSON from the graph's row: no object built to be serialized."""
        index = int(output.argmax()) if chosen is None else chosen
        probabilities = dict(zip(classes, output.tolist(), strict=True))
        ref = {"name": model.name, "version": model.version}
        return orjson.dumps(
            {"prediction": classes[index], "probabilities": probabilities, "model": ref}
        )


class ValuePrediction(Valued):
    """Answer to `POST /predict` for values."""

    model: ModelRef

    @staticmethod
    def dump(output: Output, classes: Sequence[str], chosen: int | None, model: ModelRef) -> bytes:
        """Write one answer as JSON from the graph's value."""
        ref = {"name": model.name, "version": model.version}
        return orjson.dumps({"prediction": float(output), "model": ref})


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
    def dump(output: Output, classes: Sequence[str], chosen: Chosen, model: ModelRef) -> bytes:
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
    def dump(output: Output, classes: Sequence[str], chosen: Chosen, model: ModelRef) -> bytes:
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
