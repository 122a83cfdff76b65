"""Answers read the graph's decision: the class it chose, with every probability as it is."""

import numpy as np
import orjson
import pytest

from {{ cookiecutter.module_name }}.serving.answers import (
    ColumnarPrediction,
    ColumnarValuePrediction,
    Prediction,
    Scored,
    ValuePrediction,
)
from {{ cookiecutter.module_name }}.serving.schemas import ModelRef


def test_the_answer_is_the_class_the_graph_chose_not_the_likeliest():
    output = np.array([[0.8, 0.2], [0.9, 0.1]], dtype=np.float32)
    [first, second] = Scored.from_output(output, ["no", "yes"], np.array([1, 0]))
    assert first.prediction == "yes"  # P(yes) 0.2 passed the graph's threshold
    assert first.probabilities["yes"] == np.float32(0.2)
    assert second.prediction == "no"


def test_without_a_decision_the_likeliest_class_is_answered():
    output = np.array([[0.3, 0.7]], dtype=np.float32)
    [answer] = Scored.from_output(output, ["no", "yes"])
    assert answer.prediction == "yes"


def test_one_answer_written_straight_is_the_documented_answer():
    ref = ModelRef(name="m", version="3")
    row = np.array([0.25, 0.75], dtype=np.float32)
    written = orjson.loads(Prediction.dump(row, ["no", "yes"], 0, ref))
    built = Prediction(prediction="no", probabilities={"no": 0.25, "yes": 0.75}, model=ref)
    assert written == built.model_dump()  # the chosen class, not the likeliest
    value = orjson.loads(ValuePrediction.dump(np.array(151.5, np.float32), [], None, ref))
    assert value == ValuePrediction(prediction=151.5, model=ref).model_dump()


def test_columns_written_straight_are_the_documented_answer():
    ref = ModelRef(name="m", version="3")
    output = np.array([[0.9, 0.1], [0.4, 0.6]], dtype=np.float32)
    written = ColumnarPrediction.dump(output, ["no", "yes"], np.array([0, 1]), ref)
    answer = ColumnarPrediction.model_validate_json(written)
    assert answer.predictions == ["no", "yes"]
    assert answer.probabilities["yes"] == pytest.approx([0.1, 0.6])
    values = ColumnarValuePrediction.model_validate_json(
        ColumnarValuePrediction.dump(np.array([1.5, -2.0], dtype=np.float32), [], None, ref)
    )
    assert values.predictions == [1.5, -2.0]
