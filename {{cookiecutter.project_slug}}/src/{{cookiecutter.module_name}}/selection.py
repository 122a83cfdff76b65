"""The scores that choose the champion, from rows that no candidate fitted or stopped on.

Large tables: each candidate fits on the training split and is scored on the validation
split. Small ones (fewer than `selection.cv_below_rows` training and validation rows, where
one validation split is a handful of rows): k-fold cross-validation over both splits, with
the same folds for every candidate, then a refit on all of them. The test split is never
touched here. The classes' order is the schema's (sorted), which every classifier follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from .config import Settings
from .decision import Decision
from .evaluation.metrics import Output, floor_scores, model_output, task_metrics
from .records import CandidateName
from .schema import FeatureSchema
from .tasks import VALIDATION, Score, Target, TaskSpec
from .thresholds import choose_threshold
from .training.candidates import Fitted, OnEpoch, fit_candidate


@dataclass
class Selected:
    """A candidate fitted for registration, with the scores that compete for champion."""

    fitted: Fitted
    scores: dict[str, Score]  # val_<metric>: on the validation split, or the mean over folds
    method: str  # in words: "5-fold cross-validation over the 275 training and validation rows"
    rows: int  # the rows the scores come from
    spread: dict[str, Score] = field(default_factory=dict)  # standard deviation over folds
    threshold: float | None = None  # binary targets: chosen on the same held-out rows
    floor: Score = None  # the main metric's floor on the same rows (the mean over folds)
    # The held-out outputs behind the scores, by row of train + validation (`held_out_frame`).
    held_out: pd.DataFrame = field(default_factory=pd.DataFrame)


def select(
    name: CandidateName,
    settings: Settings,
    X: dict[str, pd.DataFrame],
    y: dict[str, Target],
    schema: FeatureSchema,
    progress: bool = True,
    on_epoch: OnEpoch | None = None,
) -> Selected:
    """Fit candidate `name` and score it on rows it never saw, as the table's size says.

    A binary classifier's decision threshold (`imbalance.threshold`) is chosen on those
    same held-out rows, for the main metric; the scores use it.
    """
    cfg, spec = settings.selection, schema.spec
    metric = spec.resolve_main(settings.evaluation.main_metric)
    classes = tuple(schema.classes)
    rows = len(X["train"]) + len(X["val"])
    splitter = (StratifiedKFold if spec.stratified else KFold)(
        n_splits=cfg.folds, shuffle=True, random_state=settings.seed
    )
    if rows >= cfg.cv_below_rows:
        fitted = fit_candidate(name, settings, X["train"], y["train"], schema, progress, on_epoch)
        output = model_output(fitted.pipeline, X["val"], spec)
        threshold = choose_threshold(settings.imbalance, spec, classes, y["val"], output, metric)
        scores = _scores(spec, y["val"], output, Decision(classes, threshold))
        held = len(X["val"])
        method = f"the {held} rows of the validation split"
        floor = floor_scores(spec, y["train"], y["val"], classes)[metric]
        frame = held_out_frame(len(X["train"]) + np.arange(held), output)
        return Selected(fitted, scores, method, held, {}, threshold, floor, frame)
    X_all = pd.concat([X["train"], X["val"]], ignore_index=True)
    y_all = cast(Target, np.concatenate([y["train"], y["val"]]))
    folds = []
    floors = []
    for fit, held in splitter.split(X_all, y_all):
        part = cast(Target, y_all[fit])
        floors.append(floor_scores(spec, part, y_all[held], classes)[metric])
        model = fit_candidate(
            name, settings, X_all.iloc[fit], part, schema, progress=False, checkpoint=False
        )
        folds.append((held, model_output(model.pipeline, X_all.iloc[held], spec)))
    held_rows = np.concatenate([held for held, _ in folds])
    outputs = np.concatenate([output for _, output in folds])
    threshold = choose_threshold(
        settings.imbalance, spec, classes, y_all[held_rows], outputs, metric
    )
    decision = Decision(classes, threshold)
    scored = [_scores(spec, y_all[held], output, decision) for held, output in folds]
    fitted = fit_candidate(name, settings, X_all, y_all, schema, progress, on_epoch)
    scores = {metric: _mean([f[metric] for f in scored]) for metric in scored[0]}
    spread = {metric: _std([f[metric] for f in scored]) for metric in scored[0]}
    method = f"{cfg.folds}-fold cross-validation over the {rows} training and validation rows"
    held_out = held_out_frame(held_rows, outputs)
    return Selected(fitted, scores, method, rows, spread, threshold, _mean(floors), held_out)


def held_out_frame(rows: npt.ArrayLike, output: Output) -> pd.DataFrame:
    """Held-out outputs (`output_<i>`) and their `row`: its position in train + validation."""
    columns = output.reshape(len(output), -1)
    frame = pd.DataFrame({f"output_{i}": columns[:, i] for i in range(columns.shape[1])})
    found: pd.DataFrame = frame.assign(row=np.asarray(rows))
    return found


def _scores(spec: TaskSpec, y: Target, output: Output, decision: Decision) -> dict[str, Score]:
    return {VALIDATION + k: v for k, v in task_metrics(spec, y, output, decision).items()}


def _mean(values: list[Score]) -> Score:
    found = [v for v in values if v is not None]
    return float(np.mean(found)) if found else None


def _std(values: list[Score]) -> Score:
    found = [v for v in values if v is not None]
    return float(np.std(found)) if len(found) > 1 else None
