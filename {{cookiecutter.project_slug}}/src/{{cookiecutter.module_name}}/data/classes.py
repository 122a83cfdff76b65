"""The class target: labels as text, and the classes too rare to appear in every split."""

from __future__ import annotations

import logging
import math

import pandas as pd

from ..sections import DataSettings
from . import DataError
from .columns import whole_as_integers

log = logging.getLogger(__name__)


def rows_needed(cfg: DataSettings) -> int:
    """Return the fewest rows of a class that a split puts in train, validation and test.

    scikit-learn gives a class at least the whole part of its share of a split, so
    1 / share rows make one; two more cover the rounding of the second split.
    """
    return math.ceil(1 / min(cfg.test_size, cfg.val_size)) + 2


def class_target(df: pd.DataFrame, cfg: DataSettings) -> tuple[pd.DataFrame, dict[str, int]]:
    """Make the target text ("1", not "1.0") and drop the rows of classes too rare to split.

    Returns the table and the dropped classes with their rows. Classes under
    `data.min_class_rows` (default: `rows_needed`) go, with one warning naming them all;
    a minimum set below what a split needs fails, naming every class it would keep too few of.
    """
    target = cfg.target
    df = df.assign(**{target: whole_as_integers(df[target]).astype(str)})
    counts = df[target].value_counts()
    if len(counts) < 2:
        raise DataError(
            f"column {target!r} (data.target) has one class only ({counts.index[0]!r}); "
            "a classifier needs at least two"
        )
    needed = rows_needed(cfg)
    minimum = cfg.min_class_rows or needed
    unsplittable = counts[(counts >= minimum) & (counts < needed)]
    if not unsplittable.empty:
        raise DataError(
            f"data.min_class_rows: {minimum} keeps classes too rare to appear in every split "
            f"(a split of test_size {cfg.test_size} and val_size {cfg.val_size} needs "
            f"{needed} rows): {_listed(unsplittable)}; raise it to {needed} to drop them"
        )
    rare = counts[counts < minimum]
    if len(counts) - len(rare) < 2:
        raise DataError(
            f"column {target!r} (data.target): fewer than two classes have {minimum} rows "
            f"(data.min_class_rows), and a classifier needs two: {_listed(counts)}"
        )
    if not rare.empty:
        log.warning(
            "dropping the rows of %d classes with fewer than %d rows (data.min_class_rows): %s",
            len(rare),
            minimum,
            _listed(rare),
        )
        df = df[~df[target].isin(rare.index)]
    return df, {str(label): int(n) for label, n in rare.items()}


def _listed(counts: pd.Series) -> str:
    return ", ".join(f"{label!r} ({n} rows)" for label, n in counts.items())
