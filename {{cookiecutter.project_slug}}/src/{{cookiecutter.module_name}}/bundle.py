"""The serving bundle: one ONNX graph, the files beside it, and a manifest of their checksums.

The contract between the export stage, which writes it, and the server, which reads it.
Only onnxruntime, numpy and pydantic here: the serving image has no scikit-learn, torch, pandas
or MLflow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError

from .files import replace_folder, sha256
from .onnx_model import OnnxModel
from .schema import FeatureSchema

MODEL_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
# The other files a bundle may ship, each under its checksum in the manifest's `files`.
BACKGROUND_FILE = "background.json"  # training rows, as the API takes them: for /explain
VECTORS_FILE = "neighbours.npy"  # training rows' embeddings, L2-normalised: for /similar
NEIGHBOURS_FILE = "neighbours.json"  # those rows, as the API takes them, and their targets


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
    # The other files, by name, and their SHA-256: what /explain and /similar read.
    files: dict[str, str] = {}


@dataclass(frozen=True)
class Bundle:
    """A verified bundle: its manifest, its graph opened, its other files as read."""

    manifest: Manifest
    model: OnnxModel
    files: Mapping[str, bytes]  # each checked against the manifest, read once


def write_bundle(
    directory: Path, model: bytes, manifest: Manifest, files: Mapping[str, bytes] | None = None
) -> None:
    """Write graph, other files and manifest side by side, replacing any previous bundle.

    A reader never sees a half-written bundle; between the two renames there is briefly
    none, and a reload then answers 409 and keeps serving the old model.
    """
    files = dict(files or {})
    if {name: sha256(content) for name, content in files.items()} != manifest.files:
        raise ValueError("the manifest's checksums don't match the files written beside it")
    content: dict[str, str | bytes] = {MODEL_FILE: model, **files}
    content[MANIFEST_FILE] = manifest.model_dump_json(indent=2) + "\n"
    replace_folder(directory, content)


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
    return _read_all(directory)[0]


def _read_all(directory: Path) -> tuple[Manifest, bytes, dict[str, bytes]]:
    """Read the manifest, the graph and the other files, each checked against its checksum."""
    manifest = read_manifest(directory)
    model = _checked(directory / MODEL_FILE, manifest.sha256, manifest)
    files: dict[str, bytes] = {}
    for name, expected in manifest.files.items():
        if Path(name).name != name:  # a manifest names files beside it, nothing elsewhere
            raise BundleError(f"{directory / MANIFEST_FILE}: files: {name!r} is not a file name")
        files[name] = _checked(directory / name, expected, manifest)
    return manifest, model, files


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


def load_bundle(directory: Path) -> Bundle:
    """Verify a bundle, open its graph and have it predict the examples it ships.

    Raise NoBundleError if there is none, BundleError if it can't serve: a graph that loads
    but can't answer (an output renamed, say) is refused here, not on every request.
    """
    manifest, model, files = _read_all(directory)
    path = directory / MODEL_FILE
    try:
        opened = OnnxModel(model, manifest.feature_schema)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise BundleError(f"{path}: onnxruntime cannot load it: {exc}") from None
    features = manifest.feature_schema.features
    # No examples shipped: a row of missing values, which every graph imputes.
    rows = [[example.get(f.name) for f in features] for example in manifest.examples]
    try:
        output = opened.predict(rows or [[None] * len(features)])
    except Exception as exc:
        raise BundleError(f"{path} can't predict the examples it ships: {exc}") from None
    if len(output) != max(len(rows), 1) or not np.isfinite(output).all():
        raise BundleError(f"{path} answers its examples with missing or non-finite values")
    return Bundle(manifest, opened, files)
