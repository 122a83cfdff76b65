"""The evaluation's result, typed: what `reports/metrics.json` holds and the report reads."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from ..files import write_atomic
from ..tasks import Task


class Interval(BaseModel):
    """A 95% bootstrap interval of the main metric; None where no resample defines it."""

    low: float | None
    high: float | None


class Group(BaseModel):
    """The main metric on one group of a slice column."""

    n: int
    value: float | None  # None: undefined on this group's rows
    small: bool  # fewer test rows than `evaluation.min_slice_size`: too few to trust


class SliceScores(BaseModel):
    """The main metric per group of one column, and the largest gap between trusted groups."""

    groups: dict[str, Group]
    gap: float


class ModelScores(BaseModel):
    """One model on the test split."""

    test: dict[str, float | None]  # every metric of the task; None: undefined on these rows
    interval: Interval
    slices: dict[str, SliceScores]  # by column of `evaluation.slices`
    importance: dict[str, float]  # by column, largest first


class ServingChecks(BaseModel):
    """The exported graphs on the test split: gaps to the trained models, INT8 against FP32."""

    onnx_max_abs_diff: dict[str, float]
    int8: dict[str, float | None]  # the task's INT8 metric, single-row latency and size


class Summary(BaseModel):
    """Both candidates on the test split, the floor they must beat, and the exported graphs."""

    task: Task
    champion: str
    main_metric: str
    test_rows: int
    models: dict[str, ModelScores]
    # Every metric of a model that knows no feature: the training class shares, or mean.
    floor: dict[str, float | None]
    serving: ServingChecks
    warnings: list[str] = []  # plain sentences, most important first; the card shows them

    def write(self, path: Path) -> None:
        """Write the summary as `reports/metrics.json`."""
        # json's float format (1e-07, not pydantic's 1e-7): the file reads like other tools'.
        write_atomic(path, json.dumps(self.model_dump(exclude_none=True), indent=2) + "\n")
