"""The scores that choose the champion, from rows that no candidate fitted or stopped on.

Large tables: each candidate fits on the training split and is scored on the validation
split. Small ones (fewer than `selection.cv_below_rows` training and validation rows, where
one validation split is a handful of rows): k-fold cross-validation over both splits, with
the same folds for every candidate, then a refit on all of them. The test split is never
touched here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from .config import Settings
from .evaluation.metrics import model_scores
from .records import CandidateName
from .schema import FeatureSchema
from .tasks import VALIDATION, Score, Target
from .training.candidates import Fitted, OnEpoch, fit_candidate


@dataclass
class Selected:
    """A candidate fitted for registration, with the scores that compete for champion."""

    fitted: Fitted
    scores: dict[str, Score]  # val_<metric>: on the validation split, or the mean over folds
    method: str  # in words: "5-fold cross-validation over the 275 training and validation rows"
    rows: int  # the rows the scores come from
    spread: dict[str, Score] = field(default_factory=dict)  # standard deviation over folds


def select(
    name: CandidateName,
    settings: Settings,
    X: dict[str, pd.DataFrame],
    y: dict[str, Target],
    schema: FeatureSchema,
    progress: bool = True,
    on_epoch: OnEpoch | None = None,
) -> Selected:
    """Fit candidate `name` and score it on rows it never saw, as the table's size says."""
    cfg, spec = settings.selection, schema.spec
    rows = len(X["train"]) + len(X["val"])
    if rows >= cfg.cv_below_rows:
        fitted = fit_candidate(name, settings, X["train"], y["train"], schema, progress, on_epoch)
        scores = model_scores(fitted.pipeline, X["val"], y["val"], spec, VALIDATION)
        held = len(X["val"])
        return Selected(fitted, scores, f"the {held} rows of the validation split", held)
    X_all = pd.concat([X["train"], X["val"]], ignore_index=True)
    y_all = cast(Target, np.concatenate([y["train"], y["val"]]))
    splitter = (StratifiedKFold if spec.stratified else KFold)(
        n_splits=cfg.folds, shuffle=True, random_state=settings.seed
    )
    folds = []
    for fit, held in splitter.split(X_all, y_all):
        part = cast(Target, y_all[fit])
        model = fit_candidate(
            name, settings, X_all.iloc[fit], part, schema, progress=False, checkpoint=False
        )
        scored = model_scores(model.pipeline, X_all.iloc[held], y_all[held], spec, VALIDATION)
        folds.append(scored)
    fitted = fit_candidate(name, settings, X_all, y_all, schema, progress, on_epoch)
    scores = {metric: _mean([f[metric] for f in folds]) for metric in folds[0]}
    spread = {metric: _std([f[metric] for f in folds]) for metric in folds[0]}
    method = f"{cfg.folds}-fold cross-validation over the {rows} training and validation rows"
    return Selected(fitted, scores, method, rows, spread)


def _mean(values: list[Score]) -> Score:
    found = [v for v in values if v is not None]
    return float(np.mean(found)) if found else None


def _std(values: list[Score]) -> Score:
    found = [v for v in values if v is not None]
    return float(np.std(found)) if len(found) > 1 else None
