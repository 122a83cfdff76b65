"""One model on the test split: its metrics, interval, slices, importance and figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from ..decision import Decision
from ..schema import FeatureSchema
from ..sections import EvaluationSettings
from . import plots
from .bootstrap import bootstrap_interval
from .importance import feature_importance
from .metrics import Output, decision_of, model_output, task_metrics
from .slices import slice_metrics
from .summary import Interval, ModelScores


def score_model(
    name: str,
    model: Pipeline,
    X: pd.DataFrame,
    y: Any,
    schema: FeatureSchema,
    metric: str,
    cfg: EvaluationSettings,
    seed: int,
    figures: Path,
    threshold: float | None = None,
) -> tuple[ModelScores, list[Path]]:
    """Score one model on the test split's features X; return the scores and the figures.

    Slices are categorical features, so X holds their columns; figures go to `figures`.
    `threshold` is the model's decision threshold, if it has one (binary targets).
    """
    spec, decision = schema.spec, decision_of(model, threshold)
    output = model_output(model, X, spec)
    interval = bootstrap_interval(y, output, decision, metric, cfg.bootstrap, seed)
    low, high = interval or (None, None)
    scores = ModelScores(
        test=task_metrics(spec, y, output, decision),
        interval=Interval(low=low, high=high),
        slices={
            column: slice_metrics(X[column], y, output, decision, metric, cfg.min_slice_size)
            for column in cfg.slices
        },
        importance=feature_importance(
            model, X, y, cfg.importance_repeats, seed, cfg.importance_rows, spec, decision
        ),
    )
    return scores, _draw(name, model, y, output, decision, schema, scores, figures)


def _draw(
    name: str,
    model: Pipeline,
    y: Any,
    output: Output,
    decision: Decision,
    schema: FeatureSchema,
    scores: ModelScores,
    out: Path,
) -> list[Path]:
    """Draw the task's figures of one model, its importance, and the MLP's epochs."""
    spec = schema.spec
    drawn = [
        plots.FIGURES[kind](y, output, decision, name, out / f"{kind}_{name}.png")
        for kind in spec.figures
    ]
    measure = spec.importance_measure.capitalize()
    drawn.append(plots.importance(scores.importance, name, out / f"importance_{name}.png", measure))
    history = getattr(model.named_steps["model"], "history_", None)
    if history:
        drawn.append(plots.training_curves(history, out / f"training_{name}.png"))
    return drawn
