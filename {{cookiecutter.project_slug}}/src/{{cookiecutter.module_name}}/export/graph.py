"""A fitted `preprocess -> model` pipeline as one ONNX graph: raw columns in, answer out.

Beside the answer, the graph outputs the vector the model answers from (`EMBEDDING`),
which `POST /similar` compares training records by.

The server runs that graph with onnxruntime, so it needs neither scikit-learn nor torch,
loads no pickle, and skips the per-request pandas work that dominates a naive server.
"""

from __future__ import annotations

import copy
from typing import Any

import onnx
import onnx.version_converter
import torch
from onnx import compose
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.base import BaseEstimator, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from ..models.mlp import MLP
from ..onnx_model import EMBEDDING
from ..schema import FeatureSchema
from ..training.estimators import MLPClassifier, MLPRegressor
from . import ExportError
from .decision_nodes import add_decision
from .infrequent import without_infrequent

# One opset for both converters, so that their graphs can be merged.
OPSET = {"": 18, "ai.onnx.ml": 3}
FEATURES = "features"  # the name of the torch graph's input
# skl2onnx names an unnamed graph by a random UUID: the same model would export to other
# bytes, so another checksum in the serving manifest, on every run.
PREPROCESS, MODEL = "preprocess", "model"


def _input_types(schema: FeatureSchema) -> list[tuple[str, FloatTensorType | StringTensorType]]:
    # One input per column, named after it: the graph's ColumnTransformer selects by name.
    return [
        (f.name, FloatTensorType([None, 1]) if f.kind == "numeric" else StringTensorType([None, 1]))
        for f in schema.features
    ]


def _onnx_ready(preprocess: ColumnTransformer) -> ColumnTransformer:
    """Copy the preprocessing as skl2onnx can convert it, computing the same numbers.

    Category imputers treat "" as missing (ONNX has no NaN strings), and one-hot encoders
    that group infrequent categories become two steps that skl2onnx converts.
    """
    preprocess = copy.deepcopy(preprocess)
    for _, transformer, _ in preprocess.transformers_:
        steps = getattr(transformer, "steps", [])
        for _, step in steps:
            fitted = isinstance(step, SimpleImputer) and hasattr(step, "statistics_")
            if fitted and step.statistics_.dtype == object:
                step.missing_values = ""
        for i, (_, step) in enumerate(steps):
            # None, or absent when the encoder has no columns: nothing grouped.
            groups = getattr(step, "infrequent_categories_", None) or []
            if isinstance(step, OneHotEncoder) and any(rare is not None for rare in groups):
                steps[i : i + 1] = without_infrequent(step)
                break
    return preprocess


class _Answering(torch.nn.Module):
    """The network's answer (probabilities, or the value) and its embedding.

    The embedding is the last hidden layer before its ReLU: after it, a row that switches
    every unit off would have no direction to compare by cosine.
    """

    def __init__(self, network: MLP, softmax: bool) -> None:
        super().__init__()
        # The head: the last hidden layer's ReLU and dropout, then the output layer.
        self.body, self.head = network.layers[:-3], network.layers[-3:]
        self.softmax = softmax

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.body(x)
        answer = self.head(hidden)
        return (answer.softmax(dim=1) if self.softmax else answer), hidden


def _mlp_graph(mlp: MLPClassifier | MLPRegressor, output: str) -> onnx.ModelProto:
    """Export the trained network and its embedding, with a dynamic batch dimension."""
    network = _Answering(mlp.network(), softmax=isinstance(mlp, MLPClassifier)).eval()
    example = torch.zeros(2, mlp.n_features_in_)
    program = torch.onnx.export(
        network,
        (example,),
        dynamo=True,
        dynamic_shapes=({0: torch.export.Dim("batch")},),
        opset_version=OPSET[""],
        input_names=[FEATURES],
        output_names=[output, EMBEDDING],
        verbose=False,
    )
    if program is None:  # only the legacy exporter returns nothing
        raise ExportError("torch.onnx.export returned no program")
    graph = program.model_proto
    # The exporter notes each node's Python stack trace, with this machine's paths: drop
    # them, so the graph is the same wherever it is exported and leaks no folder names.
    for node in graph.graph.node:
        del node.metadata_props[:]
    return graph


def _linear_graph(model: BaseEstimator, width: int, output: str) -> onnx.ModelProto:
    """Convert the baseline's linear model alone, taking the preprocessed features.

    Its embedding is those features themselves: the graph answers from nothing else.
    """
    naming: dict[str, Any]
    if is_classifier(model):  # probabilities as a plain tensor, not a list of dicts
        naming = {"options": {id(model): {"zipmap": False}}}
    else:  # one output, named as the server expects
        naming = {"final_types": [(output, FloatTensorType([None, 1]))]}
    types = [(FEATURES, FloatTensorType([None, width]))]
    graph = convert_sklearn(model, name=MODEL, initial_types=types, target_opset=OPSET, **naming)
    graph = compose.add_prefix(graph, "model_", rename_inputs=False, rename_outputs=False)
    graph.graph.node.append(onnx.helper.make_node("Identity", [FEATURES], [EMBEDDING]))
    graph.graph.output.append(
        onnx.helper.make_tensor_value_info(EMBEDDING, onnx.TensorProto.FLOAT, [None, width])
    )
    return _at_opset(graph)


def _at_opset(graph: onnx.ModelProto) -> onnx.ModelProto:
    # The converter picks the lowest opset its operators need; merging needs equal ones.
    return onnx.version_converter.convert_version(graph, OPSET[""])


def to_onnx(
    pipeline: Pipeline, schema: FeatureSchema, threshold: float | None = None
) -> onnx.ModelProto:
    """Convert a fitted `preprocess -> model` pipeline into one ONNX graph.

    A classifier's graph also answers its decision (`export.decision`): the likeliest
    class, or the positive class from `threshold` on.
    """
    graph = _convert(pipeline, schema)
    if schema.spec.name == "classification":
        graph = add_decision(graph, schema.spec.output, threshold)
    return graph


def _convert(pipeline: Pipeline, schema: FeatureSchema) -> onnx.ModelProto:
    """Join the preprocessing's graph to the model's, which outputs answer and embedding."""
    preprocess = _onnx_ready(pipeline.named_steps["preprocess"])
    model = pipeline.named_steps["model"]
    types = _input_types(schema)
    head = convert_sklearn(preprocess, name=PREPROCESS, initial_types=types, target_opset=OPSET)
    head = _at_opset(head)
    if isinstance(model, MLPClassifier | MLPRegressor):
        tail = _mlp_graph(model, schema.spec.output)
    else:
        tail = _linear_graph(model, model.n_features_in_, schema.spec.output)
    head.ir_version = tail.ir_version = max(head.ir_version, tail.ir_version)
    # Merging needs one version per domain in both parts, and other tools (the INT8
    # quantizer) one entry per domain in the result: the newer version of the two.
    opsets: dict[str, int] = {}
    for o in [*head.opset_import, *tail.opset_import]:
        opsets[o.domain] = max(o.version, opsets.get(o.domain, 0))
    merged = compose.merge_models(
        _with_opsets(head, opsets),
        _with_opsets(tail, opsets),
        io_map=[(head.graph.output[0].name, FEATURES)],
    )
    return _with_opsets(merged, opsets)


def _with_opsets(graph: onnx.ModelProto, opsets: dict[str, int]) -> onnx.ModelProto:
    # Sorted: skl2onnx lists domains in the order of a set of (domain, version), which changes
    # from one process to the next (string hashing), and with it the graph's bytes.
    del graph.opset_import[:]
    graph.opset_import.extend(onnx.helper.make_opsetid(d, v) for d, v in sorted(opsets.items()))
    return graph
