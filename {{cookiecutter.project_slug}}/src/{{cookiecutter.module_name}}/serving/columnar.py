"""The columnar body of `POST /predict/batch`: `{"columns": {name: [values, ...], ...}}`.

A list of records costs a pydantic object per record; columns are checked a column at a
time with numpy (`column_check.check_columns`), the same rules as a record's fields, and go to
the graph as they are. The model built here only documents the body in /docs.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, create_model

from ..column_check import Column, ColumnError, check_columns
from ..schema import FeatureSchema


def columnar_model(record: type[BaseModel], max_batch: int) -> type[BaseModel]:
    """Describe the columnar body: for each field of `record`, a list of its values."""
    fields: dict[str, Any] = {}
    for name, field in record.model_fields.items():
        item: Any = field.annotation
        if field.metadata:  # bounds and strictness, as the record's field has them
            # Annotated[annotation, *metadata], spelled so that Python 3.10 reads it
            item = Annotated.__class_getitem__((item, *field.metadata))  # type: ignore[attr-defined]
        alias, described = field.alias or name, field.description
        if field.is_required():
            rows = Field(alias=alias, description=described, min_length=1, max_length=max_batch)
            fields[name] = (list[item], rows)
        else:  # a column the model leaves out
            fields[name] = (list[Any] | None, Field(None, alias=alias, description=described))
    extra = record.model_config.get("extra", "forbid")
    columns = create_model("Columns", __config__=ConfigDict(extra=extra), **fields)
    return create_model(
        "ColumnarBatchRequest",
        __config__=ConfigDict(extra="forbid", title="ColumnarBatchRequest"),
        columns=(columns, Field(description="one list per column, all of the same length")),
    )


def is_columnar(data: Any) -> bool:
    """Whether a decoded body is the columnar form (else: records)."""
    return isinstance(data, dict) and "columns" in data


def read_columns(schema: FeatureSchema, data: dict[str, Any], max_batch: int) -> list[Column]:
    """Check a columnar body; return the features' arrays, or raise a 422 naming the culprits.

    Each bad column is named with its first bad row (counted from 0), as `loc`.
    """
    columns = data["columns"]
    if set(data) != {"columns"}:
        extra = sorted(set(data) - {"columns"})[0]
        _refuse("extra_forbidden", (extra,), "a columnar batch holds only `columns`")
    if not isinstance(columns, dict) or not columns:
        _refuse("dict_type", ("columns",), "an object of column names to lists of values")
    for name, values in columns.items():
        if name in schema.ignored:  # a column the model leaves out, taken as it is
            continue
        if not isinstance(values, list):
            _refuse("list_type", ("columns", name), "a list of values, one per row")
        if not values:
            _refuse("too_short", ("columns", name), "at least 1 value")
        if len(values) > max_batch:
            _refuse("too_long", ("columns", name), f"{len(values)} rows, over {max_batch}")
    try:
        return check_columns(schema, columns)
    except ColumnError as exc:
        errors = [
            {
                "type": p.kind,
                "loc": ("body", "columns", p.column, *([] if p.row is None else [p.row])),
                "msg": p.why,
            }
            for p in exc.problems
        ]
        raise RequestValidationError(errors) from None


def _refuse(kind: str, loc: tuple[str, ...], why: str) -> NoReturn:
    raise RequestValidationError([{"type": kind, "loc": ("body", *loc), "msg": why}])
