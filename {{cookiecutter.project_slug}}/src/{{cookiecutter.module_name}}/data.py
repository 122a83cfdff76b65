"""Ingest, validate and split the raw table; write the splits and their feature schema."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from palmerpenguins import load_penguins
from pandas.api import types as ptypes
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split

from .config import DataSettings, Settings, SyntheticSettings
from .features import feature_frame, infer_schema
from .schema import FeatureSchema, Task, TaskChoice
from .synthetic import generate

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
SCHEMA_FILE = "schema.json"
MIN_ROWS_PER_CLASS = 3  # one each for train, validation and test
MIN_ROWS_FOR_IDS = 20  # below this, unique values per row are too common to mean much
MAX_AUTO_CLASSES = 20  # task auto: a target of at most this many whole numbers is a class
ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def load_diabetes_progression() -> pd.DataFrame:
    """scikit-learn's diabetes table in its original units, with readable column names."""
    frame: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame
    # The blood serum measurements s1..s6, as the dataset's description names them.
    names = {"s1": "tc", "s2": "ldl", "s3": "hdl", "s4": "tch", "s5": "ltg", "s6": "glu"}
    renamed: pd.DataFrame = frame.rename(columns={**names, "target": "progression"})
    return renamed


BUILTIN: dict[str, Callable[[], pd.DataFrame]] = {
    "penguins": load_penguins,  # classification: species
    "diabetes": load_diabetes_progression,  # regression: progression
}
SYNTHETIC = "synthetic"  # generated from `data.synthetic`


class DataError(ValueError):
    """Raised when the data can't be used; the message names the file or column at fault."""


def load_source(source: str, synthetic: SyntheticSettings | None = None) -> pd.DataFrame:
    """Read `data.source`: a built-in dataset, `synthetic`, or a CSV/Parquet file path or URL."""
    if source in BUILTIN:
        return BUILTIN[source]()
    if source == SYNTHETIC:
        with tempfile.TemporaryDirectory() as tmp:
            path = generate(synthetic or SyntheticSettings(), Path(tmp) / "synthetic.parquet")
            return pd.read_parquet(path)
    is_url = urlparse(source).scheme in {"http", "https"}
    name = (urlparse(source).path if is_url else source).lower()
    if not is_url and not Path(source).is_file():
        raise DataError(
            f"data.source: {source!r} is neither a built-in dataset "
            f"({', '.join([*BUILTIN, SYNTHETIC])}) nor an existing file"
        )
    try:
        if name.endswith((".csv", ".csv.gz")):
            return pd.read_csv(source)
        if name.endswith((".parquet", ".pq")):
            return pd.read_parquet(source)
    except (OSError, ValueError) as exc:  # parser, decoding, Arrow and network errors
        raise DataError(f"data.source: cannot read {source!r}: {exc}") from exc
    raise DataError(f"data.source: {source!r} must end in .csv, .csv.gz, .parquet or .pq")


def _check_columns(df: pd.DataFrame, cfg: DataSettings) -> None:
    """Fail naming the option if a column that params.yaml names is not in the table."""
    options = [("target", cfg.target), *(("drop", c) for c in cfg.drop)]
    options += [("categorical", c) for c in cfg.categorical]
    options += [("numeric", c) for c in cfg.numeric]
    for option, column in options:
        if column not in df.columns:
            raise DataError(
                f"column {column!r} (data.{option} in params.yaml) is not in the data; "
                f"its columns are {', '.join(map(str, df.columns))}"
            )


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


def validate(df: pd.DataFrame, cfg: DataSettings, task: TaskChoice = "auto") -> pd.DataFrame:
    """Check the table against `params.yaml`; return the rows and columns to model.

    The target becomes text (classes) or float64 (values), as `task` says or decides:
    `task_of` reads the task back from that.
    Columns that can't help a model are dropped with a warning that names them: dates,
    constant columns and empty ones. A column with a different value in every row is
    reported as a likely id, and kept: list it under `data.drop` if it is one.
    """
    _check_columns(df, cfg)
    task = decide_task(df, cfg, task)
    df = _drop_unusable(_apply_kinds(df.drop(columns=cfg.drop), cfg), cfg.target)
    if len(df.columns) < 2:
        raise DataError("data: no feature columns are left besides the target")
    _report_ids(df, cfg.target)
    target = df[cfg.target]
    if target.isna().all():
        raise DataError(f"column {cfg.target!r} (data.target) has no values")
    if target.isna().any():
        log.warning("dropping %d rows whose target %r is missing", target.isna().sum(), cfg.target)
        df = df[target.notna()]
    if task == "regression":
        numeric: pd.DataFrame = _numeric_target(df, cfg.target).reset_index(drop=True)
        return numeric
    df = df.assign(**{cfg.target: df[cfg.target].astype(str)})
    counts = df[cfg.target].value_counts()
    if len(counts) < 2:
        raise DataError(
            f"column {cfg.target!r} (data.target) has one class only ({counts.index[0]!r}); "
            "a classifier needs at least two"
        )
    rare = counts[counts < MIN_ROWS_PER_CLASS]
    if not rare.empty:
        raise DataError(
            f"column {cfg.target!r} (data.target): class {rare.index[0]!r} has {rare.iloc[0]} "
            f"rows; each class needs at least {MIN_ROWS_PER_CLASS} to appear in every split"
        )
    valid: pd.DataFrame = df.reset_index(drop=True)
    return valid


def task_of(df: pd.DataFrame, target: str) -> Task:
    """Return the task of a validated table: its target is float64 for values, text for classes."""
    return "regression" if ptypes.is_float_dtype(df[target]) else "classification"


def _numeric_target(df: pd.DataFrame, target: str) -> pd.DataFrame:
    """Make a regression target float64; fail naming a value that is not a finite number."""
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
    return converted


def _apply_kinds(df: pd.DataFrame, cfg: DataSettings) -> pd.DataFrame:
    """Apply `data.categorical` and `data.numeric`, which override the inferred kinds."""
    df = df.copy(deep=False)  # new columns only: the caller's frame stays as it was
    for column in cfg.categorical:
        values = df[column]
        if ptypes.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
            values = values.astype("Int64")  # integer codes read as floats: 3, not "3.0"
        df[column] = values.astype("string")
    for column in cfg.numeric:
        numbers = pd.to_numeric(df[column], errors="coerce")
        bad = (numbers.isna() & df[column].notna()).to_numpy().nonzero()[0]
        if len(bad):
            raise DataError(
                f"column {column!r} (data.numeric): {df[column].iloc[bad[0]]!r} "
                f"(row {bad[0] + 1} of the table) is not a number"
            )
        df[column] = numbers.astype("float64")
    return df


def _is_date(column: pd.Series) -> bool:
    """Dates and durations, typed as such or written as ISO dates (2024-01-31...)."""
    if ptypes.is_datetime64_any_dtype(column) or ptypes.is_timedelta64_dtype(column):
        return True
    if ptypes.is_numeric_dtype(column) or ptypes.is_bool_dtype(column):
        return False
    values = column.dropna().head(1000).astype(str)
    return not values.empty and bool(values.str.match(ISO_DATE).all())


def _is_constant(column: pd.Series) -> bool:
    """One value wherever there is one (missing values impute to it: nothing to learn)."""
    values = column.dropna()
    return bool((values == values.iloc[0]).all())


def _drop_unusable(df: pd.DataFrame, target: str) -> pd.DataFrame:
    """Drop date, empty and constant feature columns, with a warning naming each."""
    features = df.columns.drop(target)
    dates = [c for c in features if _is_date(df[c])]
    empty = [c for c in features if c not in dates and df[c].isna().all()]
    constant = [c for c in features if c not in dates + empty and _is_constant(df[c])]
    for columns, why in [
        (dates, "dates (derive numbers from them, e.g. days since an event, as new columns)"),
        (empty, "empty (every value is missing)"),
        (constant, "constant (one value in every row)"),
    ]:
        if columns:
            log.warning("dropping %s: %s", ", ".join(map(repr, columns)), why)
    kept: pd.DataFrame = df.drop(columns=dates + empty + constant)
    return kept


def _report_ids(df: pd.DataFrame, target: str) -> None:
    """Warn about integer or text columns with a different value in every row."""
    if len(df) < MIN_ROWS_FOR_IDS:
        return
    for column in df.columns.drop(target):
        values = df[column]
        if ptypes.is_float_dtype(values) or ptypes.is_bool_dtype(values):
            continue  # measurements are often all different; they are no ids
        if values.nunique() == len(df):
            log.warning(
                "column %r has a different value in every row: likely an id, which no model "
                "can learn from; list it under data.drop in params.yaml",
                column,
            )


def split(df: pd.DataFrame, cfg: DataSettings, seed: int) -> dict[str, pd.DataFrame]:
    """Split a validated table into train, validation and test sets; classes are stratified."""
    stratified = task_of(df, cfg.target) == "classification"
    try:
        rest, test = train_test_split(
            df,
            test_size=cfg.test_size,
            stratify=df[cfg.target] if stratified else None,
            random_state=seed,
        )
        train, val = train_test_split(
            rest,
            test_size=cfg.val_size / (1 - cfg.test_size),
            stratify=rest[cfg.target] if stratified else None,
            random_state=seed,
        )
    except ValueError as exc:
        raise DataError(
            f"data.test_size / data.val_size: cannot split {len(df)} rows: {exc}"
        ) from exc
    return {"train": train, "val": val, "test": test}


def write_splits(splits: dict[str, pd.DataFrame], schema: FeatureSchema, out_dir: Path) -> None:
    """Write the splits as Parquet and the schema as JSON, all or nothing."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".tmp-") as tmp:
        staging = Path(tmp)
        for name, frame in splits.items():
            frame.to_parquet(staging / f"{name}.parquet", index=False)
        schema.save(staging / SCHEMA_FILE)
        # Renames within one directory are atomic, so readers never see half a file.
        for file in staging.iterdir():
            os.replace(file, out_dir / file.name)


def prepare(settings: Settings) -> FeatureSchema:
    """Run the data step: ingest, validate, split, infer the schema and write everything."""
    cfg, out_dir = settings.data, settings.paths.processed
    df = validate(load_source(cfg.source, cfg.synthetic), cfg, settings.task)
    splits = split(df, cfg, settings.seed)
    schema = infer_schema(splits["train"], cfg.target, task_of(df, cfg.target))
    splits = {
        name: feature_frame(schema, frame).assign(**{cfg.target: frame[cfg.target].to_numpy()})
        for name, frame in splits.items()
    }
    write_splits(splits, schema, out_dir)
    log.info("wrote %s to %s", ", ".join(f"{n}={len(f)}" for n, f in splits.items()), out_dir)
    return schema


def load_splits(processed: Path) -> tuple[dict[str, pd.DataFrame], FeatureSchema]:
    """Read what `prepare` wrote."""
    files = [processed / f"{name}.parquet" for name in SPLITS] + [processed / SCHEMA_FILE]
    for file in files:
        if not file.is_file():
            raise DataError(f"{file} not found: run `make data` first")
    splits = {name: pd.read_parquet(processed / f"{name}.parquet") for name in SPLITS}
    return splits, FeatureSchema.load(processed / SCHEMA_FILE)
