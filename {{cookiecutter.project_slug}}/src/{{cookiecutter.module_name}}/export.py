"""Export a trained pipeline to one ONNX graph: raw columns in, probabilities or values out.

The server runs that graph with onnxruntime, so it needs neither scikit-learn nor torch,
loads no pickle, and skips the per-request pandas work that dominates a naive server.
"""

from __future__ import annotations

import copy
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import onnx.version_converter
import pandas as pd
import torch
from onnx import compose
from onnxruntime.quantization import QuantType, quantize_dynamic
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from .evaluation import metric_value, model_output
from .models import MLPClassifier, MLPRegressor
from .schema import FeatureSchema
from .serving.bundle import OnnxModel, Row, output_name

# One opset for both converters, so that their graphs can be merged.
OPSET = {"": 18, "ai.onnx.ml": 3}
FEATURES = "features"  # the name of the torch graph's input
INFREQUENT = "infrequent_sklearn"  # scikit-learn's name for the group of rare categories
UNKNOWN = "\x00unknown"  # not a category: one-hot encodes as zeros, like unknowns in sklearn


class ExportError(RuntimeError):
    """Raised when a pipeline can't be expressed in ONNX or the graph disagrees with it."""


def _input_types(schema: FeatureSchema) -> list[tuple[str, FloatTensorType | StringTensorType]]:
    # One input per column, named after it: the graph's ColumnTransformer selects by name.
    return [
        (f.name, FloatTensorType([None, 1]) if f.kind == "numeric" else StringTensorType([None, 1]))
        for f in schema.features
    ]


class GroupInfrequent(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Map each column's infrequent categories to "infrequent_sklearn", as OneHotEncoder does.

    Export only: skl2onnx can't convert a one-hot encoder that groups infrequent
    categories, so the graph maps them first (one ONNX LabelEncoder per column) and then
    one-hot encodes the grouped values with a plain encoder.
    """

    def __init__(self, mappings: list[dict[str, str]]) -> None:
        self.mappings = mappings

    def fit(self, X: object, y: object = None) -> GroupInfrequent:
        """Nothing to learn: the mappings come from a fitted encoder."""
        return self

    def transform(self, X: npt.ArrayLike) -> npt.NDArray[np.object_]:
        """Replace infrequent and unknown values (unknown: UNKNOWN, which encodes as zeros)."""
        columns = np.asarray(X, dtype=object).T
        mapped = [
            [m.get(v, UNKNOWN) for v in c] for m, c in zip(self.mappings, columns, strict=True)
        ]
        grouped: npt.NDArray[np.object_] = np.asarray(mapped, dtype=object).T
        return grouped


def _group_infrequent_shape(operator: Any) -> None:
    rows, columns = operator.inputs[0].type.shape
    operator.outputs[0].type = StringTensorType([rows, columns])


def _group_infrequent_graph(scope: Any, operator: Any, container: Any) -> None:
    """One Gather + LabelEncoder per column, then Concat."""
    columns = []
    for i, mapping in enumerate(operator.raw_operator.mappings):
        index = scope.get_unique_variable_name("column_index")
        container.add_initializer(index, onnx.TensorProto.INT64, [1], [i])
        column = scope.get_unique_variable_name("column")
        gather = scope.get_unique_operator_name("Gather")
        container.add_node(
            "Gather", [operator.inputs[0].full_name, index], column, axis=1, name=gather
        )
        grouped = scope.get_unique_variable_name("grouped")
        container.add_node(
            "LabelEncoder",
            [column],
            grouped,
            op_domain="ai.onnx.ml",
            op_version=2,
            keys_strings=list(mapping),
            values_strings=list(mapping.values()),
            default_string=UNKNOWN,
            name=scope.get_unique_operator_name("LabelEncoder"),
        )
        columns.append(grouped)
    concat = scope.get_unique_operator_name("Concat")
    container.add_node("Concat", columns, operator.outputs[0].full_name, axis=1, name=concat)


update_registered_converter(
    GroupInfrequent, "GroupInfrequent", _group_infrequent_shape, _group_infrequent_graph
)


def _without_infrequent(encoder: OneHotEncoder) -> list[tuple[str, Any]]:
    """Return steps that encode like `encoder` and that skl2onnx converts: group, one-hot."""
    mappings, grouped = [], []
    for categories, rare in zip(encoder.categories_, encoder.infrequent_categories_, strict=True):
        rare = set() if rare is None else set(rare)
        mappings.append({str(c): INFREQUENT if c in rare else str(c) for c in categories})
        kept = [str(c) for c in categories if c not in rare]
        grouped.append(kept + [INFREQUENT] * bool(rare))  # sklearn puts the group last
    plain = OneHotEncoder(categories=grouped, handle_unknown="ignore", sparse_output=False)
    plain.fit(np.asarray([[c[0] for c in grouped]], dtype=object))
    return [("group", GroupInfrequent(mappings)), ("encode", plain)]


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
                steps[i : i + 1] = _without_infrequent(step)
                break
    return preprocess


def _mlp_graph(mlp: MLPClassifier | MLPRegressor, output: str) -> onnx.ModelProto:
    """Export the trained network (and a softmax over classes), with a dynamic batch dimension."""
    network: torch.nn.Module = mlp.network()
    if isinstance(mlp, MLPClassifier):
        network = torch.nn.Sequential(network, torch.nn.Softmax(dim=1)).eval()
    example = torch.zeros(2, mlp.n_features_in_)
    # The exporter logs notes about optional packages (torchvision) on every call.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    program = torch.onnx.export(
        network,
        (example,),
        dynamo=True,
        dynamic_shapes=({0: torch.export.Dim("batch")},),
        opset_version=OPSET[""],
        input_names=[FEATURES],
        output_names=[output],
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


def to_onnx(pipeline: Pipeline, schema: FeatureSchema) -> onnx.ModelProto:
    """Convert a fitted `preprocess -> model` pipeline into one ONNX graph."""
    preprocess = _onnx_ready(pipeline.named_steps["preprocess"])
    model = pipeline.named_steps["model"]
    types = _input_types(schema)
    output = output_name(schema)
    if not isinstance(model, MLPClassifier | MLPRegressor):
        converted = Pipeline([("preprocess", preprocess), ("model", model)])
        if schema.regression:  # one output, named as the server expects
            naming: dict[str, Any] = {"final_types": [(output, FloatTensorType([None, 1]))]}
        else:  # probabilities as a plain tensor, not a list of dicts
            naming = {"options": {id(model): {"zipmap": False}}}
        graph: onnx.ModelProto = convert_sklearn(
            converted, initial_types=types, target_opset=OPSET, **naming
        )
        return graph
    head = convert_sklearn(preprocess, initial_types=types, target_opset=OPSET)
    # The converter picks the lowest opset its operators need; merging needs equal ones.
    head = onnx.version_converter.convert_version(head, OPSET[""])
    tail = _mlp_graph(model, output)
    head.ir_version = tail.ir_version = max(head.ir_version, tail.ir_version)
    merged = compose.merge_models(head, tail, io_map=[(head.graph.output[0].name, FEATURES)])
    # Both parts import the default opset; one entry per domain keeps other tools happy.
    opsets = {o.domain: o.version for o in merged.opset_import}
    del merged.opset_import[:]
    merged.opset_import.extend(onnx.helper.make_opsetid(d, v) for d, v in opsets.items())
    return merged


def quantize_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """Dynamic INT8 quantization: weights stored as int8, activations quantized per call."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # the quantizer logs a line per tensor at INFO
    try:
        with tempfile.TemporaryDirectory() as tmp:
            source, target = Path(tmp, "fp32.onnx"), Path(tmp, "int8.onnx")
            onnx.save(model, source)
            quantize_dynamic(source, target, weight_type=QuantType.QInt8)
            return onnx.load(target)
    finally:
        root.setLevel(level)


def rows_of(X: pd.DataFrame) -> list[Row]:
    """Rows as the server receives them: plain values, None where missing."""
    return [tuple(row) for row in X.astype(object).where(X.notna(), None).itertuples(index=False)]


def onnx_output(model: bytes, schema: FeatureSchema, X: pd.DataFrame) -> npt.NDArray[np.float32]:
    """Probabilities or values of an exported graph for a feature frame, as the server has them."""
    return OnnxModel(model, schema).predict(rows_of(X[schema.names]))


def parity_gap(model: bytes, pipeline: Pipeline, schema: FeatureSchema, X: pd.DataFrame) -> float:
    """Largest gap between the graph's and the pipeline's output on X.

    Values are compared relative to the largest one (at least 1): float32 keeps about seven
    digits, so a prediction of 1e6 can't match to 1e-5 in absolute terms.
    """
    expected = model_output(pipeline, X, schema.task)
    gap = np.abs(onnx_output(model, schema, X) - expected).max()
    if schema.regression:
        gap /= max(1.0, float(np.abs(expected).max()))
    return float(gap)


def check_parity(
    name: str,
    model: bytes,
    pipeline: Pipeline,
    schema: FeatureSchema,
    X: pd.DataFrame,
    tolerance: float = 1e-5,
) -> float:
    """Return the largest output gap to the pipeline on X; raise if above `tolerance`."""
    gap = parity_gap(model, pipeline, schema, X)
    if gap > tolerance:
        raise ExportError(
            f"the ONNX graph of {name} differs from the trained model by {gap:.2e} "
            f"(more than {tolerance:g}) on the test split"
        )
    return gap


def int8_metric(schema: FeatureSchema) -> str:
    """Name the score `compare_int8` reports for the task: accuracy, or RMSE."""
    return "rmse" if schema.regression else "accuracy"


def _latency_us(model: OnnxModel, rows: list[Row], repeat: int = 300) -> float:
    """Median microseconds of one single-row call."""
    times = []
    for i in range(repeat):
        row = [rows[i % len(rows)]]
        began = time.perf_counter()
        model.predict(row)
        times.append(time.perf_counter() - began)
    return float(np.median(times) * 1e6)


def compare_int8(
    fp32: bytes, int8: bytes, schema: FeatureSchema, X: pd.DataFrame, y: npt.NDArray[Any]
) -> dict[str, float]:
    """Accuracy (RMSE for values) and single-row latency of the INT8 graph next to FP32, on X."""
    rows = rows_of(X[schema.names])
    score = int8_metric(schema)
    found: dict[str, float] = {}
    for name, graph in (("fp32", fp32), ("int8", int8)):
        model = OnnxModel(graph, schema)
        output = model.predict(rows).astype(np.float64)
        found[f"{score}_{name}"] = metric_value(score, y, output, schema.classes)
        found[f"latency_us_{name}"] = _latency_us(model, rows)
        found[f"size_bytes_{name}"] = len(graph)
    found[f"{score}_change"] = found[f"{score}_int8"] - found[f"{score}_fp32"]
    found["latency_ratio"] = found["latency_us_int8"] / found["latency_us_fp32"]
    return found
