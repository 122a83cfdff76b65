"""An exported graph opened with onnxruntime: rows in feature order in, answers out.

Only numpy and onnxruntime here: the serving image has no scikit-learn, torch or pandas.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from .schema import FeatureSchema, Row

DECISION = "class_index"  # a classifier graph's output: the class answered, by column index
EMBEDDING = "embedding"  # the vector the model answers from, for `POST /similar`


class OnnxModel:
    """An onnxruntime session over an exported graph, fed rows in feature order."""

    def __init__(self, model: bytes, schema: FeatureSchema, threads: int = 1) -> None:
        options = ort.SessionOptions()
        # One request is a few microseconds of work: extra threads cost more than they save.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.graph, self.schema = model, schema
        self.classes = schema.classes
        self._output = schema.spec.output
        self._numeric = [f.kind == "numeric" for f in schema.features]
        # One graph input per feature, in schema order; the converter may have renamed them
        # (a column named "body mass" becomes the input "body_mass").
        self._inputs = [node.name for node in self.session.get_inputs()]
        outputs = {node.name for node in self.session.get_outputs()}
        if self._output not in outputs:
            raise ValueError(f"the graph has no output {self._output!r}, only {sorted(outputs)}")
        self._decides = DECISION in outputs
        self.embeds = EMBEDDING in outputs
        if len(self._inputs) != len(schema.features):
            raise ValueError(
                f"the graph takes {len(self._inputs)} inputs, the schema has "
                f"{len(schema.features)} features"
            )

    def with_threads(self, threads: int) -> OnnxModel:
        """Open the same graph in a session of its own, with `threads` threads per call."""
        return OnnxModel(self.graph, self.schema, threads)

    def _feeds(self, rows: Sequence[Row]) -> dict[str, npt.NDArray[np.generic]]:
        feeds: dict[str, npt.NDArray[np.generic]] = {}
        # Numbers beyond float32 become inf; the caller sees non-finite probabilities.
        with np.errstate(over="ignore"):
            for i, (name, numeric) in enumerate(zip(self._inputs, self._numeric, strict=True)):
                if numeric:
                    values = [np.nan if row[i] is None else row[i] for row in rows]
                    feeds[name] = np.array(values, dtype=np.float32).reshape(-1, 1)
                else:  # the graph's imputer treats "" as missing: string tensors hold no NaN
                    texts = ["" if row[i] is None else str(row[i]) for row in rows]
                    feeds[name] = np.array(texts, dtype=object).reshape(-1, 1)
        return feeds

    def _column_feeds(
        self, columns: Sequence[npt.NDArray[np.generic]]
    ) -> dict[str, npt.NDArray[np.generic]]:
        feeds: dict[str, npt.NDArray[np.generic]] = {}
        with np.errstate(over="ignore"):  # as in `_feeds`
            for name, numeric, column in zip(self._inputs, self._numeric, columns, strict=True):
                feeds[name] = column.astype(np.float32 if numeric else object).reshape(-1, 1)
        return feeds

    def predict(self, rows: Sequence[Row]) -> npt.NDArray[np.float32]:
        """Class probabilities (one row per input row), or one value per row; None is missing."""
        [output] = self.session.run([self._output], self._feeds(rows))
        return self.schema.spec.from_graph(output)

    def predict_columns(
        self, columns: Sequence[npt.NDArray[np.generic]]
    ) -> npt.NDArray[np.float32]:
        """`predict` on one array per feature: numbers (NaN missing), or text ("" missing)."""
        [output] = self.session.run([self._output], self._column_feeds(columns))
        return self.schema.spec.from_graph(output)

    def decide(
        self, rows: Sequence[Row]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64] | None]:
        """`predict`'s output and, for classes, the graph's decision: a class index per row."""
        return self._decide(self._feeds(rows))

    def decide_columns(
        self, columns: Sequence[npt.NDArray[np.generic]]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64] | None]:
        """`decide` on one array per feature, as `predict_columns` takes them."""
        return self._decide(self._column_feeds(columns))

    def _decide(
        self, feeds: dict[str, npt.NDArray[np.generic]]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64] | None]:
        if self._decides:
            output, chosen = self.session.run([self._output, DECISION], feeds)
            return self.schema.spec.from_graph(output), chosen
        [output] = self.session.run([self._output], feeds)
        # A graph exported without its decision: the likeliest class; values decide nothing.
        likeliest = output.argmax(axis=1) if self.classes else None
        return self.schema.spec.from_graph(output), likeliest

    def embed(self, rows: Sequence[Row]) -> npt.NDArray[np.float32]:
        """Each row's embedding, scaled to length 1 (a zero vector stays zero)."""
        [vectors] = self.session.run([EMBEDDING], self._feeds(rows))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = np.divide(
            vectors, norms, out=np.zeros_like(vectors), where=norms > 0
        )
        return unit
