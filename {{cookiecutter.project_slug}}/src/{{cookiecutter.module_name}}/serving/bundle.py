"""The serving bundle: one ONNX graph and a manifest that says what it is and its checksum.

Written by the export stage, read by the server. Only numpy, onnxruntime and pydantic here:
the serving image has no scikit-learn, torch or MLflow.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from pydantic import BaseModel, ValidationError

from ..schema import FeatureSchema

MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
PROBABILITIES = "probabilities"  # the graph output the server reads for classes
PREDICTION = "prediction"  # ... and for values


class BundleError(RuntimeError):
    """Raised when a bundle is incomplete, altered, or doesn't fit the server."""


class NoBundleError(BundleError):
    """Raised when nothing has been exported yet."""


class Manifest(BaseModel):
    """What the exported graph is: registered version, run, scores, inputs and checksum."""

    name: str
    version: str
    candidate: str
    run_id: str
    trained_at: datetime
    metrics: dict[str, float]
    feature_schema: FeatureSchema
    quantized: bool
    sha256: str
    # Test rows for the demo page's "random example" (`serving.examples`); None is missing.
    examples: list[dict[str, float | str | bool | None]] = []


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


Row = Sequence[float | str | None]


def output_name(schema: FeatureSchema) -> str:
    """Name the graph output that holds the answer: class probabilities, or the value."""
    return PREDICTION if schema.regression else PROBABILITIES


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
        self._output = output_name(schema)
        self._numeric = [f.kind == "numeric" for f in schema.features]
        # One graph input per feature, in schema order; the converter may have renamed them
        # (a column named "body mass" becomes the input "body_mass").
        self._inputs = [node.name for node in self.session.get_inputs()]
        if len(self._inputs) != len(schema.features):
            raise ValueError(
                f"the graph takes {len(self._inputs)} inputs, the schema has "
                f"{len(schema.features)} features"
            )

    def predict(self, rows: Sequence[Row]) -> npt.NDArray[np.float32]:
        """Class probabilities (one row per input row), or one value per row; None is missing."""
        feeds: dict[str, npt.NDArray[np.generic]] = {}
        for i, (name, numeric) in enumerate(zip(self._inputs, self._numeric, strict=True)):
            column = [row[i] for row in rows]
            if numeric:
                values = [np.nan if v is None else v for v in column]
                # Numbers beyond float32 become inf; the caller sees non-finite probabilities.
                with np.errstate(over="ignore"):
                    feeds[name] = np.asarray(values, dtype=np.float32).reshape(-1, 1)
            else:
                # The graph's imputer treats "" as missing: string tensors hold no NaN.
                feeds[name] = np.asarray(
                    ["" if v is None else str(v) for v in column], dtype=object
                ).reshape(-1, 1)
        [output] = self.session.run([self._output], feeds)
        return output[:, 0] if self.schema.regression else output  # type: ignore[no-any-return]


def write_bundle(directory: Path, model: bytes, manifest: Manifest) -> None:
    """Write graph and manifest side by side, replacing any previous bundle whole."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a server running as another user reads it
    retired = staging.with_name(f"{staging.name}.old")
    try:
        (staging / MODEL_FILE).write_bytes(model)
        (staging / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")
        # Two renames: a reader never sees a half-written bundle (between them, briefly, none;
        # a reload then answers 409 and keeps serving the old model).
        if directory.exists():
            os.replace(directory, retired)
        os.replace(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


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
    """Check the graph against the manifest's checksum; raise NoBundleError or BundleError."""
    manifest = read_manifest(directory)
    model_path, manifest_path = directory / MODEL_FILE, directory / MANIFEST_FILE
    if not model_path.is_file():
        raise BundleError(f"{model_path} not found: run `make train` to export it again")
    found = sha256(model_path)
    if found != manifest.sha256:
        raise BundleError(
            f"{model_path} has SHA-256 {found[:12]}… but {manifest_path} (and MLflow version "
            f"{manifest.version}, tag serving_sha256) records {manifest.sha256[:12]}…: the file "
            "was altered or copied from another export; run `make train` to export it again"
        )
    return manifest


def load_bundle(directory: Path) -> tuple[Manifest, OnnxModel]:
    """Verify a bundle and open its graph; raise NoBundleError if absent, BundleError if not."""
    manifest = verify_bundle(directory)
    model_path = directory / MODEL_FILE
    try:
        model = OnnxModel(model_path.read_bytes(), manifest.feature_schema)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise BundleError(f"{model_path}: onnxruntime cannot load it: {exc}") from None
    return manifest, model
