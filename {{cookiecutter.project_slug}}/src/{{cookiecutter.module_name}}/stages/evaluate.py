"""The evaluate stage: both candidates on the test split; metrics, figures, card and README."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from ..config import Settings
from ..data.splits import load_splits
from ..evaluation.caveats import caveats
from ..evaluation.metrics import floor_scores
from ..evaluation.scorecard import score_model
from ..evaluation.summary import ModelScores, ServingChecks, Summary
from ..explain.summary import ShapSummary
from ..export.int8 import compare_int8
from ..export.parity import parity_gap
from ..fairness.summary import FairnessReport
from ..features import feature_frame, targets
from ..files import write_atomic
from ..records import CANDIDATES, Candidate, StageError, load_candidate, load_champion
from ..report.card import model_card
from ..report.decision_words import decision_words
from ..report.facts import CardFacts, RunFacts
from ..report.tables import START, results_table, update_readme
from ..report.tuning_section import tuning_lines
from ..schema import FeatureSchema
from ..tasks import Score
from ..tracking import git_commit, log_evaluation
from ..training.saved import load_pipeline

log = logging.getLogger(__name__)


def serving_checks(
    onnx: Path, pipelines: dict[str, Pipeline], schema: FeatureSchema, X: pd.DataFrame, y: Any
) -> ServingChecks:
    """How the exported graphs score on the test split: ONNX parity and INT8 against FP32."""
    graphs = {}
    for name in (*CANDIDATES, "mlp.int8"):
        path = onnx / f"{name}.onnx"
        if not path.is_file():
            raise StageError(f"{path} not found: run `make train` to export the models")
        graphs[name] = path.read_bytes()
    return ServingChecks(
        onnx_max_abs_diff={
            name: parity_gap(graphs[name], pipelines[name], schema, X) for name in CANDIDATES
        },
        int8=compare_int8(graphs["mlp"], graphs["mlp.int8"], schema, X, y),
    )


def card_facts(
    settings: Settings,
    splits: dict[str, pd.DataFrame],
    schema: FeatureSchema,
    champion_metric: str,
    champion: Candidate,
    runs: dict[str, RunFacts],
) -> CardFacts:
    """Gather what the model card says beyond the scores: the data, the settings, the runs."""
    counts = splits["train"][schema.target].value_counts()
    missing = pd.concat(splits.values())[schema.names].isna().sum()
    return CardFacts(
        registered_model=settings.mlflow.registered_model,
        champion_metric=champion_metric,
        selection=champion.selection,
        decision=decision_words(
            schema,
            champion.threshold,
            settings.imbalance,
            schema.spec.resolve_main(settings.evaluation.main_metric),
        ),
        source=settings.data.source,
        rows={split: len(frame) for split, frame in splits.items()},
        class_balance={label: int(counts[label]) for label in schema.classes},
        missing={str(column): int(n) for column, n in missing.items()},
        bootstrap=settings.evaluation.bootstrap,
        min_slice_size=settings.evaluation.min_slice_size,
        seed=settings.seed,
        git_commit=git_commit(),
        runs=runs,
    )


def evaluate_candidates(settings: Settings) -> Summary:
    """Score both candidates on the test split; write metrics, figures, card and README."""
    splits, schema = load_splits(settings.paths.processed)
    cfg, paths, spec = settings.evaluation, settings.paths, schema.spec
    try:  # the data stage checked these; params.yaml may have changed since
        schema.check_slices(cfg.slices)
        metric = spec.resolve_main(cfg.main_metric)
        champion_metric = spec.resolve_champion(settings.mlflow.champion_metric)
    except ValueError as exc:
        raise StageError(str(exc)) from None
    test = splits["test"]
    X, y = feature_frame(schema, test), targets(test, schema)
    champion = load_champion(paths.models)
    floor = floor_scores(spec, targets(splits["train"], schema), y, schema.classes)
    logged_floor = {f"test_floor_{key}": value for key, value in floor.items()}
    pipelines: dict[str, Pipeline] = {
        name: load_pipeline(paths.models, name) for name in CANDIDATES
    }
    models: dict[str, ModelScores] = {}
    runs: dict[str, RunFacts] = {}
    validation: dict[str, dict[str, Score]] = {}
    for name, model in pipelines.items():
        candidate = load_candidate(paths.models, name)
        validation[name] = candidate.metrics
        figures_dir = paths.reports / "figures"
        scores, figures = score_model(
            name, model, X, y, schema, metric, cfg, settings.seed, figures_dir, candidate.threshold
        )
        models[name] = scores
        metrics: dict[str, Score] = {f"test_{k}": value for k, value in scores.test.items()}
        interval = scores.interval
        metrics |= {"test_interval_low": interval.low, "test_interval_high": interval.high}
        params = log_evaluation(candidate.run_id, metrics | logged_floor, figures, settings.mlflow)
        runs[name] = RunFacts(
            run_id=candidate.run_id,
            version=candidate.version,
            train_rows=candidate.train_rows,
            params=params,
            score=candidate.metrics.get(champion_metric),
            spread=candidate.spread.get(champion_metric),
            tuned=candidate.tuned,
            tuning=candidate.tuning,
        )
    summary = Summary(
        task=schema.task,
        champion=champion.name,
        main_metric=metric,
        test_rows=len(test),
        models=models,
        floor=floor,
        serving=serving_checks(paths.onnx, pipelines, schema, X, y),
    )
    facts = card_facts(settings, splits, schema, champion_metric, champion, runs)
    warnings = caveats(
        summary,
        schema,
        facts.rows,
        champion.train_rows,
        facts.class_balance,
        validation,
        champion.reason,
    )
    fairness = FairnessReport.read(paths.reports / "fairness" / "fairness.json")
    warnings += fairness.warnings if fairness else []
    summary = summary.model_copy(update={"warnings": warnings})
    summary.write(paths.reports / "metrics.json")
    shap = ShapSummary.read(paths.reports / "explain" / "shap.json")
    card = model_card(summary, schema, facts, fairness, shap)
    write_atomic(paths.reports / "model_card.md", card)
    if not update_readme(paths.readme, results_table(summary, tuning_lines(runs))):
        log.warning("%s has no %s marker: results table not written", paths.readme, START)
    return summary
