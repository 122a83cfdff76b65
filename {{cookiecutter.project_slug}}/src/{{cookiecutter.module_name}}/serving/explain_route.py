"""`POST /explain`: the answer to one record, and how much each of its inputs moved it.

Included when `explain.endpoint` is true; delete this module and `explain/` to go without.
"""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from .bodies import one_record
from .openapi import request_body
from .routes import WITH_BODY, ServedDep, require_json
from .schemas import ModelRef
from .state import one_at_a_time

explain = APIRouter()


class Contribution(BaseModel):
    """One input of the record and how much it moved the explained output."""

    feature: str
    value: float | str | bool | None
    contribution: float


class Explanation(BaseModel):
    """The answer, the output explained, and contributions that add up to it from the base."""

    prediction: str | float
    explained: str  # e.g. "probability of Gentoo", or "predicted value"
    output: float
    base_value: float  # the mean output over the background of training rows
    contributions: list[Contribution]  # largest first; they sum to output - base_value
    model: ModelRef


@explain.post(
    "/explain",
    responses=WITH_BODY,
    dependencies=[Depends(require_json)],
    openapi_extra=request_body("Record"),
)
async def explain_one(
    request: Request, served: ServedDep, record: Annotated[BaseModel, Depends(one_record)]
) -> Explanation:
    """Explain the answer to one record with SHAP values, in a worker thread, one at a time."""
    if served.explainer is None:
        raise HTTPException(status_code=503, detail="this bundle ships no background: retrain")
    state = request.app.state
    row = [getattr(record, name) for name in state.bodies.fields]
    output, chosen = served.model.decide([row])
    [answer] = state.answers.each.from_output(output, served.model.classes, chosen)
    decided = (output[0], None if chosen is None else int(chosen[0]))
    found = await anyio.to_thread.run_sync(
        served.explainer.explain_answer,
        row,
        decided,
        # One at a time: measured by `make bench-serve` on 2 cores, /explain's p99 at 8
        # connections fell from 60 to 39 ms with it.
        limiter=one_at_a_time(state, "explaining"),
    )
    names = served.model.schema.names
    parts = [
        Contribution(feature=name, value=value, contribution=float(c))
        for name, value, c in zip(names, row, found.contributions, strict=True)
    ]
    return Explanation(
        prediction=answer.prediction,
        explained=found.explained,
        output=found.value,
        base_value=found.base_value,
        contributions=sorted(parts, key=lambda p: -abs(p.contribution)),
        model=served.ref,
    )
