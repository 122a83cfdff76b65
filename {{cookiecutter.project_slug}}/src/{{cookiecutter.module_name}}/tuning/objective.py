"""One trial of a search: values from the space, a fit, and its score on rows it held out.

A search runs on the rows of one of selection's fits (`fits.Fit.rows`): never the rows that
score that fit for the champion, never the test split. Within them, a trial holds out the
rows the MLP stops early on (`selection.stop_share`): the baseline fits on the rest, the
MLP fits on the rest and stops on them, and either is scored there. Each epoch, an MLP
trial reports its loss on those rows, so that the pruner can stop a poor one early.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import optuna
import pandas as pd

from ..config import Settings
from ..decision import Decision
from ..evaluation.metrics import metric_value, model_output
from ..metric_names import VALIDATION
from ..records import CandidateName
from ..schema import FeatureSchema
from ..search_space import SECTIONS, Choices, Dimension
from ..tasks import Target
from ..thresholds import choose_threshold
from ..training import loop
from ..training.candidates import STOPS_EARLY, fit_candidate, stop_split
from .tuned import with_values

VALUES = "values"  # the trial's user attribute that holds its values, choices decoded


@contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Keep a logger to warnings for the duration."""
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def suggest(trial: optuna.Trial, name: CandidateName, key: str, dimension: Any) -> Any:
    """Draw one value of `key`: a choice, a whole number or a real number in a range."""
    if isinstance(dimension, Choices):
        # Optuna's choices are plain scalars: lists such as hidden sizes travel as JSON.
        labels = [json.dumps(choice) for choice in dimension.choices]
        return json.loads(trial.suggest_categorical(key, labels))
    if SECTIONS[name][1].model_fields[key].annotation is int:
        return trial.suggest_int(key, int(dimension.low), int(dimension.high), log=dimension.log)
    return trial.suggest_float(key, dimension.low, dimension.high, log=dimension.log)


@dataclass
class Objective:
    """Score one set of values for candidate `name` on the rows (X, y) of one fit."""

    name: CandidateName
    settings: Settings
    space: Mapping[str, Dimension]
    X: pd.DataFrame
    y: Target
    schema: FeatureSchema
    metric: str  # the champion metric, with its `val_` prefix

    def __call__(self, trial: optuna.Trial) -> float:
        """Fit with the trial's values; return the metric on the held-out stop rows."""
        values = {key: suggest(trial, self.name, key, dim) for key, dim in self.space.items()}
        trial.set_user_attr(VALUES, values)
        settings = with_values(self.settings, self.name, values)
        spec, classes = self.schema.spec, tuple(self.schema.classes)
        X_fit, X_stop, y_fit, y_stop = stop_split(self.X, self.y, settings, self.schema)
        # The MLP holds out the same stop rows itself (`stop_split`), to stop early on.
        X_learn, y_learn = (self.X, self.y) if self.name in STOPS_EARLY else (X_fit, y_fit)

        def report(epoch: int, metrics: dict[str, float]) -> None:
            trial.report(metrics["val_loss"], epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"epoch {epoch}: val_loss {metrics['val_loss']:.4g}")

        with _quiet(loop.log):  # trials are many: the search's progress line stands for them
            fitted = fit_candidate(
                self.name,
                settings,
                X_learn,
                y_learn,
                self.schema,
                progress=False,
                on_epoch=report,
                checkpoint=False,
            )
        output = model_output(fitted.pipeline, X_stop, spec)
        main = spec.resolve_main(settings.evaluation.main_metric)
        threshold = choose_threshold(settings.imbalance, spec, classes, y_stop, output, main)
        decision = Decision(classes, threshold)
        score = metric_value(self.metric.removeprefix(VALIDATION), y_stop, output, decision)
        return float("nan") if score is None else score  # Optuna records NaN as failed
