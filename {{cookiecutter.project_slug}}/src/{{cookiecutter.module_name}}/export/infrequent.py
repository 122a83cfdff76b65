"""scikit-learn's grouping of rare categories, made convertible to ONNX.

skl2onnx can't convert a one-hot encoder that groups infrequent categories, so the graph
maps them first (one ONNX LabelEncoder per column) and then one-hot encodes the grouped
values with a plain encoder. Registering the converter is the import's side effect.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import StringTensorType
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import OneHotEncoder

INFREQUENT = "infrequent_sklearn"  # scikit-learn's name for the group of rare categories
UNKNOWN = "\x00unknown"  # not a category: one-hot encodes as zeros, like unknowns in sklearn


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


def without_infrequent(encoder: OneHotEncoder) -> list[tuple[str, Any]]:
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
