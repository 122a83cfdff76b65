"""INT8: the MLP's graph with dynamically quantized weights, and how it compares with FP32."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import pandas as pd
from onnxruntime.quantization import QuantType, quantize_dynamic

from ..decision import Decision
from ..evaluation.metrics import metric_value
from ..features import rows_of
from ..onnx_model import OnnxModel
from ..schema import FeatureSchema, Row


def quantize_int8(model: onnx.ModelProto) -> onnx.ModelProto:
    """Dynamic INT8 quantization: weights stored as int8, activations quantized per call."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp, "fp32.onnx"), Path(tmp, "int8.onnx")
        onnx.save(model, source)
        quantize_dynamic(source, target, weight_type=QuantType.QInt8)
        return onnx.load(target)


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
) -> dict[str, float | None]:
    """Accuracy (RMSE for values) and single-row latency of the INT8 graph next to FP32, on X."""
    rows = rows_of(X[schema.names])
    score = schema.spec.int8_metric
    found: dict[str, float | None] = {}
    latency: dict[str, float] = {}
    for name, graph in (("fp32", fp32), ("int8", int8)):
        model = OnnxModel(graph, schema)
        output = model.predict(rows).astype(np.float64)
        found[f"{score}_{name}"] = metric_value(score, y, output, Decision(tuple(schema.classes)))
        found[f"latency_us_{name}"] = latency[name] = _latency_us(model, rows)
        found[f"size_bytes_{name}"] = len(graph)
    before, after = found[f"{score}_fp32"], found[f"{score}_int8"]
    found[f"{score}_change"] = None if before is None or after is None else after - before
    found["latency_ratio"] = latency["int8"] / latency["fp32"]
    return found
