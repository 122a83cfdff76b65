"""SHAP values of one answer of the served graph, by shap's model-agnostic explainers.

A feature left out of a coalition takes its values from the background rows (shap's
`Independent` masker), so the contributions add up to the answer minus `base_value`, the
mean answer over the background. Up to `explain.exact_up_to` features every coalition is
evaluated (exact); beyond, shap samples permutations within `explain.max_evals` calls,
which keeps the sum exact and the split between features an estimate.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..bundle import BACKGROUND_FILE, Bundle
from ..onnx_model import OnnxModel
from ..schema import Row
from ..serving_sections import ExplainSettings


def read_background(bundle: Bundle) -> list[Row]:
    """Return the bundle's background rows in feature order; [] if it ships none."""
    content = bundle.files.get(BACKGROUND_FILE)
    if content is None:
        return []
    records: list[dict[str, float | str | None]] = json.loads(content)
    names = bundle.manifest.feature_schema.names
    return [[record[name] for name in names] for record in records]


@dataclass(frozen=True)
class Contributions:
    """One answer explained: which output, its value, the base value and each feature's part."""

    output: int | None  # the class explained, by column index; None: the predicted value
    explained: str  # e.g. "probability of Gentoo", or "predicted value"
    value: float
    base_value: float
    contributions: npt.NDArray[np.float64]  # per feature, in schema order


class Explainer:
    """Explain the graph's answers for rows in feature order (as `OnnxModel` takes them).

    shap perturbs numbers, so categories travel as their index in the schema and missing
    values as NaN; the model function turns them back into the graph's inputs.
    """

    def __init__(self, model: OnnxModel, background: Sequence[Row], cfg: ExplainSettings):
        # Here, not at the top: shap comes with the `explain` extra, which /predict does without.
        import shap

        self.model = model
        features = model.schema.features
        self._numeric = [f.kind == "numeric" for f in features]
        self._categories = [np.asarray([*f.categories, ""], dtype=object) for f in features]
        self._codes = [{c: i for i, c in enumerate(f.categories)} for f in features]
        masker = shap.maskers.Independent(self.encode(background), max_samples=len(background))
        self.exact = len(features) <= cfg.exact_up_to
        self._evals = max(cfg.max_evals, 2 * len(features) + 1)  # permutation's least
        if self.exact:
            self._shap: Any = shap.explainers.Exact(self._answer, masker)
        else:
            self._shap = shap.explainers.Permutation(self._answer, masker, seed=0)

    def knows(self, row: Row) -> bool:
        """Whether every category of the row was seen in training (else the API refuses it)."""
        return all(
            numeric or value is None or str(value) in codes
            for numeric, codes, value in zip(self._numeric, self._codes, row, strict=True)
        )

    def encode(self, rows: Sequence[Row]) -> npt.NDArray[np.float64]:
        """Rows as numbers: values, category indices, NaN for missing."""
        found = np.full((len(rows), len(self._numeric)), np.nan)
        for j, (numeric, codes) in enumerate(zip(self._numeric, self._codes, strict=True)):
            for i, row in enumerate(rows):
                value = row[j]
                if value is None:
                    continue
                if numeric:
                    found[i, j] = float(value)
                elif str(value) in codes:
                    found[i, j] = codes[str(value)]
                else:
                    raise ValueError(f"{self.model.schema.names[j]}: unknown category {value!r}")
        return found

    def _answer(self, encoded: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
        """Run the graph on encoded rows: probabilities, or values."""
        columns: list[npt.NDArray[np.generic]] = []
        for j, numeric in enumerate(self._numeric):
            column = encoded[:, j]
            if numeric:
                columns.append(column)
            else:  # the last entry, "", is what the graph reads as missing
                codes = np.where(np.isnan(column), -1, column).astype(np.int64)
                columns.append(self._categories[j][codes])
        return self.model.predict_columns(columns)

    def explain_answer(
        self, row: Row, answer: tuple[npt.NDArray[np.float32], int | None] | None = None
    ) -> Contributions:
        """Explain the answer the server gives: the answered class's probability, or the value.

        `answer`: the graph's output for the row and its decision, if the caller has them.
        """
        if answer is None:
            output, chosen = self.model.decide([row])
            answer = output[0], None if chosen is None else int(chosen[0])
        output, decided = answer
        index, words = self.model.schema.spec.explained(output, decided, self.model.classes)
        kwargs = {} if self.exact else {"max_evals": self._evals}
        found = self._shap(self.encode([row]), silent=True, **kwargs)
        values, base = np.asarray(found.values[0]), np.asarray(found.base_values[0])
        if index is not None:
            values, base, output = values[:, index], base[index], output[index]
        return Contributions(index, words, float(output), float(base), values.astype(np.float64))
