"""MLflow: where runs go, how a candidate is logged, and which version is the champion."""

from __future__ import annotations

import subprocess
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import numpy.typing as npt
import pandas as pd
from mlflow.data.pandas_dataset import from_pandas
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.models.model import ModelInfo
from sklearn.pipeline import Pipeline

from .config import MlflowSettings
from .features import FeatureSchema
from .models import SKOPS_TRUSTED_TYPES

CHAMPION = "champion"
SCHEMA_ARTIFACT = "feature_schema.json"
# Pinned into each logged model so `mlflow models serve` can rebuild the environment.
RUNTIME_PACKAGES = ("numpy", "pandas", "scikit-learn", "skops", "torch")


class NoChampionError(LookupError):
    """Raised when the registry has no version behind the champion alias."""


def configure(cfg: MlflowSettings) -> None:
    """Point MLflow at the tracking store and the experiment."""
    mlflow.set_tracking_uri(cfg.tracking_uri)
    mlflow.set_experiment(cfg.experiment)


def git_commit() -> str | None:
    """Return the commit checked out here; None outside git or before the first commit."""
    try:
        found = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:  # no git installed
        return None
    return found.stdout.strip() if found.returncode == 0 else None


def log_provenance(splits: dict[str, pd.DataFrame], target: str, processed: Path) -> None:
    """Record the code and data of the active run: git commit, and each split with its digest."""
    commit = git_commit()
    if commit is not None:
        mlflow.set_tag("mlflow.source.git.commit", commit)
    for name, frame in splits.items():
        source = str((processed / f"{name}.parquet").resolve())
        with warnings.catch_warnings():
            # MLflow registers its local-file source twice and warns that it had to pick one.
            warnings.filterwarnings("ignore", message="The specified dataset source")
            dataset = from_pandas(frame, source=source, targets=target, name=name)
        mlflow.log_input(dataset, context=name)


def log_model(pipeline: Pipeline, registered_model: str, example: pd.DataFrame) -> ModelInfo:
    """Log a fitted pipeline in the active run (skops format) and register a new version."""
    info: ModelInfo = mlflow.sklearn.log_model(
        pipeline,
        name="model",
        signature=infer_signature(example, pipeline.predict_proba(example)),
        input_example=example,
        registered_model_name=registered_model,
        skops_trusted_types=SKOPS_TRUSTED_TYPES,
        pyfunc_predict_fn="predict_proba",
        pip_requirements=[f"{name}=={version(name)}" for name in RUNTIME_PACKAGES],
    )
    return info


def best_version(scores: dict[str, float], greater_is_better: bool) -> str:
    """Pick the version with the best score; on a tie the first listed (the simpler) wins."""
    sign = 1 if greater_is_better else -1
    return max(scores, key=lambda v: sign * scores[v])


def promote(scores: dict[str, float], cfg: MlflowSettings) -> str:
    """Point the champion alias at the best of the given versions and return it."""
    winner = best_version(scores, cfg.greater_is_better)
    client = mlflow.MlflowClient(cfg.tracking_uri)
    client.set_registered_model_alias(cfg.registered_model, CHAMPION, winner)
    return winner


def log_evaluation(
    run_id: str, metrics: dict[str, float], figures: list[Path], cfg: MlflowSettings
) -> dict[str, Any]:
    """Add test metrics and figures to a candidate's run; return the run's params."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    for name, value in metrics.items():
        client.log_metric(run_id, name, value)
    for figure in figures:
        client.log_artifact(run_id, str(figure), "figures")
    return {"params": dict(client.get_run(run_id).data.params)}


@dataclass(frozen=True)
class Champion:
    """The model behind the champion alias, with what the API reports about it."""

    model: Pipeline
    schema: FeatureSchema
    name: str
    version: str
    run_id: str
    run_name: str
    metrics: dict[str, float]
    trained_at: datetime

    @property
    def classes(self) -> list[str]:
        """Class labels in the order of the probability columns."""
        return [str(c) for c in self.model.classes_]

    def predict_proba(self, records: list[dict[str, Any]]) -> npt.NDArray[np.float64]:
        """Probabilities for records keyed by column name."""
        return self.model.predict_proba(self.schema.frame(records))  # type: ignore[no-any-return]


def load_champion(cfg: MlflowSettings) -> Champion:
    """Load the champion version of the registered model, or raise NoChampionError."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    missing = NoChampionError(
        f"no version of {cfg.registered_model!r} has the alias {CHAMPION!r}: run `make train` first"
    )
    try:
        found = client.get_model_version_by_alias(cfg.registered_model, CHAMPION)
    except MlflowException as exc:
        raise missing from exc
    if found.run_id is None:  # a version registered from outside any run
        raise missing
    run = client.get_run(found.run_id)
    schema_dict = mlflow.artifacts.load_dict(f"{run.info.artifact_uri}/{SCHEMA_ARTIFACT}")
    return Champion(
        # By version, not alias: the alias could move between the lookup and the load.
        model=mlflow.sklearn.load_model(f"models:/{cfg.registered_model}/{found.version}"),
        schema=FeatureSchema.model_validate(schema_dict),
        name=cfg.registered_model,
        version=str(found.version),
        run_id=run.info.run_id,
        run_name=run.info.run_name,
        metrics=dict(run.data.metrics),
        trained_at=datetime.fromtimestamp(found.creation_timestamp / 1000, tz=timezone.utc),
    )
