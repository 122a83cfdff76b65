"""Parity: an exported graph must answer what the trained pipeline answers."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.pipeline import Pipeline

from ..decision import Decision
from ..evaluation.metrics import model_output
from ..features import rows_of
from ..onnx_model import OnnxModel
from ..schema import FeatureSchema
from . import ExportError

# The graph computes in float32 end to end, the pipeline's preprocessing in float64: near a
# tie between classes a confident network turns that into gaps of about 2e-5.
TOLERANCE = 1e-4


def onnx_output(model: bytes, schema: FeatureSchema, X: pd.DataFrame) -> npt.NDArray[np.float32]:
    """Probabilities or values of an exported graph for a feature frame, as the server has them."""
    return OnnxModel(model, schema).predict(rows_of(X[schema.names]))


def parity_gap(model: bytes, pipeline: Pipeline, schema: FeatureSchema, X: pd.DataFrame) -> float:
    """Largest gap between the graph's and the pipeline's output on X.

    Relative to the largest output, at least 1 (so probabilities compare as they are): float32
    keeps about seven digits, so a prediction of 1e6 can't match to 1e-5 in absolute terms.
    """
    expected = model_output(pipeline, X, schema.spec)
    gap = np.abs(onnx_output(model, schema, X) - expected).max()
    return float(gap / max(1.0, float(np.abs(expected).max())))


def decision_mismatches(
    model: bytes,
    pipeline: Pipeline,
    schema: FeatureSchema,
    X: pd.DataFrame,
    threshold: float | None,
    tolerance: float = TOLERANCE,
) -> int:
    """Rows of X whose class the graph decides otherwise than the pipeline with `threshold`.

    Rows whose probabilities lie within `tolerance` of the decision's boundary (a tie, or the
    threshold) don't count: there float32 and float64 may fairly disagree.
    """
    _, chosen = OnnxModel(model, schema).decide(rows_of(X[schema.names]))
    if chosen is None:
        return 0
    proba = model_output(pipeline, X, schema.spec)
    expected = Decision(tuple(schema.classes), threshold).indices(proba)
    if threshold is None:
        top = np.sort(proba, axis=1)
        margin = top[:, -1] - top[:, -2]
    else:
        margin = np.abs(proba[:, 1] - threshold)
    return int(np.sum((chosen != expected) & (margin > tolerance)))


def check_parity(
    name: str,
    model: bytes,
    pipeline: Pipeline,
    schema: FeatureSchema,
    X: pd.DataFrame,
    threshold: float | None = None,
    tolerance: float = TOLERANCE,
) -> float:
    """Return the largest output gap to the pipeline on X; raise if above `tolerance`.

    The graph's decision (the class it answers) must match the pipeline's too.
    """
    gap = parity_gap(model, pipeline, schema, X)
    if gap > tolerance:
        raise ExportError(
            f"the ONNX graph of {name} differs from the trained model by {gap:.2e} "
            f"(more than {tolerance:g}) on the test split"
        )
    mismatched = decision_mismatches(model, pipeline, schema, X, threshold, tolerance)
    if mismatched:
        raise ExportError(
            f"the ONNX graph of {name} answers another class than the trained model "
            f"(threshold {threshold}) for {mismatched} rows of the test split"
        )
    return gap
