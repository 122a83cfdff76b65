"""The training stages: fit a candidate, log and register it; then crown the champion.

Each function is one DVC stage (see dvc.yaml) and reads only the params that stage lists.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import mlflow
import numpy as np
import numpy.typing as npt
import onnx
import pandas as pd
import skops.io
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from . import plots, report
from .config import Settings
from .data import load_splits
from .distributed import is_main, world_size
from .evaluation import (
    IMPORTANCE_MEASURE,
    MetricError,
    bootstrap_interval,
    champion_metric,
    classes_of,
    feature_importance,
    main_metric,
    majority_rate,
    mean_predictor,
    model_output,
    slice_metrics,
    task_metrics,
)
from .export import check_parity, compare_int8, parity_gap, quantize_int8, to_onnx
from .features import api_records, build_preprocessor, feature_frame
from .models import SKOPS_TRUSTED_TYPES, build_baseline, build_mlp
from .schema import FeatureSchema, Task
from .serving.bundle import Manifest, write_bundle
from .tracking import (
    CHAMPION,
    SCHEMA_ARTIFACT,
    configure,
    git_commit,
    log_evaluation,
    log_model,
    log_provenance,
    promote,
    record_serving,
    registered_at,
)

log = logging.getLogger(__name__)

CandidateName = Literal["baseline", "mlp"]
CANDIDATES: tuple[CandidateName, ...] = ("baseline", "mlp")


Target = npt.NDArray[np.str_] | npt.NDArray[np.float64]


class StageError(RuntimeError):
    """Raised when a stage runs before the stage it needs, or its params don't fit the data."""


@dataclass
class Candidate:
    """One trained model as registered in MLflow: its version, run, scores and training rows."""

    name: str
    task: Task
    version: str
    run_id: str
    metrics: dict[str, float]
    train_rows: int


def targets(frame: pd.DataFrame, schema: FeatureSchema) -> Target:
    """Return the target column of a split: labels as text, or values as float64."""
    return frame[schema.target].to_numpy(dtype=np.float64 if schema.regression else str)


def _fit(
    name: CandidateName,
    settings: Settings,
    X: dict[str, pd.DataFrame],
    y: dict[str, Target],
    schema: FeatureSchema,
    progress: bool,
) -> tuple[Pipeline, dict[str, Any]]:
    """Fit one candidate on the training split; return it with the parameters it used."""
    if name == "baseline":
        cfg = settings.baseline
        X_fit, y_fit = _sample(X["train"], y["train"], cfg.max_rows, settings.seed, schema)
        baseline = build_baseline(schema, cfg, settings.seed)
        return baseline.fit(X_fit, y_fit), {**cfg.model_dump(), "train_rows": len(X_fit)}
    preprocess = build_preprocessor(schema).fit(X["train"])
    checkpoint = settings.paths.models / "mlp.pt"
    mlp = build_mlp(schema, settings.torch, settings.seed, checkpoint)
    mlp.set_params(progress=progress)
    mlp.fit(
        preprocess.transform(X["train"]),
        y["train"],
        preprocess.transform(X["val"]),
        y["val"],
        on_epoch=_log_epoch if is_main() else None,
    )
    if is_main():
        mlflow.log_metric("best_epoch", mlp.best_epoch_)
        history = pd.DataFrame(mlp.history_)
        write_file(settings.paths.reports / "mlp_history.csv", history.to_csv(index=False))
    params = {**settings.torch.model_dump(), "best_epoch": mlp.best_epoch_}
    params |= {"train_rows": len(X["train"]), "processes": world_size()}
    return Pipeline([("preprocess", preprocess), ("model", mlp)]), params


def _sample(
    X: pd.DataFrame, y: Target, rows: int | None, seed: int, schema: FeatureSchema
) -> tuple[pd.DataFrame, Target]:
    """Draw a sample of `rows` rows (`baseline.max_rows`), classes stratified; all for None."""
    if rows is None or rows >= len(X):
        return X, y
    stratify = None if schema.regression else y
    try:
        X_sample, _, y_sample, _ = train_test_split(
            X, y, train_size=rows, stratify=stratify, random_state=seed
        )
    except ValueError as exc:  # too few rows to hold every class
        raise StageError(f"baseline.max_rows: {exc}") from None
    return X_sample, y_sample


def _log_epoch(epoch: int, metrics: dict[str, float]) -> None:
    mlflow.log_metrics(metrics, step=epoch)


def validation_scores(
    model: Pipeline, X: dict[str, pd.DataFrame], y: dict[str, Target], task: Task
) -> dict[str, float]:
    """Score the validation split, which picks the champion; the test split waits for evaluate."""
    output = model_output(model, X["val"], task)
    scores = task_metrics(task, y["val"], output, classes_of(model))
    return {f"val_{key}": value for key, value in scores.items()}


def train_candidate(
    settings: Settings, name: CandidateName, progress: bool = True
) -> Candidate | None:
    """Train one candidate, log it to MLflow and register it as a new version.

    Under torchrun every process trains, and rank 0 alone logs, registers and writes files:
    the others return None.
    """
    splits, schema = load_splits(settings.paths.processed)
    X = {split: feature_frame(schema, frame) for split, frame in splits.items()}
    y = {split: targets(frame, schema) for split, frame in splits.items()}
    if not is_main():
        _fit(name, settings, X, y, schema, progress=False)
        return None
    configure(settings.mlflow)
    with mlflow.start_run(run_name=name) as run:
        log_provenance(splits, schema.target, settings.paths.processed)
        model, params = _fit(name, settings, X, y, schema, progress)
        metrics = validation_scores(model, X, y, schema.task)
        mlflow.log_params({"seed": settings.seed, "task": schema.task, **params})
        mlflow.log_metrics(metrics)
        mlflow.log_dict(schema.model_dump(), SCHEMA_ARTIFACT)
        info = log_model(model, settings.mlflow.registered_model, X["train"].head(5), schema.task)
    version = str(info.registered_model_version)
    candidate = Candidate(
        name, schema.task, version, run.info.run_id, metrics, params["train_rows"]
    )
    models = settings.paths.models
    write_file(models / f"{name}.skops", skops.io.dumps(model))
    write_file(models / f"{name}.json", json.dumps(asdict(candidate), indent=2) + "\n")
    log.info("%s registered as version %s", name, candidate.version)
    return candidate


def load_candidate(models: Path, name: str) -> Candidate:
    """Read a record that `train_candidate` (or, for the champion, the promotion) wrote."""
    path = models / f"{name}.json"
    if not path.is_file():
        raise StageError(f"{path} not found: run `make train` first")
    return Candidate(**json.loads(path.read_text(encoding="utf-8")))


@dataclass
class Promotion:
    """The candidates compared and the one that won."""

    metric: str
    champion: Candidate
    candidates: list[Candidate]


def promote_champion(settings: Settings) -> Promotion:
    """Point the champion alias at the candidate with the best validation metric."""
    candidates = [load_candidate(settings.paths.models, name) for name in CANDIDATES]
    try:
        metric = champion_metric(settings.mlflow.champion_metric, candidates[0].task)
    except MetricError as exc:
        raise StageError(str(exc)) from None
    winner = promote({c.version: c.metrics[metric] for c in candidates}, metric, settings.mlflow)
    champion = next(c for c in candidates if c.version == winner)
    record = json.dumps(asdict(champion), indent=2) + "\n"
    write_file(settings.paths.models / f"{CHAMPION}.json", record)
    return Promotion(metric, champion, candidates)


def load_pipeline(models: Path, name: str) -> Pipeline:
    """Load a trained candidate saved by `train_candidate` (skops: no pickle)."""
    path = models / f"{name}.skops"
    if not path.is_file():
        raise StageError(f"{path} not found: run `make train` first")
    return skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)


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
        candidate=candidate.name,
        run_id=candidate.run_id,
        trained_at=registered_at(settings.mlflow, candidate.version),
        metrics=candidate.metrics,
        feature_schema=schema,
        quantized=quantized,
        sha256=hashlib.sha256(graph).hexdigest(),
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
        write_file(paths.onnx / f"{stem}.onnx", graph)

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


def serving_report(
    settings: Settings,
    pipelines: dict[str, Pipeline],
    schema: FeatureSchema,
    X: pd.DataFrame,
    y: Target,
) -> dict[str, Any]:
    """How the exported graphs score on the test split: ONNX parity and INT8 against FP32."""
    graphs = {}
    for name in (*CANDIDATES, "mlp.int8"):
        path = settings.paths.onnx / f"{name}.onnx"
        if not path.is_file():
            raise StageError(f"{path} not found: run `make train` to export the models")
        graphs[name] = path.read_bytes()
    parity = {name: parity_gap(graphs[name], pipelines[name], schema, X) for name in CANDIDATES}
    return {
        "onnx_max_abs_diff": parity,
        "int8": compare_int8(graphs["mlp"], graphs["mlp.int8"], schema, X, y),
    }


def evaluate_candidates(settings: Settings) -> dict[str, Any]:
    """Score both candidates on the test split; write metrics, figures, card and README."""
    splits, schema = load_splits(settings.paths.processed)
    cfg, paths = settings.evaluation, settings.paths
    unknown = [column for column in cfg.slices if column not in schema.categorical]
    if unknown:
        raise StageError(
            f"evaluation.slices: {unknown[0]!r} is not a categorical feature; "
            f"choose from {schema.categorical}"
        )
    try:
        metric = main_metric(cfg.main_metric, schema.task)
    except MetricError as exc:
        raise StageError(str(exc)) from None
    test = splits["test"]
    X, y = feature_frame(schema, test), targets(test, schema)
    champion = load_candidate(paths.models, CHAMPION)
    summary: dict[str, Any] = {
        "task": schema.task,
        "champion": champion.name,
        "main_metric": metric,
        "test_rows": len(test),
        "models": {},
    }
    if schema.regression:
        train_mean = float(targets(splits["train"], schema).mean())
        summary["mean_predictor"] = mean_predictor(train_mean, y)  # type: ignore[arg-type]
        floor = {f"test_mean_predictor_{k}": v for k, v in summary["mean_predictor"].items()}
    else:
        summary["majority_rate"] = majority_rate(y)  # type: ignore[arg-type]
        floor = {"test_majority_rate": summary["majority_rate"]}
    runs = {}
    pipelines: dict[str, Pipeline] = {
        name: load_pipeline(paths.models, name) for name in CANDIDATES
    }
    for name, model in pipelines.items():
        candidate = load_candidate(paths.models, name)
        scores, figures = _evaluate(name, model, X, y, test, schema, metric, settings)
        summary["models"][name] = scores
        metrics = {f"test_{key}": value for key, value in scores["test"].items()}
        metrics |= {f"test_interval_{key}": value for key, value in scores["interval"].items()}
        metrics |= floor
        runs[name] = log_evaluation(candidate.run_id, metrics, figures, settings.mlflow)
        runs[name] |= {
            "run_id": candidate.run_id,
            "version": candidate.version,
            "train_rows": candidate.train_rows,
        }
    summary["serving"] = serving_report(settings, pipelines, schema, X, y)
    write_file(paths.reports / "metrics.json", json.dumps(summary, indent=2) + "\n")
    context = {
        "registered_model": settings.mlflow.registered_model,
        "champion_metric": champion_metric(settings.mlflow.champion_metric, schema.task),
        "source": settings.data.source,
        "target": schema.target,
        "task": schema.task,
        "classes": schema.classes,
        "target_stats": schema.target_stats and schema.target_stats.model_dump(),
        "features": schema.names,
        "rows": {split: len(frame) for split, frame in splits.items()},
        "class_balance": (
            {}
            if schema.regression
            else splits["train"][schema.target].value_counts().sort_index().to_dict()
        ),
        "missing": pd.concat(splits.values())[schema.names].isna().sum().to_dict(),
        "bootstrap": cfg.bootstrap,
        "min_slice_size": cfg.min_slice_size,
        "seed": settings.seed,
        "git_commit": git_commit(),
        "runs": runs,
    }
    write_file(paths.reports / "model_card.md", report.model_card(summary, context))
    if not report.update_readme(paths.readme, report.results_table(summary)):
        log.warning("%s has no %s marker: results table not written", paths.readme, report.START)
    return summary


def _evaluate(
    name: str,
    model: Pipeline,
    X: pd.DataFrame,
    y: Target,
    test: pd.DataFrame,
    schema: FeatureSchema,
    metric: str,
    settings: Settings,
) -> tuple[dict[str, Any], list[Path]]:
    """Metrics, interval, slices, importance and figures of one model on the test split."""
    cfg, seed, task = settings.evaluation, settings.seed, schema.task
    classes = classes_of(model)
    output = model_output(model, X, task)
    low, high = bootstrap_interval(y, output, classes, metric, cfg.bootstrap, seed)
    importance = feature_importance(
        model, X, y, cfg.importance_repeats, seed, cfg.importance_rows, task
    )
    scores = {
        "test": task_metrics(task, y, output, classes),
        "interval": {"low": low, "high": high},
        "slices": {
            column: slice_metrics(test[column], y, output, classes, metric, cfg.min_slice_size)
            for column in cfg.slices
        },
        "importance": importance,
    }
    out = settings.paths.reports / "figures"
    figures = _figures(name, y, output, classes, task, out)
    measure = IMPORTANCE_MEASURE[task].capitalize()
    figures.append(plots.importance(importance, name, out / f"importance_{name}.png", measure))
    history = getattr(model.named_steps["model"], "history_", None)
    if history:
        figures.append(plots.training_curves(history, out / f"training_{name}.png"))
    return scores, figures


def _figures(
    name: str, y: Target, output: npt.NDArray[np.float64], classes: list[str], task: Task, out: Path
) -> list[Path]:
    """Draw the task's figures of one model on the test split."""
    if task == "regression":
        return [
            plots.predicted_vs_actual(y, output, name, out / f"predicted_{name}.png"),
            plots.residuals(y, output, name, out / f"residuals_{name}.png"),
        ]
    predicted = np.asarray(classes)[output.argmax(axis=1)]
    return [
        plots.confusion(y, predicted, classes, name, out / f"confusion_{name}.png"),
        plots.roc(y, output, classes, name, out / f"roc_{name}.png"),
        plots.precision_recall(y, output, classes, name, out / f"pr_{name}.png"),
        plots.calibration(y, output, classes, name, out / f"calibration_{name}.png"),
    ]


def train(settings: Settings, progress: bool = True) -> Promotion:
    """Run every stage after the data step without DVC: train, promote, export, evaluate."""
    for name in CANDIDATES:
        train_candidate(settings, name, progress)
    promotion = promote_champion(settings)
    export_models(settings)
    evaluate_candidates(settings)
    return promotion


def write_file(path: Path, content: str | bytes) -> None:
    """Write a file whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content.encode() if isinstance(content, str) else content)
    tmp.replace(path)
