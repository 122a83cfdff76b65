"""Each candidate's held-out outputs on disk: the rows behind its selection scores.

The train stage writes them (`selection.held_out_frame`: `output_<i>` columns and `row`,
a position in train + validation); the fairness stages read them back with their rows.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import write_atomic
from .records import StageError


def save_held_out(models: Path, name: str, frame: pd.DataFrame) -> None:
    """Save the held-out outputs that scored a candidate (`selection.held_out_frame`)."""
    write_atomic(models / f"{name}_held_out.parquet", frame.to_parquet(index=False))


def load_held_out(models: Path, name: str) -> pd.DataFrame:
    """Read what `save_held_out` wrote."""
    path = models / f"{name}_held_out.parquet"
    if not path.is_file():
        raise StageError(f"{path} not found: run `make train` first")
    return pd.read_parquet(path)


def held_out_rows(splits: dict[str, pd.DataFrame], held: pd.DataFrame) -> pd.DataFrame:
    """Return the train and validation rows that a candidate's held-out outputs scored."""
    pool = pd.concat([splits["train"], splits["val"]], ignore_index=True)
    found: pd.DataFrame = pool.iloc[held["row"].to_numpy()].reset_index(drop=True)
    return found
