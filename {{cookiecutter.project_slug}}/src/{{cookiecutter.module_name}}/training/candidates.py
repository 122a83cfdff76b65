"""Fit a candidate on the training split: the baseline (on a sample), or the early-stopped MLP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from ..config import Settings
from ..features import build_preprocessor
from ..models.baseline import build_baseline
from ..schema import FeatureSchema
from ..tasks import Target
from .distributed import world_size
from .estimators import build_mlp
from .loop import TrainingError

OnEpoch = Callable[[int, dict[str, float]], None]


@dataclass
class Fitted:
    """A fitted candidate, the parameters it was trained with, and the MLP's epochs."""

    pipeline: Pipeline
    params: dict[str, Any]
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None


def fit_candidate(
    name: Literal["baseline", "mlp"],
    settings: Settings,
    X: dict[str, pd.DataFrame],
    y: dict[str, Target],
    schema: FeatureSchema,
    progress: bool = True,
    on_epoch: OnEpoch | None = None,
) -> Fitted:
    """Fit one candidate on the training split; the MLP stops early on the validation split."""
    if name == "baseline":
        cfg = settings.baseline
        X_fit, y_fit = sample(X["train"], y["train"], cfg.max_rows, settings.seed, schema)
        baseline = build_baseline(schema, cfg, settings.seed).fit(X_fit, y_fit)
        return Fitted(baseline, {**cfg.model_dump(), "train_rows": len(X_fit)})
    preprocess = build_preprocessor(schema).fit(X["train"])
    mlp = build_mlp(schema, settings.torch, settings.seed, settings.paths.models / "mlp.pt")
    mlp.set_params(progress=progress)
    mlp.fit(
        preprocess.transform(X["train"]),
        y["train"],
        preprocess.transform(X["val"]),
        y["val"],
        on_epoch=on_epoch,
    )
    params = {**settings.torch.model_dump(), "best_epoch": mlp.best_epoch_}
    params |= {"train_rows": len(X["train"]), "processes": world_size()}
    pipeline = Pipeline([("preprocess", preprocess), ("model", mlp)])
    return Fitted(pipeline, params, mlp.history_, mlp.best_epoch_)


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
