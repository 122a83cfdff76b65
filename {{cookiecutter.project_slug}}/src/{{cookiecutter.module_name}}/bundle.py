"""The serving bundle: one ONNX graph and a manifest that says what it is and its checksum.

The contract between the export stage, which writes it, and the server, which reads it.
Only numpy, onnxruntime and pydantic here: the serving image has no scikit-learn, torch,
pandas or MLflow.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from pydantic import BaseModel, ValidationError

from .files import replace_folder, sha256
from .schema import FeatureSchema, Row

MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
BACKGROUND_FILE = "background.json"  # training rows, as the API takes them: for /explain
DECISION = "class_index"  # a classifier graph's output: the class answered, by column index


class BundleError(RuntimeError):
    """Raised when a bundle is incomplete, altered, or doesn't fit the server."""


class NoBundleError(BundleError):
    """Raised when nothing has been exported yet."""


class Manifest(BaseModel):
    """What the exported graph is: registered version, run, scores, inputs and checksum."""

    name: str
    version: str
    alias: str  # the registry alias that pointed at this version when it was exported
    candidate: str
    run_id: str
    trained_at: datetime
    metrics: dict[str, float | None]  # validation scores; None: undefined
    feature_schema: FeatureSchema
    quantized: bool
    threshold: float | None = None  # binary targets: P(positive) from which it is answered
    sha256: str
    # Test rows for the demo page's "random example" (`serving.examples`); None is missing.
    examples: list[dict[str, float | str | bool | None]] = []
    background_sha256: str | None = None  # of BACKGROUND_FILE; None: no /explain


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
        self.schema = schema
        self.classes = schema.classes
        self._output = schema.spec.output
        self._numeric = [f.kind == "numeric" for f in schema.features]
        # One graph input per feature, in schema order; the converter may have renamed them
        # (a column named "body mass" becomes the input "body_mass").
        self._inputs = [node.name for node in self.session.get_inputs()]
        self._decides = DECISION in {node.name for node in self.session.get_outputs()}
        if len(self._inputs) != len(schema.features):
            raise ValueError(
                f"the graph takes {len(self._inputs)} inputs, the schema has "
                f"{len(schema.features)} features"
            )

    def _feeds(self, rows: Sequence[Row]) -> dict[str, npt.NDArray[np.generic]]:
        columns: list[npt.NDArray[np.generic]] = []
        for i, numeric in enumerate(self._numeric):
            column = [row[i] for row in rows]
            if numeric:
                columns.append(np.asarray([np.nan if v is None else v for v in column]))
            else:  # the graph's imputer treats "" as missing: string tensors hold no NaN
                columns.append(np.asarray(["" if v is None else str(v) for v in column], object))
        return self._column_feeds(columns)

    def _column_feeds(
        self, columns: Sequence[npt.NDArray[np.generic]]
    ) -> dict[str, npt.NDArray[np.generic]]:
        feeds: dict[str, npt.NDArray[np.generic]] = {}
        for name, numeric, column in zip(self._inputs, self._numeric, columns, strict=True):
            # Numbers beyond float32 become inf; the caller sees non-finite probabilities.
            with np.errstate(over="ignore"):
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
        if not self._decides:
            return self.predict(rows), None
        output, chosen = self.session.run([self._output, DECISION], self._feeds(rows))
        return self.schema.spec.from_graph(output), chosen


def write_bundle(
    directory: Path, model: bytes, manifest: Manifest, background: bytes | None = None
) -> None:
    """Write graph, manifest (and background) side by side, replacing any previous bundle.

    A reader never sees a half-written bundle; between the two renames there is briefly
    none, and a reload then answers 409 and keeps serving the old model.
    """
    files: dict[str, str | bytes] = {MODEL_FILE: model}
    if background is not None:
        files[BACKGROUND_FILE] = background
    files[MANIFEST_FILE] = manifest.model_dump_json(indent=2) + "\n"
    replace_folder(directory, files)


def read_manifest(directory: Path) -> Manifest:
    """Read a bundle's manifest; raise NoBundleError if there is none."""
    path = directory / MANIFEST_FILE
    if not path.is_file():
        raise NoBundleError(f"{path} not found: run `make train` to export the champion")
    try:
        return Manifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise BundleError(f"{path} is not a valid manifest: {exc}") from None


def verify_bundle(directory: Path) -> Manifest:
    """Check the files against the manifest's checksums; raise NoBundleError or BundleError."""
    manifest = read_manifest(directory)
    _checked(directory / MODEL_FILE, manifest.sha256, manifest)
    if manifest.background_sha256 is not None:
        _checked(directory / BACKGROUND_FILE, manifest.background_sha256, manifest)
    return manifest


def _checked(path: Path, expected: str, manifest: Manifest) -> bytes:
    """Read a bundle file whose SHA-256 the manifest records."""
    if not path.is_file():
        raise BundleError(f"{path} not found: run `make train` to export it again")
    content = path.read_bytes()
    found = sha256(content)
    if found != expected:
        raise BundleError(
            f"{path} has SHA-256 {found[:12]}… but {path.parent / MANIFEST_FILE} (of MLflow "
            f"version {manifest.version}) records {expected[:12]}…: the file was altered or "
            "copied from another export; run `make train` to export it again"
        )
    return content


def read_background(directory: Path, manifest: Manifest) -> list[Row]:
    """Return the background rows in feature order, checked; [] if none was shipped."""
    if manifest.background_sha256 is None:
        return []
    content = _checked(directory / BACKGROUND_FILE, manifest.background_sha256, manifest)
    records: list[dict[str, float | str | bool | None]] = json.loads(content)
    names = manifest.feature_schema.names
    return [[_as_input(record[name]) for name in names] for record in records]


def _as_input(value: float | str | bool | None) -> float | str | None:
    """Return an API value as the graph takes it: true/false as the categories "True", "False"."""
    return str(value) if isinstance(value, bool) else value


def load_bundle(directory: Path) -> tuple[Manifest, OnnxModel]:
    """Verify a bundle and open its graph; raise NoBundleError if absent, BundleError if not."""
    manifest = verify_bundle(directory)
    model_path = directory / MODEL_FILE
    try:
        model = OnnxModel(model_path.read_bytes(), manifest.feature_schema)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise BundleError(f"{model_path}: onnxruntime cannot load it: {exc}") from None
    return manifest, model
