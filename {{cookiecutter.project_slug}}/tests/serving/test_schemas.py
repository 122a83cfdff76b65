"""Answers read the graph's decision: the class it chose, with every probability as it is."""

import numpy as np

from {{ cookiecutter.module_name }}.serving.schemas import Scored


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
