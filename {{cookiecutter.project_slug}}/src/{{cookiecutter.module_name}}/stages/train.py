"""The training stage: fit one candidate, log it to MLflow, register it, write its record.

Under torchrun every process trains, and rank 0 alone logs, registers and writes files.
"""

from __future__ import annotations

import logging

import mlflow
import pandas as pd

from ..config import Settings
from ..data.splits import load_raw_example, load_splits
from ..features import feature_frame, targets
from ..files import write_atomic
from ..held_out import save_held_out
from ..records import Candidate, CandidateName, save_candidate
from ..selection import select
from ..stale_runs import owner_tags
from ..tasks import Target
from ..tracking import SCHEMA_ARTIFACT, configure, log_model, log_provenance
from ..training.distributed import is_main
from ..training.estimators import SKOPS_TRUSTED_TYPES
from ..training.saved import save_pipeline
from ..tuning.tuned import read_tuned

log = logging.getLogger(__name__)


def _log_epoch(epoch: int, metrics: dict[str, float]) -> None:
    mlflow.log_metrics(metrics, step=epoch)


def train_candidate(
    settings: Settings, name: CandidateName, progress: bool = True
) -> Candidate | None:
    """Train one candidate, log it to MLflow and register it as a new version.

    Only the validation split is scored here; the test split waits for the evaluate stage.
    Under torchrun the processes other than rank 0 return None.
    """
    splits, schema = load_splits(settings.paths.processed)
    X = {split: feature_frame(schema, frame) for split, frame in splits.items()}
    y: dict[str, Target] = {split: targets(frame, schema) for split, frame in splits.items()}
    tuned = read_tuned(settings.paths.tuned).of(name)
    if not is_main():  # the same fits, for DDP's collectives; rank 0 records them
        select(name, settings, X, y, schema, progress=False, tuned=tuned)
        return None
    configure(settings.mlflow)
    with mlflow.start_run(run_name=name, tags=owner_tags()) as run:
        log_provenance(splits, schema.target, settings.paths.processed)
        selected = select(name, settings, X, y, schema, progress, _log_epoch, tuned)
        fitted, metrics = selected.fitted, selected.scores
        if fitted.best_epoch is not None:
            mlflow.log_metric("best_epoch", fitted.best_epoch)
            history = pd.DataFrame(fitted.history).to_csv(index=False)
            write_atomic(settings.paths.reports / "mlp_history.csv", history)
        params: dict[str, object] = {"seed": settings.seed, "task": schema.task}
        params["selection"] = selected.method
        if schema.spec.name == "classification":
            params |= {"class_weight": settings.imbalance.class_weight}
            params |= {"threshold": selected.threshold or "argmax"}
        if tuned is not None:
            mlflow.set_tag("tuned", tuned.words())
        mlflow.log_params(params | fitted.params)
        spread = {f"{metric}_std": value for metric, value in selected.spread.items()}
        defined = {
            metric: value for metric, value in (metrics | spread).items() if value is not None
        }
        mlflow.log_metrics(defined)
        mlflow.log_dict(schema.model_dump(), SCHEMA_ARTIFACT)
        info = log_model(
            fitted.pipeline,
            settings.mlflow.registered_model,
            load_raw_example(settings.paths.processed),
            schema,
            SKOPS_TRUSTED_TYPES,
        )
    version = str(info.registered_model_version)
    train_rows = fitted.params["train_rows"]
    candidate = Candidate(
        name,
        schema.task,
        version,
        run.info.run_id,
        metrics,
        train_rows,
        selected.method,
        selected.rows,
        selected.spread,
        selected.threshold,
        selected.floor,
        tuned=tuned.registered.params if tuned else {},
        tuning=tuned.words() if tuned else "",
    )
    save_pipeline(settings.paths.models, name, fitted.pipeline)
    save_held_out(settings.paths.models, name, selected.held_out)
    save_candidate(settings.paths.models, candidate)
    log.info("%s registered as version %s", name, candidate.version)
    return candidate
