"""The card says how the champion answers: the likeliest class, or from which threshold."""

import numpy as np
import pandas as pd

from {{ cookiecutter.module_name }}.features import infer_schema
from {{ cookiecutter.module_name }}.report.decision_words import decision_words
from {{ cookiecutter.module_name }}.sections import ImbalanceSettings

FRAME = pd.DataFrame({"size": np.arange(20.0), "label": ["no"] * 15 + ["yes"] * 5})


def test_a_tuned_threshold_is_named_with_its_class_and_origin():
    schema = infer_schema(FRAME, "label", "classification")
    words = decision_words(schema, 0.125, ImbalanceSettings(), "balanced_accuracy")
    assert "`yes` when its probability is at least 0.125, else `no`" in words
    assert "`balanced_accuracy`" in words
    assert "imbalance.threshold: tuned" in words


def test_argmax_class_weights_and_values():
    schema = infer_schema(FRAME, "label", "classification")
    weighted = ImbalanceSettings(class_weight="balanced", threshold="argmax")
    words = decision_words(schema, None, weighted, "accuracy")
    assert words.startswith("It answers the likeliest class.")
    assert "imbalance.class_weight: balanced" in words
    values = infer_schema(FRAME.assign(label=np.arange(20.0)), "label", "regression")
    assert decision_words(values, None, ImbalanceSettings(), "rmse") == ""
