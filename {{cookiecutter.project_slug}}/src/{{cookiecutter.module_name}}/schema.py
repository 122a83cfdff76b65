"""The feature schema: the task, inputs and classes of a model, as training saw them.

Plain pydantic, no data libraries: the server imports it too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from .tasks import TASKS, Task, TaskSpec

Row = Sequence[float | str | None]  # one record's values in feature order; None: missing


class Feature(BaseModel):
    """One input column: its kind and what training saw of it."""

    name: str
    kind: Literal["numeric", "categorical"]
    min: float | None = None
    max: float | None = None
    categories: list[str] = []
    missing: int = 0

    @property
    def boolean(self) -> bool:
        """A categorical column of booleans, as training wrote them: the API takes true/false."""
        return bool(self.categories) and set(self.categories) <= {"False", "True"}


class TargetStats(BaseModel):
    """What training saw of a numeric target: the model card reports it."""

    mean: float
    std: float
    min: float
    max: float


class FeatureSchema(BaseModel):
    """Task, inputs and classes of the model; the API and the tests are generated from it."""

    target: str
    task: Task = "classification"
    classes: list[str] = []  # classification only
    target_stats: TargetStats | None = None  # regression only
    features: list[Feature]
    # The table's other columns, left out and why ("data.drop", "dates", ...): a record of
    # the table may carry them, and the API ignores them.
    ignored: dict[str, str] = {}
    rare_classes: dict[str, int] = {}  # dropped with their rows: too few for every split

    @property
    def spec(self) -> TaskSpec:
        """What the task does differently: metrics, floor, figures, the API's answer."""
        return TASKS[self.task]

    @property
    def names(self) -> list[str]:
        """Feature names in training order."""
        return [f.name for f in self.features]

    @property
    def numeric(self) -> list[str]:
        """Names of the numeric features."""
        return [f.name for f in self.features if f.kind == "numeric"]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical features."""
        return [f.name for f in self.features if f.kind == "categorical"]

    def check_slices(self, columns: list[str], key: str = "evaluation.slices") -> None:
        """Raise ValueError naming `key` (a params.yaml list) for a column that is no category."""
        for column in columns:
            if column in self.categorical:
                continue
            kind = (
                "numeric: list it under data.categorical"
                if column in self.numeric
                else "no feature"
            )
            choices = ", ".join(self.categorical) or "none"
            raise ValueError(f"{key}: {column!r} is {kind}; the categorical features are {choices}")

    def check_bound(self, sensitive: list[str]) -> None:
        """Raise ValueError if `fairness.max_disparity` can't be measured on this target."""
        key = "fairness.max_disparity"
        if not sensitive:
            raise ValueError(f"{key}: bounds a disparity across fairness.sensitive, which is empty")
        if len(self.classes) != 2:
            has = f"{len(self.classes)} classes" if self.classes else "a number as its target"
            raise ValueError(f"{key}: needs a target with two classes; this table has {has}")

    @classmethod
    def load(cls, path: Path) -> FeatureSchema:
        """Read a schema written by `save`."""
        return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
