"""The data stage: ingest, validate and split the raw table; write the splits and their schema."""

from __future__ import annotations

import logging

from ..config import Settings
from ..data import DataError
from ..data.sources import ingest
from ..data.splits import split, write_splits
from ..data.validation import task_of, validate
from ..features import feature_frame, infer_schema
from ..schema import FeatureSchema
from ..tasks import TASKS

log = logging.getLogger(__name__)


def prepare(settings: Settings) -> FeatureSchema:
    """Run the data step: ingest, validate, split, infer the schema and write everything."""
    cfg, out_dir = settings.data, settings.paths.processed
    raw = ingest(cfg, settings.paths.raw)
    df, dropped, rare = validate(raw, cfg, settings.task)
    task = task_of(df, cfg.target)
    splits = split(df, cfg, settings.seed, TASKS[task])
    schema = infer_schema(splits["train"], cfg.target, task, ignored=dropped, rare=rare)
    try:  # what later stages will ask of this table, before any model trains
        schema.check_slices(settings.evaluation.slices)
        schema.check_slices(settings.fairness.sensitive, "fairness.sensitive")
        if settings.fairness.max_disparity is not None:
            schema.check_bound(settings.fairness.sensitive)
        schema.spec.resolve_main(settings.evaluation.main_metric)
        schema.spec.resolve_champion(settings.mlflow.champion_metric)
    except ValueError as exc:
        raise DataError(str(exc)) from None
    splits = {
        name: feature_frame(schema, frame).assign(**{cfg.target: frame[cfg.target].to_numpy()})
        for name, frame in splits.items()
    }
    # A few rows as the table holds them: what MLflow's logged model is told to expect.
    write_splits(splits, schema, out_dir, example=raw[schema.names].head(5))
    log.info("wrote %s to %s", ", ".join(f"{n}={len(f)}" for n, f in splits.items()), out_dir)
    return schema
