"""`POST /predict/batch`: many records at once, as a list of records or as columns.

Decoding, checking and scoring run in a worker thread, one batch at a time: a big batch
doesn't hold up the requests that the event loop answers meanwhile.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Depends, Request, Response
from starlette.datastructures import State

from .bodies import decode, validated_records
from .columnar import is_columnar, read_columns
from .openapi import request_body
from .routes import WITH_BODY, ServedDep, json_answer, require_json, score_records
from .state import Served, one_at_a_time

batch = APIRouter()


@batch.post(
    "/predict/batch",
    responses=WITH_BODY,
    dependencies=[Depends(require_json)],
    openapi_extra=request_body("BatchRequest", "ColumnarBatchRequest"),
)
async def predict_batch(request: Request, served: ServedDep) -> Response:
    """Predict the class (or the value) of each record, in order; answer in the body's form."""
    body = await request.body()
    state = request.app.state
    limiter = one_at_a_time(state, "batching")
    return await anyio.to_thread.run_sync(_answer, state, served, body, limiter=limiter)


def _answer(state: State, served: Served, body: bytes) -> Response:
    data: Any = decode(body)
    if not is_columnar(data):
        records = validated_records(state.bodies, data)
        answers = score_records(state, served, records)
        return json_answer(state.answers.many(predictions=answers, model=served.ref))
    columns = read_columns(state.schema, data, state.settings.serving.max_batch)
    output, chosen = served.model.decide_columns(columns)
    classes = served.model.classes
    if chosen is not None:  # classes: count them
        state.telemetry.tally(classes, chosen)
    answer = state.answers.columns.dump(output, classes, chosen, served.ref)
    return Response(answer, media_type="application/json")
