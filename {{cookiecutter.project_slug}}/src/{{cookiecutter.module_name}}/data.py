"""Ingest, validate and split the raw table; write the splits and their feature schema."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from palmerpenguins import load_penguins
from pandas.api import types as ptypes
from sklearn.model_selection import train_test_split

from .config import DataSettings, Settings, SyntheticSettings
from .features import feature_frame, infer_schema
from .schema import FeatureSchema
from .synthetic import generate

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")
SCHEMA_FILE = "schema.json"
MIN_ROWS_PER_CLASS = 3  # one each for train, validation and test

BUILTIN: dict[str, Callable[[], pd.DataFrame]] = {"penguins": load_penguins}
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


def validate(df: pd.DataFrame, cfg: DataSettings) -> pd.DataFrame:
    """Check the table against `params.yaml`; return the rows and columns to model."""
    for option, column in [("target", cfg.target), *(("drop", c) for c in cfg.drop)]:
        if column not in df.columns:
            raise DataError(
                f"column {column!r} (data.{option} in params.yaml) is not in the data; "
                f"its columns are {', '.join(map(str, df.columns))}"
            )
    df = df.drop(columns=cfg.drop)
    if len(df.columns) < 2:
        raise DataError("data: no feature columns are left besides the target")
    for column in df.columns.drop(cfg.target):
        if ptypes.is_datetime64_any_dtype(df[column]) or ptypes.is_timedelta64_dtype(df[column]):
            raise DataError(
                f"column {column!r}: dtype {df[column].dtype} is neither numeric nor text; "
                "convert it or list it under data.drop in params.yaml"
            )
    target = df[cfg.target]
    if target.isna().all():
        raise DataError(f"column {cfg.target!r} (data.target) has no values")
    if target.isna().any():
        log.warning("dropping %d rows whose target %r is missing", target.isna().sum(), cfg.target)
        df = df[target.notna()]
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


def split(df: pd.DataFrame, cfg: DataSettings, seed: int) -> dict[str, pd.DataFrame]:
    """Split into train, validation and test sets, stratified on the target."""
    try:
        rest, test = train_test_split(
            df, test_size=cfg.test_size, stratify=df[cfg.target], random_state=seed
        )
        train, val = train_test_split(
            rest,
            test_size=cfg.val_size / (1 - cfg.test_size),
            stratify=rest[cfg.target],
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
    df = validate(load_source(cfg.source, cfg.synthetic), cfg)
    splits = split(df, cfg, settings.seed)
    schema = infer_schema(splits["train"], cfg.target)
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
