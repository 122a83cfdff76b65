"""The export stage: each candidate as one ONNX graph, checked; the champion's bundled to serve."""

from __future__ import annotations

import logging

import onnx
import pandas as pd

from ..bundle import Manifest, write_bundle
from ..config import Settings
from ..data.splits import load_splits
from ..export.graph import to_onnx
from ..export.int8 import quantize_int8
from ..export.parity import check_parity
from ..features import api_records, feature_frame
from ..files import sha256, write_atomic
from ..records import CANDIDATES, CHAMPION, Candidate, load_candidate
from ..schema import FeatureSchema
from ..tracking import record_serving, registered_at
from ..training.saved import load_pipeline

log = logging.getLogger(__name__)


def describe(
    settings: Settings,
    candidate: Candidate,
    schema: FeatureSchema,
    graph: bytes,
    quantized: bool,
    examples: pd.DataFrame | None = None,
) -> Manifest:
    """Describe a registered candidate's exported graph: what the server reports of it.

    `examples` (test rows) ship with it for the demo page, as the API takes them.
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
        sha256=sha256(graph),
        examples=[] if examples is None else api_records(schema, examples),
    )


def export_models(settings: Settings) -> Manifest:
    """Export each candidate to ONNX, check it, and bundle the champion's graph for serving."""
    splits, schema = load_splits(settings.paths.processed)
    paths = settings.paths
    X = feature_frame(schema, splits["test"])
    graphs: dict[str, bytes] = {}
    for name in CANDIDATES:
        pipeline = load_pipeline(paths.models, name)
        graphs[name] = to_onnx(pipeline, schema).SerializeToString()
        gap = check_parity(name, graphs[name], pipeline, schema, X)
        log.info("%s: ONNX graph matches the trained model within %.1e", name, gap)
    graphs["mlp.int8"] = quantize_int8(onnx.load_from_string(graphs["mlp"])).SerializeToString()
    for stem, graph in graphs.items():
        write_atomic(paths.onnx / f"{stem}.onnx", graph)

    champion = load_candidate(paths.models, CHAMPION)
    quantized = settings.serving.int8 and champion.name == "mlp"
    if settings.serving.int8 and not quantized:
        log.warning("serving.int8: the champion is %s, not the MLP; serving FP32", champion.name)
    graph = graphs["mlp.int8" if quantized else champion.name]
    test = splits["test"]
    shown = test.sample(min(settings.serving.examples, len(test)), random_state=settings.seed)
    manifest = describe(settings, champion, schema, graph, quantized, shown)
    write_bundle(paths.serving, graph, manifest)
    record_serving(
        settings.mlflow, champion.run_id, champion.version, paths.serving, manifest.sha256
    )
    return manifest
