"""Fitted candidates on disk, in the skops format: no pickle, and only our own types trusted."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..files import write_atomic
from ..records import StageError
from .estimators import SKOPS_TRUSTED_TYPES

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline


def save_pipeline(models: Path, name: str, pipeline: Pipeline) -> None:
    """Save a fitted candidate in the skops format (no pickle)."""
    # Imported here: skops imports every scikit-learn module (and torch) to list its trusted
    # types, seconds that stages which only read a model's record shouldn't pay.
    import skops.io

    write_atomic(models / f"{name}.skops", skops.io.dumps(pipeline))


def load_pipeline(models: Path, name: str) -> Pipeline:
    """Load a fitted candidate saved by `save_pipeline`, trusting only our own types."""
    path = models / f"{name}.skops"
    if not path.is_file():
        raise StageError(f"{path} not found: run `make train` first")
    import skops.io

    return skops.io.load(path, trusted=SKOPS_TRUSTED_TYPES)
