"""`POST /similar`: the training records nearest to one record in the model's embedding.

Included when `similar.endpoint` is true; delete this module and `similar/` to go without.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel

from ..similar.neighbours import Neighbour
from .bodies import one_record
from .openapi import request_body
from .routes import WITH_BODY, ServedDep, require_json
from .schemas import ModelRef

similar = APIRouter()

MOST = 50  # records one answer may ask for: `k` beyond gets a 422


class Similar(BaseModel):
    """The indexed training records nearest to the one sent, most similar first."""

    neighbours: list[Neighbour]
    model: ModelRef


@similar.post(
    "/similar",
    responses=WITH_BODY,
    dependencies=[Depends(require_json)],
    openapi_extra=request_body("Record"),
)
async def similar_records(
    request: Request,
    served: ServedDep,
    record: Annotated[BaseModel, Depends(one_record)],
    k: Annotated[int, Query(ge=1, le=MOST, description="how many records to return")] = 5,
) -> Similar:
    """Find the `k` training records whose embeddings are nearest the record's, by cosine."""
    if served.neighbours is None:
        raise HTTPException(status_code=503, detail="this bundle ships no index: retrain")
    row = [getattr(record, name) for name in request.app.state.bodies.fields]
    [vector] = served.model.embed([row])
    return Similar(neighbours=served.neighbours.nearest(vector, k), model=served.ref)
