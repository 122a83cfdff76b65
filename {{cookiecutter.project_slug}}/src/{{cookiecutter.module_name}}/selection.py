"""The scores that choose the champion, from rows that no candidate fitted or stopped on.

`fits` says which rows: the validation split, or the folds of cross-validation over train
and validation. The test split is never touched here. The classes' order is the schema's
(sorted), which every classifier follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from .config import Settings
from .decision import Decision
from .evaluation.metrics import Output, floor_scores, model_output, task_metrics
from .fits import Fit, describe, selection_fits
from .metric_names import VALIDATION
from .records import CandidateName
from .schema import FeatureSchema
from .tasks import Score, Target, TaskSpec
from .thresholds import choose_threshold
from .training.candidates import Fitted, OnEpoch, fit_candidate
from .tuning.tuned import TunedCandidate, rows_key


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
    tuned: TunedCandidate | None = None,
) -> Selected:
    """Fit candidate `name` and score it on rows it never saw, as the table's size says.

    A binary classifier's decision threshold (`imbalance.threshold`) is chosen on those
    same held-out rows, for the main metric; the scores use it. `tuned`: the values that
    `make tune` found for each fit, on that fit's rows alone.
    """
    spec = schema.spec
    metric = spec.resolve_main(settings.evaluation.main_metric)
    classes = tuple(schema.classes)
    X_all = pd.concat([X["train"], X["val"]], ignore_index=True)
    y_all = cast(Target, np.concatenate([y["train"], y["val"]]))
    fits = selection_fits(
        settings.selection, settings.seed, y_all, len(X["train"]), spec.stratified
    )
    if tuned is not None:
        tuned.check_rows(name, rows_key(X_all, y_all, fits))
    scored: list[tuple[Fit, Output]] = []
    for fit in fits:
        last = fit is fits[-1]  # the one registered: it alone shows progress and checkpoints
        model = fit_candidate(
            name,
            settings if tuned is None else tuned.settings_for(settings, name, fit.key),
            X_all.iloc[fit.rows],
            y_all[fit.rows],
            schema,
            progress=progress and last,
            on_epoch=on_epoch if last else None,
            checkpoint=last,
        )
        if fit.scored:
            scored.append((fit, model_output(model.pipeline, X_all.iloc[fit.held], spec)))
    held_rows = np.concatenate([fit.held for fit, _ in scored])
    outputs = np.concatenate([output for _, output in scored])
    threshold = choose_threshold(
        settings.imbalance, spec, classes, y_all[held_rows], outputs, metric
    )
    decision = Decision(classes, threshold)
    per_fit = [_scores(spec, y_all[fit.held], output, decision) for fit, output in scored]
    scores = {key: _mean([f[key] for f in per_fit]) for key in per_fit[0]}
    spread = {key: _std([f[key] for f in per_fit]) for key in per_fit[0]}
    floor = _mean(
        [floor_scores(spec, y_all[fit.rows], y_all[fit.held], classes)[metric] for fit, _ in scored]
    )
    return Selected(
        fitted=model,
        scores=scores,
        method=describe(fits),
        rows=len(held_rows),
        spread=spread if len(scored) > 1 else {},
        threshold=threshold,
        floor=floor,
        held_out=held_out_frame(held_rows, outputs),
    )


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
