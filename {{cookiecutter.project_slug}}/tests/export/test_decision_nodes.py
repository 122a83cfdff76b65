"""A classifier's graph answers the class its decision picks: the threshold travels with it."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.export import ExportError
from {{ cookiecutter.module_name }}.export.graph import to_onnx
from {{ cookiecutter.module_name }}.export.parity import check_parity
from {{ cookiecutter.module_name }}.features import infer_schema, rows_of
from {{ cookiecutter.module_name }}.models.baseline import build_baseline
from {{ cookiecutter.module_name }}.onnx_model import OnnxModel


@pytest.fixture(scope="module")
def rare(base_settings):
    """A 5%-positive table and a baseline fitted on it: P(yes) mostly under 0.5."""
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"size": rng.normal(size=600), "colour": rng.choice(["red", "blue"], 600)})
    y = np.where(X["size"] + rng.normal(0, 1, 600) > 2.3, "yes", "no")
    schema = infer_schema(X.assign(label=y), "label")
    model = build_baseline(schema, base_settings.baseline, seed=0).fit(X, y)
    return X, model, schema


@pytest.mark.parametrize("threshold", [None, 0.2])
def test_the_graph_decides_as_the_pipeline_with_its_threshold(rare, threshold):
    X, model, schema = rare
    graph = to_onnx(model, schema, threshold).SerializeToString()
    _, chosen = OnnxModel(graph, schema).decide(rows_of(X))
    expected = Decision(tuple(schema.classes), threshold).indices(model.predict_proba(X))
    assert chosen is not None
    assert (chosen == expected).mean() > 0.99  # ties at the cut may differ in float32
    check_parity("baseline", graph, model, schema, X, threshold)


def test_a_lower_threshold_answers_the_rare_class_more_often(rare):
    X, model, schema = rare
    answered = {}
    for threshold in (None, 0.2):
        graph = to_onnx(model, schema, threshold).SerializeToString()
        _, chosen = OnnxModel(graph, schema).decide(rows_of(X))
        assert chosen is not None
        answered[threshold] = int(chosen.sum())
    assert answered[0.2] > answered[None]


def test_parity_fails_when_the_graph_ignores_the_threshold(rare):
    X, model, schema = rare
    argmax_graph = to_onnx(model, schema, None).SerializeToString()
    with pytest.raises(ExportError, match="another class"):
        check_parity("baseline", argmax_graph, model, schema, X, threshold=0.2)
