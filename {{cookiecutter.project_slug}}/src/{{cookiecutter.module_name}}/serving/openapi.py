"""The OpenAPI document: FastAPI's, with the bodies and answers of the served schema.

The prediction routes validate their bodies and write their answers themselves, so
FastAPI can't describe them: `document` adds their schemas once, at the first request.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from .answers import Answers
from .bodies import Bodies

REF = "#/components/schemas/"


def request_body(
    *names: Literal["Record", "BatchRequest", "ColumnarBatchRequest"],
) -> dict[str, Any]:
    """Describe a JSON body as the components `names` (one of them), which `document` adds."""
    refs = [{"$ref": REF + name} for name in names]
    schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def document(
    app: FastAPI, bodies: Bodies, answers: Answers, plain: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Return FastAPI's OpenAPI document with the served schema's bodies and the task's answers.

    The prediction routes validate their bodies and write their answers themselves, so
    FastAPI can't describe them: their schemas are added here, once, with the entries of
    the `plain` routes (path: entry), which FastAPI doesn't document at all.
    """
    if app.openapi_schema is None:
        doc = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        doc["paths"] = {**plain, **doc["paths"]}
        components = doc.setdefault("components", {}).setdefault("schemas", {})
        modes: list[tuple[type[BaseModel], JsonSchemaMode]] = [
            (bodies.record, "validation"),
            (bodies.batch, "validation"),
            (bodies.columns, "validation"),
            (answers.one, "serialization"),
            (answers.many, "serialization"),
            (answers.columns, "serialization"),
        ]
        for model, mode in modes:
            found = model.model_json_schema(ref_template=REF + "{model}", mode=mode)
            components.update(found.pop("$defs", {}))
            components[model.__name__] = found
        for path, *answer in (
            ("/predict", answers.one),
            ("/predict/batch", answers.many, answers.columns),
        ):
            refs = [{"$ref": REF + a.__name__} for a in answer]
            schema = refs[0] if len(refs) == 1 else {"oneOf": refs}
            ok = doc["paths"][path]["post"]["responses"]["200"]
            ok["content"] = {"application/json": {"schema": schema}}
        app.openapi_schema = doc
    return app.openapi_schema
