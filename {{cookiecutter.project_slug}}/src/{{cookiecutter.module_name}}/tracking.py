"""MLflow: where runs go, how a candidate is logged, and which version is the champion."""

from __future__ import annotations

import subprocess
import tempfile
import warnings
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import mlflow
import pandas as pd
from mlflow.data.pandas_dataset import from_pandas
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature, infer_signature
from mlflow.models.model import ModelInfo
from mlflow.types import ColSpec, Schema, TensorSpec
from sklearn.pipeline import Pipeline

from .features import RawColumns
from .files import replace_folder
from .records import CHAMPION
from .schema import FeatureSchema
from .sections import MlflowSettings
from .stale_runs import end_stale_runs

SERVING_TAG = "serving_sha256"  # model version tag: checksum of the exported serving graph
SCHEMA_ARTIFACT = "feature_schema.json"
# Pinned into each logged model so `mlflow models serve` can rebuild the environment.
RUNTIME_PACKAGES = ("numpy", "pandas", "scikit-learn", "skops", "torch")


def configure(cfg: MlflowSettings) -> None:
    """Point MLflow at the tracking store and the experiment; end runs a killed step left."""
    mlflow.set_tracking_uri(cfg.tracking_uri)
    mlflow.set_experiment(cfg.experiment)
    end_stale_runs(cfg.experiment)


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


def log_model(
    pipeline: Pipeline,
    registered_model: str,
    raw_example: pd.DataFrame,
    schema: FeatureSchema,
    trusted_types: list[str],
) -> ModelInfo:
    """Log a fitted pipeline in the active run (skops format) and register a new version.

    The logged model starts with `RawColumns`, and its signature and input example are the
    raw table's: `mlflow.pyfunc.load_model(...).predict(df)` takes the user's rows as they
    are. Every column is optional, as missing values are. `trusted_types` are the types of
    ours that skops may load. Served by `mlflow models serve`, a classifier answers
    probabilities, a regressor values.
    """
    predict = schema.spec.predict_method
    columns_step = RawColumns(schema.numeric, schema.categorical)
    model = Pipeline([("columns", columns_step), *pipeline.steps])
    inferred = infer_signature(raw_example, getattr(model, predict)(raw_example))
    columns: list[ColSpec | TensorSpec] = [
        ColSpec(c.type, c.name, required=False) for c in inferred.inputs.inputs
    ]
    info: ModelInfo = mlflow.sklearn.log_model(
        model,
        name="model",
        signature=ModelSignature(Schema(columns), inferred.outputs),
        input_example=raw_example,
        registered_model_name=registered_model,
        skops_trusted_types=[*trusted_types, f"{RawColumns.__module__}.RawColumns"],
        pyfunc_predict_fn=predict,
        pip_requirements=[f"{name}=={version(name)}" for name in RUNTIME_PACKAGES],
    )
    return info


def best_version(scores: dict[str, float | None], higher_wins: bool) -> str:
    """Pick the version with the best score; on a tie the first listed (the simpler) wins.

    An undefined score (None) loses to any defined one.
    """
    sign = 1 if higher_wins else -1
    return max(scores, key=lambda v: (scores[v] is not None, sign * (scores[v] or 0.0)))


def servable_champion(cfg: MlflowSettings) -> ModelVersion | None:
    """Return the version that @champion names now if its serving bundle was recorded."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    try:
        found = client.get_model_version_by_alias(cfg.registered_model, CHAMPION)
    except MlflowException:  # no such model or alias yet
        return None
    return found if SERVING_TAG in found.tags else None


def set_champion(
    cfg: MlflowSettings, version: str, run_id: str, promoted: bool = True, reason: str = ""
) -> None:
    """Point @champion at `version` if `promoted`; tag its run either way, with the reason."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    client.set_tag(run_id, "promoted", str(promoted).lower())
    if reason:
        client.set_tag(run_id, "promotion_warning", reason)
    if promoted:
        client.set_registered_model_alias(cfg.registered_model, CHAMPION, version)


def restore_serving(cfg: MlflowSettings, version: ModelVersion, bundle: Path) -> None:
    """Put the serving bundle recorded for `version` back in `bundle`, as it was exported."""
    with tempfile.TemporaryDirectory() as folder:
        found = mlflow.artifacts.download_artifacts(
            run_id=version.run_id,
            artifact_path="serving",
            dst_path=folder,
            tracking_uri=cfg.tracking_uri,
        )
        files = {path.name: path.read_bytes() for path in Path(found).iterdir() if path.is_file()}
    replace_folder(bundle, files)


def log_evaluation(
    run_id: str, metrics: dict[str, float | None], figures: list[Path], cfg: MlflowSettings
) -> dict[str, str]:
    """Add test metrics (the defined ones) and figures to a candidate's run; return its params."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    for name, value in metrics.items():
        if value is not None:
            client.log_metric(run_id, name, value)
    for figure in figures:
        client.log_artifact(run_id, str(figure), "figures")
    return dict(client.get_run(run_id).data.params)


def record_serving(cfg: MlflowSettings, run_id: str, version: str, bundle: Path, sha: str) -> None:
    """Keep the serving bundle in the champion's run and its checksum on the model version."""
    client = mlflow.MlflowClient(cfg.tracking_uri)
    client.log_artifacts(run_id, str(bundle), "serving")
    client.set_model_version_tag(cfg.registered_model, version, SERVING_TAG, sha)


def registered_at(cfg: MlflowSettings, version: str) -> datetime:
    """When a version of the registered model was created."""
    found = mlflow.MlflowClient(cfg.tracking_uri).get_model_version(cfg.registered_model, version)
    return datetime.fromtimestamp(found.creation_timestamp / 1000, tz=timezone.utc)
