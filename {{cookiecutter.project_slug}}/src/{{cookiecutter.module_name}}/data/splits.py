"""The train, validation and test splits: drawn once by the data step, read by every stage."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from ..files import replace_folder
from ..schema import FeatureSchema
from ..sections import DataSettings
from ..tasks import TaskSpec
from . import DataError

SPLITS = ("train", "val", "test")
SCHEMA_FILE = "schema.json"
RAW_EXAMPLE = "raw_example.parquet"  # feature columns of a few raw rows, with their dtypes


def split(
    df: pd.DataFrame, cfg: DataSettings, seed: int, spec: TaskSpec
) -> dict[str, pd.DataFrame]:
    """Split a validated table into train, validation and test sets; classes are stratified."""
    stratify = spec.stratified
    try:
        rest, test = train_test_split(
            df,
            test_size=cfg.test_size,
            stratify=df[cfg.target] if stratify else None,
            random_state=seed,
        )
        train, val = train_test_split(
            rest,
            test_size=cfg.val_size / (1 - cfg.test_size),
            stratify=rest[cfg.target] if stratify else None,
            random_state=seed,
        )
    except ValueError as exc:
        raise DataError(
            f"data.test_size / data.val_size: cannot split {len(df)} rows: {exc}"
        ) from exc
    parts = {"train": train, "val": val, "test": test}
    for name, part in parts.items():  # every class in every split, or no split
        missing = set(df[cfg.target]) - set(part[cfg.target]) if stratify else set()
        if missing:
            raise DataError(
                f"data.min_class_rows: classes {sorted(missing)} have no rows in the {name} "
                "split: raise data.min_class_rows to drop them"
            )
    return parts


def write_splits(
    splits: dict[str, pd.DataFrame],
    schema: FeatureSchema,
    out_dir: Path,
    example: pd.DataFrame | None = None,
) -> None:
    """Replace `out_dir` with the splits as Parquet and the schema as JSON, all or nothing.

    `example`: a few rows of the raw table's feature columns, kept as `RAW_EXAMPLE`.
    """
    frames = {f"{name}.parquet": frame for name, frame in splits.items()}
    if example is not None:
        frames[RAW_EXAMPLE] = example
    files: dict[str, str | bytes] = {}
    for name, frame in frames.items():
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        files[name] = buffer.getvalue()
    files[SCHEMA_FILE] = schema.model_dump_json(indent=2) + "\n"
    replace_folder(out_dir, files)


def load_splits(processed: Path) -> tuple[dict[str, pd.DataFrame], FeatureSchema]:
    """Read what the data step wrote."""
    files = [processed / f"{name}.parquet" for name in SPLITS] + [processed / SCHEMA_FILE]
    for file in files:
        if not file.is_file():
            raise DataError(f"{file} not found: run `make data` first")
    splits = {name: pd.read_parquet(processed / f"{name}.parquet") for name in SPLITS}
    return splits, FeatureSchema.load(processed / SCHEMA_FILE)


def load_raw_example(processed: Path) -> pd.DataFrame:
    """Read the few raw rows, with the raw table's dtypes, that the data step kept."""
    path = processed / RAW_EXAMPLE
    if not path.is_file():
        raise DataError(f"{path} not found: run `make data` first")
    return pd.read_parquet(path)
