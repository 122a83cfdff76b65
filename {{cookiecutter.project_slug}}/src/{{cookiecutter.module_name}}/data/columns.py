"""Column rules of the data step: the kinds params.yaml sets, and columns no model can use."""

from __future__ import annotations

import logging

import pandas as pd
from pandas.api import types as ptypes

from ..sections import DataSettings
from . import DataError

log = logging.getLogger(__name__)

MIN_ROWS_FOR_IDS = 20  # below this, unique values per row are too common to mean much
ISO_DATE = r"\d{4}-\d{2}-\d{2}"


def check_named_columns(df: pd.DataFrame, cfg: DataSettings) -> None:
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


def refuse_nul_bytes(df: pd.DataFrame) -> None:
    """Fail naming the column and first row of a text value that holds a NUL byte.

    Refused rather than stripped: NUL in a table is a sign of a binary or mis-encoded file
    (UTF-16 read as UTF-8), whose other values can't be trusted either; and C libraries,
    ONNX's string tensors among them, would cut the value short there.
    """
    for column in df.columns:
        values = df[column]
        if ptypes.is_numeric_dtype(values) or ptypes.is_datetime64_any_dtype(values):
            continue
        found = values.astype("string").str.contains("\x00", regex=False)
        rows = found.fillna(False).to_numpy(dtype=bool).nonzero()[0]
        if len(rows):
            raise DataError(
                f"column {column!r}: {values.iloc[rows[0]]!r} (row {rows[0] + 1} of the table) "
                "holds a NUL byte; is the file binary, or not UTF-8? Clean it and run again"
            )


def whole_as_integers(values: pd.Series) -> pd.Series:
    """Make floats that are all whole numbers integers: codes read as floats are 3, not 3.0."""
    if ptypes.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        return values.astype("Int64")
    return values


def apply_kinds(df: pd.DataFrame, cfg: DataSettings) -> pd.DataFrame:
    """Apply `data.categorical` and `data.numeric`, which override the inferred kinds."""
    df = df.copy(deep=False)  # new columns only: the caller's frame stays as it was
    for column in cfg.categorical:
        df[column] = whole_as_integers(df[column]).astype("string")
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


def drop_unusable(df: pd.DataFrame, target: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """Drop date, empty and constant feature columns, with a warning naming each.

    Returns the table left and each dropped column with the reason.
    """
    features = df.columns.drop(target)
    dates = [c for c in features if _is_date(df[c])]
    empty = [c for c in features if c not in dates and df[c].isna().all()]
    constant = [c for c in features if c not in dates + empty and _is_constant(df[c])]
    dropped: dict[str, str] = {}
    for columns, why in [
        (dates, "dates (derive numbers from them, e.g. days since an event, as new columns)"),
        (empty, "empty (every value is missing)"),
        (constant, "constant (one value in every row)"),
    ]:
        if columns:
            log.warning("dropping %s: %s", ", ".join(map(repr, columns)), why)
            dropped |= dict.fromkeys(map(str, columns), why.split(" (")[0])
    kept: pd.DataFrame = df.drop(columns=dates + empty + constant)
    return kept, dropped


def report_ids(df: pd.DataFrame, target: str) -> None:
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
