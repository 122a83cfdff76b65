"""Train both candidates, log them to MLflow, register them and crown the champion."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.pipeline import Pipeline

from .config import Settings
from .data import load_splits
from .evaluation import classification_metrics, majority_rate
from .features import FeatureSchema, build_preprocessor
from .models import MLPClassifier, build_baseline
from .tracking import SCHEMA_ARTIFACT, configure, log_model, promote

log = logging.getLogger(__name__)


@dataclass
class Candidate:
    """One trained model as registered: its version and scores."""

    name: str
    version: str
    run_id: str
    metrics: dict[str, float]


def _log_candidate(
    name: str,
    model: Pipeline,
    params: dict[str, Any],
    X: dict[str, pd.DataFrame],
    y: dict[str, npt.NDArray[np.str_]],
    schema: FeatureSchema,
    settings: Settings,
) -> Candidate:
    """Score a fitted pipeline and log params, metrics and model to the active run."""
    metrics = {"test_majority_rate": majority_rate(y["test"])}
    for split in ("val", "test"):
        scores = classification_metrics(y[split], model.predict_proba(X[split]), model.classes_)
        metrics.update({f"{split}_{key}": value for key, value in scores.items()})
    mlflow.log_params({"seed": settings.seed, "data.source": settings.data.source, **params})
    mlflow.log_metrics(metrics)
    mlflow.log_dict(schema.model_dump(), SCHEMA_ARTIFACT)
    info = log_model(model, settings.mlflow.registered_model, X["train"].head(5))
    run_id = mlflow.active_run().info.run_id  # type: ignore[union-attr]
    log.info("%s registered as version %s", name, info.registered_model_version)
    return Candidate(name, str(info.registered_model_version), run_id, metrics)


def _log_epoch(epoch: int, metrics: dict[str, float]) -> None:
    mlflow.log_metrics(metrics, step=epoch)


def train(settings: Settings, progress: bool = True) -> dict[str, Any]:
    """Train the baseline and the MLP on the processed splits; return the summary it writes."""
    splits, schema = load_splits(settings.paths.processed)
    X = {name: schema.frame(frame) for name, frame in splits.items()}
    y = {name: frame[schema.target].to_numpy(dtype=str) for name, frame in splits.items()}
    configure(settings.mlflow)

    candidates = []
    with mlflow.start_run(run_name="baseline"):
        baseline = build_baseline(schema, settings.baseline, settings.seed)
        baseline.fit(X["train"], y["train"])
        params = settings.baseline.model_dump()
        candidates.append(_log_candidate("baseline", baseline, params, X, y, schema, settings))

    with mlflow.start_run(run_name="mlp"):
        preprocess = build_preprocessor(schema).fit(X["train"])
        checkpoint = settings.paths.models / "mlp.pt"
        mlp = MLPClassifier.from_settings(settings.torch, settings.seed, checkpoint)
        mlp.set_params(progress=progress)
        mlp.fit(
            preprocess.transform(X["train"]),
            y["train"],
            preprocess.transform(X["val"]),
            y["val"],
            on_epoch=_log_epoch,
        )
        mlflow.log_metric("best_epoch", mlp.best_epoch_)
        mlflow.log_artifact(str(checkpoint))
        model = Pipeline([("preprocess", preprocess), ("classifier", mlp)])
        params = settings.torch.model_dump()
        candidates.append(_log_candidate("mlp", model, params, X, y, schema, settings))

    metric = settings.mlflow.champion_metric
    winner = promote({c.version: c.metrics[metric] for c in candidates}, settings.mlflow)
    champion = next(c for c in candidates if c.version == winner)
    summary = {
        "registered_model": settings.mlflow.registered_model,
        "champion": {"name": champion.name, "version": champion.version, "metric": metric},
        "candidates": [asdict(c) for c in candidates],
    }
    _write_json(settings.paths.reports / "metrics.json", summary)
    return summary


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
