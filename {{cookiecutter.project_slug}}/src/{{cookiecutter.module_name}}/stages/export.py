"""The export stage: each candidate as one ONNX graph, checked; the champion's bundled to serve."""

from __future__ import annotations

import logging

import onnx
import pandas as pd

from ..bundle import BACKGROUND_FILE, Manifest, verify_bundle, write_bundle
from ..config import Settings
from ..data.splits import load_splits
from ..explain.background import background_json
from ..export.graph import to_onnx
from ..export.int8 import quantize_int8
from ..export.parity import check_parity
from ..features import api_records, feature_frame
from ..files import sha256, write_atomic
from ..onnx_model import OnnxModel
from ..records import (
    CANDIDATES,
    CHAMPION,
    Candidate,
    Champion,
    StageError,
    load_candidate,
    load_champion,
)
from ..schema import FeatureSchema
from ..similar.index import index_files
from ..tracking import record_serving, registered_at, restore_serving, servable_champion
from ..training.saved import load_pipeline

log = logging.getLogger(__name__)


def describe(
    settings: Settings,
    candidate: Candidate,
    schema: FeatureSchema,
    graph: bytes,
    quantized: bool,
    examples: pd.DataFrame | None = None,
    files: dict[str, bytes] | None = None,
) -> Manifest:
    """Describe a registered candidate's exported graph: what the server reports of it.

    `examples` (test rows) ship with it for the demo page, as the API takes them; `files`
    (for `/explain` and `/similar`) beside it, each under its checksum.
    """
    return Manifest(
        name=settings.mlflow.registered_model,
        version=candidate.version,
        alias=CHAMPION,
        candidate=candidate.name,
        run_id=candidate.run_id,
        trained_at=registered_at(settings.mlflow, candidate.version),
        metrics=candidate.metrics,
        feature_schema=schema,
        quantized=quantized,
        threshold=candidate.threshold,
        sha256=sha256(graph),
        examples=[] if examples is None else api_records(schema, examples),
        files={name: sha256(content) for name, content in (files or {}).items()},
    )


def export_models(settings: Settings) -> Manifest:
    """Export each candidate to ONNX, check it, and bundle the champion's graph for serving."""
    splits, schema = load_splits(settings.paths.processed)
    paths = settings.paths
    X = feature_frame(schema, splits["test"])
    graphs: dict[str, bytes] = {}
    for name in CANDIDATES:
        pipeline = load_pipeline(paths.models, name)
        threshold = load_candidate(paths.models, name).threshold
        graphs[name] = to_onnx(pipeline, schema, threshold).SerializeToString()
        gap = check_parity(name, graphs[name], pipeline, schema, X, threshold)
        log.info("%s: ONNX graph matches the trained model within %.1e", name, gap)
    graphs["mlp.int8"] = quantize_int8(onnx.load_from_string(graphs["mlp"])).SerializeToString()
    for stem, graph in graphs.items():
        write_atomic(paths.onnx / f"{stem}.onnx", graph)

    champion = load_champion(paths.models)
    if not champion.promoted:  # the previous champion's bundle, as it was exported then
        return _restore(settings, champion)
    quantized = settings.serving.int8 and champion.name == "mlp"
    if settings.serving.int8 and not quantized:
        log.warning("serving.int8: the champion is %s, not the MLP; serving FP32", champion.name)
    graph = graphs["mlp.int8" if quantized else champion.name]
    test = splits["test"]
    shown = test.sample(min(settings.serving.examples, len(test)), random_state=settings.seed)
    train, files = splits["train"], {}
    if settings.explain.endpoint:
        rows = settings.explain.background_rows
        files[BACKGROUND_FILE] = background_json(schema, train, rows, settings.seed)
    if settings.similar.endpoint:
        served = OnnxModel(graph, schema)
        files |= index_files(served, train, settings.similar.index_rows, settings.seed)
    manifest = describe(settings, champion, schema, graph, quantized, shown, files)
    write_bundle(paths.serving, graph, manifest, files)
    record_serving(
        settings.mlflow, champion.run_id, champion.version, paths.serving, manifest.sha256
    )
    return manifest


def _restore(settings: Settings, champion: Champion) -> Manifest:
    """Serve the version that @champion still names: its bundle, from its MLflow run."""
    previous = servable_champion(settings.mlflow)
    if previous is None or str(previous.version) != champion.served:
        raise StageError(
            f"@champion no longer names version {champion.served}, which the promotion kept: "
            "run `make train` again"
        )
    restore_serving(settings.mlflow, previous, settings.paths.serving)
    manifest = verify_bundle(settings.paths.serving)
    log.warning("serving version %s again: %s", manifest.version, champion.reason)
    return manifest
