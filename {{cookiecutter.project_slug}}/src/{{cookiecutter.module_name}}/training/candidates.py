"""Fit a candidate on some rows: the baseline (on a sample), or the MLP, stopped early."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ..config import Settings
from ..features import build_preprocessor
from ..models.baseline import build_baseline
from ..records import CandidateName
from ..schema import FeatureSchema
from ..tasks import Target
from .distributed import world_size
from .estimators import build_mlp
from .loop import TrainingError

OnEpoch = Callable[[int, dict[str, float]], None]
# The candidates that hold out rows of their own to stop early on (`stop_split`).
STOPS_EARLY: frozenset[CandidateName] = frozenset({"mlp"})


@dataclass
class Fitted:
    """A fitted candidate, the parameters it was trained with, and the MLP's epochs."""

    pipeline: Pipeline
    params: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None


def fit_candidate(
    name: CandidateName,
    settings: Settings,
    X: pd.DataFrame,
    y: Target,
    schema: FeatureSchema,
    progress: bool = True,
    on_epoch: OnEpoch | None = None,
    checkpoint: bool = True,
) -> Fitted:
    """Fit one candidate on the rows (X, y), and nothing else.

    The MLP stops early on a share of those rows (`selection.stop_share`), held out from
    its fit, so that the rows that choose the champion stay unseen. With `checkpoint`, its
    best epoch is saved to models/mlp.pt.
    """
    if name == "baseline":
        cfg = settings.baseline
        X_fit, y_fit = sample(X, y, cfg.max_rows, settings.seed, schema)
        weights = settings.imbalance.class_weight
        baseline = build_baseline(schema, cfg, settings.seed, weights).fit(X_fit, y_fit)
        return Fitted(baseline, {**cfg.model_dump(), "train_rows": len(X_fit)})
    X_fit, X_stop, y_fit, y_stop = stop_split(X, y, settings, schema)
    preprocess = build_preprocessor(schema).fit(X_fit)
    path = settings.paths.models / "mlp.pt" if checkpoint else None
    mlp = build_mlp(schema, settings.torch, settings.seed, path, settings.imbalance.class_weight)
    mlp.set_params(progress=progress)
    mlp.fit(
        preprocess.transform(X_fit),
        y_fit,
        preprocess.transform(X_stop),
        y_stop,
        on_epoch=on_epoch,
    )
    params = {**settings.torch.model_dump(), "best_epoch": mlp.best_epoch_}
    params |= {"train_rows": len(X_fit), "stop_rows": len(X_stop), "processes": world_size()}
    pipeline = Pipeline([("preprocess", preprocess), ("model", mlp)])
    return Fitted(pipeline, params, mlp.history_, mlp.best_epoch_)


def stop_split(
    X: pd.DataFrame, y: Target, settings: Settings, schema: FeatureSchema
) -> tuple[pd.DataFrame, pd.DataFrame, Target, Target]:
    """Hold out `selection.stop_share` of some rows, stratified for classes, seeded.

    The MLP stops early on them; a tuning trial of either candidate is scored on them.
    """
    X_fit, X_stop, y_fit, y_stop = train_test_split(
        X,
        y,
        test_size=settings.selection.stop_share,
        stratify=y if schema.spec.stratified else None,
        random_state=settings.seed,
    )
    return X_fit, X_stop, y_fit, y_stop


def sample(
    X: pd.DataFrame, y: Target, rows: int | None, seed: int, schema: FeatureSchema
) -> tuple[pd.DataFrame, Target]:
    """Draw `rows` rows (`baseline.max_rows`), stratified for classes; all of them for None."""
    if rows is None or rows >= len(X):
        return X, y
    stratify = y if schema.spec.stratified else None
    try:
        X_sample, _, y_sample, _ = train_test_split(
            X, y, train_size=rows, stratify=stratify, random_state=seed
        )
    except ValueError as exc:  # too few rows to hold every class
        raise TrainingError(f"baseline.max_rows: {exc}") from None
    return X_sample, y_sample
