"""Score columns of rows with the served bundle: the API's checks, its graph, its answers.

Numpy and onnxruntime only, like the server: Dask workers load it once each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..bundle import load_bundle
from ..column_check import ColumnError, Given, check_columns
from ..onnx_model import OnnxModel


class ScoreError(ValueError):
    """Input that can't be scored; the message names the file, column or row."""

    @classmethod
    def of(cls, where: str, error: ColumnError, before: int = 0) -> ScoreError:
        """Name each bad column and its first bad row, counted from 1 after `before` rows."""
        found = [
            p.column + ("" if p.row is None else f", row {before + p.row + 1}") + f": {p.why}"
            for p in error.problems
        ]
        return cls(f"{where}: nothing written: {'; '.join(found)}")


@dataclass(frozen=True)
class Scorer:
    """The served graph, with the schema its inputs are checked against."""

    model: OnnxModel

    @classmethod
    def load(cls, bundle: Path) -> Scorer:
        """Open a bundle, checking every file against the manifest's checksums."""
        return cls(load_bundle(bundle).model)

    @property
    def features(self) -> list[str]:
        """The columns scored; a table's other columns pass through."""
        return self.model.schema.names

    def outputs(self) -> list[str]:
        """Name the columns that scoring adds, in order."""
        empty = np.zeros((0, max(1, len(self.model.classes))), dtype=np.float32)
        return list(self._answers(self.model.schema.spec.from_graph(empty), None))

    def score(self, columns: Mapping[str, Given]) -> dict[str, npt.NDArray[np.generic]]:
        """Check the features' columns as the API does, then answer: the task's columns.

        Raises `ColumnError` naming each bad column and its first bad row.
        """
        found = {name: columns[name] for name in self.features if name in columns}
        arrays = check_columns(self.model.schema, found)  # a missing feature is named
        output, chosen = self.model.decide_columns(arrays)
        return self._answers(output, chosen)

    def _answers(
        self, output: npt.NDArray[np.float32], chosen: npt.NDArray[np.int64] | None
    ) -> dict[str, npt.NDArray[np.generic]]:
        return self.model.schema.spec.scored(output, chosen, self.model.classes)

    def refuse_clashes(self, columns: list[str], where: str) -> None:
        """Refuse a table that already has a column scoring would write."""
        clash = [name for name in self.outputs() if name in columns]
        if clash:
            raise ScoreError(f"{where}: already has a column {clash[0]!r}, which scoring writes")
