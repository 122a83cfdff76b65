"""The request bodies of the served schema: built at start-up, decoded, documented.

The routes are fixed, but a record's fields are the model's features: the app builds the
body types from the bundle's schema, a dependency validates each request against them, and
`openapi.document` adds them to the OpenAPI document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NoReturn

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    FiniteFloat,
    TypeAdapter,
    ValidationError,
    create_model,
)

from ..column_check import allowed_range
from ..schema import FeatureSchema
from ..serving_sections import ServingSettings
from .columnar import columnar_model

MAX_ERRORS = 20  # named in one 422
CHUNK_RECORDS = 500  # records per validation call: the GIL is let go between calls
VALUE_BYTES = len("-2.2250738585072014e-308")  # the longest a JSON number needs to be
MIN_BODY_BYTES = 1_048_576


def record_model(schema: FeatureSchema | None) -> type[BaseModel]:
    """Build the body of one record: numbers are finite floats, categories the values seen.

    Every field is required; `null` stands for a missing value, which the model imputes.
    Numbers may stray a margin beyond the training range (`column_check.allowed_range`).
    Field names are positional and the column names are aliases, so any column name works.
    The columns that the data step left out are accepted, whatever they hold, and ignored;
    a column never seen is refused, naming it.
    """
    if schema is None:  # nothing exported yet: accept anything, the routes answer 503
        return create_model("Record", __config__=ConfigDict(extra="allow"))
    fields: dict[str, Any] = {}
    for i, feature in enumerate(schema.features):
        if feature.kind == "numeric":
            annotation: Any = FiniteFloat | None
            bounds: dict[str, float] = {}
            hint = "number"
            allowed = allowed_range(feature)
            if allowed is not None:
                bounds = {"ge": allowed[0], "le": allowed[1]}
                hint = f"number, {feature.min:g} to {feature.max:g} in training"
            # Strict: "45" or true is a client bug, not a number to coerce.
            field = Field(alias=feature.name, description=hint, strict=True, **bounds)  # type: ignore[call-overload]
        elif feature.boolean:
            # A boolean column: JSON true/false, which the model sees as "True"/"False".
            annotation, field = bool | None, Field(alias=feature.name, description="true or false")
        else:
            seen = Literal[tuple(feature.categories)] if feature.categories else None
            # Codes read as JSON numbers too: 8 and 8.0 are the category "8".
            annotation = Annotated[seen, BeforeValidator(_code)] | None
            field = Field(alias=feature.name, description="one of the categories seen in training")
        fields[f"field_{i}"] = (annotation, field)
    for i, (name, why) in enumerate(schema.ignored.items()):
        # A column of the table that the model leaves out: a record may carry it as it is.
        fields[f"ignored_{i}"] = (Any, Field(None, alias=name, description=f"ignored: {why}"))
    return create_model("Record", __config__=ConfigDict(extra="forbid", title="Record"), **fields)


def _code(value: object) -> object:
    """Read a JSON number sent for a category as the category's text: 8 and 8.0 are "8"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def batch_model(record: Any, max_records: int) -> type[BaseModel]:
    """Build the body of `POST /predict/batch`."""
    return create_model(
        "BatchRequest",
        __config__=ConfigDict(extra="forbid"),
        records=(list[record], Field(min_length=1, max_length=max_records)),
    )


@dataclass(frozen=True)
class Bodies:
    """The body types of one served schema, and the record fields in feature order.

    `columns` only documents the columnar batch: `columnar.read_columns` checks it.
    """

    record: type[BaseModel]
    batch: type[BaseModel]
    columns: type[BaseModel]
    fields: list[str]
    max_bytes: int  # the body limit: `serving.max_body_bytes`, or room for a full batch
    envelope: type[BaseModel]  # `batch` with its records unchecked: `validated_records`
    records: TypeAdapter[list[Any]]  # which checks them, a chunk at a time

    @classmethod
    def of(cls, schema: FeatureSchema | None, serving: ServingSettings) -> Bodies:
        """Build the bodies for `schema` (None: nothing exported yet; any body, then a 503)."""
        record = record_model(schema)
        fields = [name for name in record.model_fields if name.startswith("field_")]
        columns = columnar_model(record, serving.max_batch)
        max_bytes = serving.max_body_bytes or batch_bytes(schema, serving.max_batch)
        batch, envelope = (batch_model(r, serving.max_batch) for r in (record, Any))
        records = TypeAdapter(list[record])  # type: ignore[valid-type]
        return cls(record, batch, columns, fields, max_bytes, envelope, records)


def batch_bytes(schema: FeatureSchema | None, records: int) -> int:
    """Room for `records` records of `schema` in one batch (at least 1 MiB).

    Each value gets room for the longest JSON number, or the longest category: a batch as
    long as `serving.max_batch` allows is answered, not refused for its size.
    """
    if schema is None:
        return MIN_BODY_BYTES
    record = 2 + sum(
        len(json.dumps(f.name))
        + 2
        + max([VALUE_BYTES, *(len(json.dumps(c)) for c in f.categories)])
        for f in schema.features
    )
    return max(MIN_BODY_BYTES, len('{"records": []}') + records * (record + 1))


def decode(body: bytes) -> Any:
    """Parse a JSON body, or raise a 422 saying why it isn't JSON.

    orjson first, for speed; what it refuses goes to Python's json, which also reads NaN and
    Infinity, so that those are refused by the field they're in, naming it.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        error = {"type": "json_invalid", "loc": ("body",), "msg": f"JSON decode error: {exc}"}
        raise RequestValidationError([error]) from None


def validated(body: type[BaseModel], data: Any) -> Any:
    """Validate decoded JSON against `body`; a 422 names each bad field, as FastAPI's do.

    At most `MAX_ERRORS` are named, then how many more there are: a batch of bad records
    would otherwise answer megabytes of errors.
    """
    try:
        return body.model_validate(data)
    except ValidationError as exc:
        _refuse(exc.errors(include_url=False, include_input=False), exc.error_count())


def validated_records(bodies: Bodies, data: Any) -> list[BaseModel]:
    """Validate a batch's records `CHUNK_RECORDS` at a time, with `validated`'s 422.

    Validating 10,000 records is one call that holds the GIL, and the event loop waits
    behind it for most of a second; between chunks, the loop answers what waits.
    """
    records: list[Any] = validated(bodies.envelope, data).records
    found: list[BaseModel] = []
    errors: list[Any] = []
    count = 0
    for start in range(0, len(records), CHUNK_RECORDS):
        try:
            found += bodies.records.validate_python(records[start : start + CHUNK_RECORDS])
        except ValidationError as exc:
            count += exc.error_count()
            for e in exc.errors(include_url=False, include_input=False)[: MAX_ERRORS - len(errors)]:
                errors.append({**e, "loc": ("records", start + int(e["loc"][0]), *e["loc"][1:])})
    if errors:
        _refuse(errors, count)
    return found


def _refuse(errors: Any, count: int) -> NoReturn:
    shown = [{**e, "loc": ("body", *e["loc"])} for e in errors[:MAX_ERRORS]]
    if count > len(shown):
        more = {"type": "too_many_errors", "loc": ("body",), "msg": f"{count - len(shown)} more"}
        shown.append(more)
    raise RequestValidationError(shown) from None


async def one_record(request: Request) -> BaseModel:
    """Read the body of `POST /predict`: one record of the served schema."""
    record: BaseModel = validated(request.app.state.bodies.record, decode(await request.body()))
    return record
