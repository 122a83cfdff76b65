"""Export a trained pipeline to one ONNX graph: raw columns in, class probabilities out.

The server runs that graph with onnxruntime, so it needs neither scikit-learn nor torch,
loads no pickle, and skips the per-request pandas work that dominates a naive server.
"""

from __future__ import annotations

import copy
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import onnx.version_converter
import pandas as pd
import torch
from onnx import compose
from onnxruntime.quantization import QuantType, quantize_dynamic
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from .models import MLPClassifier
from .schema import FeatureSchema
from .serving.bundle import PROBABILITIES, OnnxModel, Row

# One opset for both converters, so that their graphs can be merged.
OPSET = {"": 18, "ai.onnx.ml": 3}
FEATURES = "features"  # the name of the torch graph's input


class ExportError(RuntimeError):
    """Raised when a pipeline can't be expressed in ONNX or the graph disagrees with it."""


def _input_types(schema: FeatureSchema) -> list[tuple[str, FloatTensorType | StringTensorType]]:
    # One input per column, named after it: the graph's ColumnTransformer selects by name.
    return [
        (f.name, FloatTensorType([None, 1]) if f.kind == "numeric" else StringTensorType([None, 1]))
        for f in schema.features
    ]


def _onnx_ready(preprocess: ColumnTransformer) -> ColumnTransformer:
    """Copy the preprocessing so its category imputers treat "" as missing (no NaN strings)."""
    preprocess = copy.deepcopy(preprocess)
    for _, transformer, _ in preprocess.transformers_:
        steps = getattr(transformer, "steps", [])
        for _, step in steps:
            fitted = isinstance(step, SimpleImputer) and hasattr(step, "statistics_")
            if fitted and step.statistics_.dtype == object:
                step.missing_values = ""
    return preprocess


def _mlp_graph(classifier: MLPClassifier) -> onnx.ModelProto:
    """Export the trained network and a softmax, with a dynamic batch dimension."""
    network = torch.nn.Sequential(classifier.network(), torch.nn.Softmax(dim=1)).eval()
    example = torch.zeros(2, classifier.n_features_in_)
    # The exporter logs notes about optional packages (torchvision) on every call.
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    program = torch.onnx.export(
        network,
        (example,),
        dynamo=True,
        dynamic_shapes=({0: torch.export.Dim("batch")},),
        opset_version=OPSET[""],
        input_names=[FEATURES],
        output_names=[PROBABILITIES],
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
    """Convert a fitted `preprocess -> classifier` pipeline into one ONNX graph."""
    preprocess = _onnx_ready(pipeline.named_steps["preprocess"])
    classifier = pipeline.named_steps["classifier"]
    types = _input_types(schema)
    if not isinstance(classifier, MLPClassifier):
        converted = Pipeline([("preprocess", preprocess), ("classifier", classifier)])
        graph: onnx.ModelProto = convert_sklearn(
            converted,
            initial_types=types,
            target_opset=OPSET,
            options={id(classifier): {"zipmap": False}},  # a plain tensor, not a list of dicts
        )
        return graph
    head = convert_sklearn(preprocess, initial_types=types, target_opset=OPSET)
    # The converter picks the lowest opset its operators need; merging needs equal ones.
    head = onnx.version_converter.convert_version(head, OPSET[""])
    tail = _mlp_graph(classifier)
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


def onnx_proba(model: bytes, schema: FeatureSchema, X: pd.DataFrame) -> npt.NDArray[np.float32]:
    """Probabilities of an exported graph for a feature frame, as the server computes them."""
    return OnnxModel(model, schema).predict_proba(rows_of(X[schema.names]))


def parity_gap(model: bytes, pipeline: Pipeline, schema: FeatureSchema, X: pd.DataFrame) -> float:
    """Largest gap between the graph's and the pipeline's probabilities on X."""
    return float(np.abs(onnx_proba(model, schema, X) - pipeline.predict_proba(X)).max())


def check_parity(
    name: str,
    model: bytes,
    pipeline: Pipeline,
    schema: FeatureSchema,
    X: pd.DataFrame,
    tolerance: float = 1e-5,
) -> float:
    """Return the largest probability gap to the pipeline on X; raise if above `tolerance`."""
    gap = parity_gap(model, pipeline, schema, X)
    if gap > tolerance:
        raise ExportError(
            f"the ONNX graph of {name} differs from the trained model by {gap:.2e} "
            f"(more than {tolerance:g}) on the test split"
        )
    return gap


def _latency_us(model: OnnxModel, rows: list[Row], repeat: int = 300) -> float:
    """Median microseconds of one single-row call."""
    times = []
    for i in range(repeat):
        row = [rows[i % len(rows)]]
        began = time.perf_counter()
        model.predict_proba(row)
        times.append(time.perf_counter() - began)
    return float(np.median(times) * 1e6)


def compare_int8(
    fp32: bytes, int8: bytes, schema: FeatureSchema, X: pd.DataFrame, y: npt.NDArray[np.str_]
) -> dict[str, float]:
    """Accuracy and single-row latency of the INT8 graph next to the FP32 one, on X."""
    rows = rows_of(X[schema.names])
    found: dict[str, float] = {}
    for name, graph in (("fp32", fp32), ("int8", int8)):
        model = OnnxModel(graph, schema)
        predicted = np.asarray(schema.classes)[model.predict_proba(rows).argmax(axis=1)]
        found[f"accuracy_{name}"] = float((predicted == y).mean())
        found[f"latency_us_{name}"] = _latency_us(model, rows)
        found[f"size_bytes_{name}"] = len(graph)
    found["accuracy_change"] = found["accuracy_int8"] - found["accuracy_fp32"]
    found["latency_ratio"] = found["latency_us_int8"] / found["latency_us_fp32"]
    return found
