"""A table's columns checked against the schema with numpy, as the API checks one record.

`/predict/batch`'s columnar body and `score`'s chunks of a file share it: one array per
feature in schema order, as `OnnxModel.predict_columns` takes them, or a `ColumnError`
naming each bad column and its first bad row. A JSON list and an array read from a file
are both accepted; in an array read from a file, NaN is a missing value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from .schema import Feature, FeatureSchema

RANGE_MARGIN = 10  # how many training spans a number may lie outside the training range

Column = npt.NDArray[np.generic]
Given = Sequence[object] | Column


@dataclass(frozen=True)
class Problem:
    """Why one column can't be scored, and its first bad row (None: the column as a whole)."""

    column: str
    row: int | None
    why: str
    kind: str  # the pydantic error type the record body gives for the same fault

    def __str__(self) -> str:
        return f"{self.column}{'' if self.row is None else f', row {self.row}'}: {self.why}"


class ColumnError(ValueError):
    """Columns that can't be scored: one problem per column."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def allowed_range(feature: Feature) -> tuple[float, float] | None:
    """Numbers a feature accepts: its training range widened by RANGE_MARGIN spans each side.

    Beyond that a prediction is extrapolation, and 32-bit arithmetic can overflow.
    """
    if feature.min is None or feature.max is None:
        return None
    margin = RANGE_MARGIN * max(feature.max - feature.min, abs(feature.max), 1.0)
    return feature.min - margin, feature.max + margin


def check_columns(schema: FeatureSchema, columns: Mapping[str, Given]) -> list[Column]:
    """Return the features' arrays (numbers with NaN missing; text with "" missing)."""
    problems = [
        Problem(name, None, "not a column of this model's table", "extra_forbidden")
        for name in columns
        if name not in schema.names and name not in schema.ignored
    ]
    problems += [Problem(name, None, "missing", "missing") for name in schema.names]
    problems = [p for p in problems if p.kind != "missing" or p.column not in columns]
    if problems:
        raise ColumnError(problems)
    lengths = [len(columns[name]) for name in schema.names]
    rows = max(set(lengths), key=lengths.count)  # most columns' length: name the others
    for name, length in zip(schema.names, lengths, strict=True):
        if length != rows:
            why = f"{length} values where the other columns have {rows}"
            problems.append(Problem(name, None, why, "length"))
    if problems:
        raise ColumnError(problems)
    arrays: list[Column] = []
    for feature in schema.features:
        try:
            check = _numbers if feature.kind == "numeric" else _categories
            arrays.append(check(feature, columns[feature.name]))
        except _BadValueError as bad:
            problems.append(Problem(feature.name, bad.row, bad.why, bad.kind))
    if problems:
        raise ColumnError(problems)
    return arrays


class _BadValueError(Exception):
    def __init__(self, row: int, why: str, kind: str) -> None:
        self.row, self.why, self.kind = row, why, kind


def _numbers(feature: Feature, given: Given) -> Column:
    if isinstance(given, np.ndarray) and given.dtype.kind in "iuf":
        numbers = given.astype(np.float64)
        wrong = np.flatnonzero(np.isinf(numbers))
        if len(wrong):
            raise _BadValueError(int(wrong[0]), "not a finite number", "finite_number")
    else:
        items = given.tolist() if isinstance(given, np.ndarray) else list(given)
        missing = isinstance(given, np.ndarray)  # a file's NaN; JSON's NaN is refused
        if not all(_number_type(t) for t in set(map(type, items))):
            first = next(i for i, v in enumerate(items) if not _number_type(type(v)))
            raise _BadValueError(first, f"{items[first]!r} is not a number", "float_type")
        try:
            numbers = np.array(items, dtype=np.float64)
        except OverflowError:  # an integer beyond any float
            first = next(i for i, v in enumerate(items) if v is not None and abs(v) > 1e308)
            raise _BadValueError(first, "not a finite number", "finite_number") from None
        for i in np.flatnonzero(~np.isfinite(numbers)).tolist():
            if items[i] is not None and not (missing and np.isnan(numbers[i])):
                raise _BadValueError(i, "not a finite number", "finite_number")
    bounds = allowed_range(feature)
    if bounds is not None:
        with np.errstate(invalid="ignore"):
            outside = np.flatnonzero((numbers < bounds[0]) | (numbers > bounds[1]))
        if len(outside):
            i = int(outside[0])
            why = (
                f"{numbers[i]:g} is outside {bounds[0]:g} to {bounds[1]:g} "
                f"(training saw {feature.min:g} to {feature.max:g})"
            )
            kind = "greater_than_equal" if numbers[i] < bounds[0] else "less_than_equal"
            raise _BadValueError(i, why, kind)
    return numbers


def _number_type(kind: type) -> bool:
    """Whether values of this type are numbers or missing; true and false are not numbers."""
    if issubclass(kind, bool | np.bool_):
        return False
    return kind is type(None) or issubclass(kind, int | float | np.integer | np.floating)


def _categories(feature: Feature, given: Given) -> Column:
    seen = set(feature.categories)
    from_file = isinstance(given, np.ndarray)
    items = given.tolist() if isinstance(given, np.ndarray) else list(given)
    if set(map(type, items)) <= {str, type(None)}:  # the common case, without a call per value
        text = cast(list[str | None], items)
    else:
        text = [_category(v, from_file) for v in items]
    unknown = set(text) - seen - {None}
    if unknown:
        i = next(i for i, value in enumerate(text) if value in unknown)
        shown = ", ".join(feature.categories[:10]) + (", ..." if len(seen) > 10 else "")
        why = f"{items[i]!r} is not a category seen in training ({shown})"
        raise _BadValueError(i, why, "literal_error")
    return np.asarray(["" if value is None else value for value in text], dtype=object)


def _category(value: object, from_file: bool) -> str | None:
    """Return a value as its category's text: None is missing; 8 and 8.0 are "8"; true "True"."""
    if value is None or (from_file and isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value if isinstance(value, str) else repr(value)
