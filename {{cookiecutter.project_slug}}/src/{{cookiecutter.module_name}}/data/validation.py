"""Check the table against params.yaml: decide the task, type the target, keep usable columns."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from ..sections import DataSettings
from ..tasks import Task, TaskChoice
from . import DataError
from .classes import class_target, rows_needed
from .columns import apply_kinds, check_named_columns, drop_unusable, refuse_nul_bytes, report_ids

log = logging.getLogger(__name__)

MAX_AUTO_CLASSES = 20  # task auto: a target of at most this many whole numbers is a class


def decide_task(df: pd.DataFrame, cfg: DataSettings, task: TaskChoice = "auto") -> Task:
    """Resolve `task: auto` from the target column, and log what was decided and why.

    Text, booleans and at most MAX_AUTO_CLASSES distinct whole numbers are classes;
    other numbers are a quantity to regress.
    """
    if task != "auto":
        return task
    values = df[cfg.target].dropna()
    distinct = values.nunique()
    decided: Task
    if ptypes.is_bool_dtype(values) or not ptypes.is_numeric_dtype(values):
        decided, why = "classification", "its values are not numbers"
    elif (values % 1 == 0).all() and distinct <= MAX_AUTO_CLASSES:
        decided, why = "classification", f"it holds {distinct} distinct whole numbers"
    else:
        decided, why = "regression", f"it holds {distinct} distinct numbers"
    log.info(
        "task: %s, decided from data.target %r: %s (set `task` in params.yaml to choose)",
        decided,
        cfg.target,
        why,
    )
    return decided


def _numeric_target(df: pd.DataFrame, cfg: DataSettings) -> tuple[pd.DataFrame, dict[str, int]]:
    """Make a regression target float64; fail naming a value that is not a finite number."""
    target = cfg.target
    values = pd.to_numeric(df[target], errors="coerce").astype("float64")
    bad = np.flatnonzero(~np.isfinite(values.to_numpy()))
    if len(bad):
        raise DataError(
            f"column {target!r} (data.target): {df[target].iloc[bad[0]]!r} (row {bad[0] + 1} "
            "of the rows with a target) is not a finite number; regression needs numbers: "
            "set task: classification in params.yaml if it holds classes"
        )
    if values.nunique() < 2:
        raise DataError(
            f"column {target!r} (data.target) has one value only ({values.iloc[0]:g}); "
            "there is nothing to predict"
        )
    converted: pd.DataFrame = df.assign(**{target: values})
    return converted, {}


# How the data step checks and types a target for each task (`task_of` reads it back); the
# classes it drops, with their rows.
TARGET_CHECKS: dict[
    Task, Callable[[pd.DataFrame, DataSettings], tuple[pd.DataFrame, dict[str, int]]]
] = {
    "classification": class_target,
    "regression": _numeric_target,
}


class Validated(NamedTuple):
    """The rows and columns to model, and what was left out: columns and why, rare classes."""

    table: pd.DataFrame
    dropped: dict[str, str]
    rare: dict[str, int]  # classes dropped for having too few rows, with their rows


def validate(df: pd.DataFrame, cfg: DataSettings, task: TaskChoice = "auto") -> Validated:
    """Check the table against `params.yaml`; return the rows and columns to model.

    The target becomes text (classes) or float64 (values), as `task` says or decides:
    `task_of` reads the task back from that.
    Columns that can't help a model are dropped with a warning that names them: dates,
    constant columns and empty ones. A column with a different value in every row is
    reported as a likely id, and kept: list it under `data.drop` if it is one.
    """
    check_named_columns(df, cfg)
    check_rows(len(df), cfg, "row" if len(df) == 1 else "rows")
    refuse_nul_bytes(df)
    decided = decide_task(df, cfg, task)
    df, dropped = drop_unusable(apply_kinds(df.drop(columns=cfg.drop), cfg), cfg.target)
    dropped = dict.fromkeys(map(str, cfg.drop), "data.drop") | dropped
    if len(df.columns) < 2:
        raise DataError("data: no feature columns are left besides the target")
    report_ids(df, cfg.target)
    target = df[cfg.target]
    if target.isna().all():
        raise DataError(f"column {cfg.target!r} (data.target) has no values")
    if target.isna().any():
        log.warning("dropping %d rows whose target %r is missing", target.isna().sum(), cfg.target)
        df = df[target.notna()]
        check_rows(len(df), cfg, f"rows with a value of data.target {cfg.target!r}")
    valid, rare = TARGET_CHECKS[decided](df, cfg)
    return Validated(valid.reset_index(drop=True), dropped, rare)


def check_rows(rows: int, cfg: DataSettings, which: str = "rows") -> None:
    """Fail saying how many rows the table has and how many the split needs.

    Checked before the columns: with a row or two every column is constant, and the error
    would be that no feature column is left.
    """
    needed = rows_needed(cfg)
    if rows < needed:
        raise DataError(
            f"data: the table has {rows} {which}; the data step needs at least {needed} to put "
            f"rows in train, validation and test (data.test_size {cfg.test_size:g}, "
            f"data.val_size {cfg.val_size:g})"
        )


def task_of(df: pd.DataFrame, target: str) -> Task:
    """Return the task of a validated table: its target is float64 for values, text for classes."""
    return "regression" if ptypes.is_float_dtype(df[target]) else "classification"
