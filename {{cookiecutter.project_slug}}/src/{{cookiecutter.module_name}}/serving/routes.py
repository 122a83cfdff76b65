"""The HTTP routes. Dependencies read what the app holds: the model, its bodies, telemetry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from starlette.datastructures import State
from starlette.routing import Match, Route
from starlette.types import Scope

from .bodies import one_record
from .openapi import request_body
from .schemas import Health, ModelDetails, Ready
from .state import Served

NO_MODEL = "No model is loaded: run `make train` first, then restart the server"
UNAVAILABLE: dict[int | str, dict[str, Any]] = {503: {"description": NO_MODEL}}
WITH_BODY: dict[int | str, dict[str, Any]] = {
    400: {"description": "The body can't be decoded"},
    413: {"description": "The body is over `serving.max_body_bytes`"},
    415: {"description": "The body is not declared as application/json"},
    422: {"description": "A field is missing or not valid: each error names it"},
    **UNAVAILABLE,
}

router = APIRouter()


async def get_served(request: Request) -> Served:
    """Return the loaded model or answer 503."""
    served: Served | None = request.app.state.served
    if served is None:
        raise HTTPException(status_code=503, detail=NO_MODEL)
    return served


# Each request takes the model once: a reload mid-request doesn't change its answer.
ServedDep = Annotated[Served, Depends(get_served)]


async def require_json(request: Request) -> None:
    """Answer 415 unless the body is declared as JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(status_code=415, detail="Content-Type must be application/json")


def score_records(state: State, served: Served, records: list[BaseModel]) -> list[Any]:
    """Run the graph on the records; answer each as the task does (a class, or a number)."""
    fields = state.bodies.fields
    rows = [[getattr(r, name) for name in fields] for r in records]
    output, chosen = served.model.decide(rows)
    answers: list[Any] = state.answers.each.from_output(output, served.model.classes, chosen)
    if chosen is not None:  # classes: count them
        state.telemetry.tally(served.model.classes, chosen)
    return answers


def json_answer(answer: BaseModel) -> Response:
    """Serialize an answer once: it was validated when it was built, from our own numbers.

    Its schema is the task's (`Prediction` or `ValuePrediction`), which `openapi.document`
    writes into the OpenAPI document.
    """
    return Response(answer.model_dump_json(), media_type="application/json")


# A plain Starlette route, not FastAPI's: on the busiest route, FastAPI's request handling
# (resolving dependencies, building the endpoint's arguments) cost as much as the graph
# (`make bench-serve`, /predict vs /health). It calls the other routes' dependencies itself,
# in the same order, and `PREDICT_DOC` writes its entry in the OpenAPI document.
# Async: a single row takes microseconds, less than a hop to the thread pool.
async def predict(request: Request) -> Response:
    """Predict the class (or the value) of one record."""
    await require_json(request)
    served = await get_served(request)
    record = await one_record(request)
    state, classes = request.app.state, served.model.classes
    output, chosen = served.model.decide([[getattr(record, f) for f in state.bodies.fields]])
    decided = None if chosen is None else int(chosen[0])  # None: a value, no class
    if decided is not None:
        state.telemetry.predicted(classes[decided]).inc()
    answer = state.answers.one.dump(output[0], classes, decided, served.ref)
    return Response(answer, media_type="application/json")


class PlainRoute(Route):
    """A Starlette route that puts itself in the scope, as FastAPI's do: the metrics' label."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match as Starlette does; name the route on a match."""
        match, child = super().matches(scope)
        if match is not Match.NONE:
            child["route"] = self
        return match, child


PREDICT = PlainRoute("/predict", predict, methods=["POST"])
PREDICT_DOC: dict[str, Any] = {
    "post": {
        "summary": "Predict",
        "description": predict.__doc__,
        "operationId": "predict_predict_post",
        **request_body("Record"),
        "responses": {
            "200": {"description": "Successful Response"},
            **{str(code): answer for code, answer in WITH_BODY.items()},
        },
    }
}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def demo_page(request: Request) -> HTMLResponse:
    """Serve the demo page: a form for one record, answered by `POST /predict`."""
    served: Served | None = request.app.state.served
    if served is None:
        return HTMLResponse(f"<!doctype html><title>No model</title><p>{NO_MODEL}</p>", 503)
    return HTMLResponse(served.page, headers={"Content-Security-Policy": served.policy})


@router.get("/health")
async def health() -> Health:
    """Liveness: the process answers. Whether a model is loaded is `/ready`'s job."""
    return Health()


@router.get("/ready", responses=UNAVAILABLE)
async def ready(served: ServedDep) -> Ready:
    """Readiness: a model is loaded, and which one."""
    return Ready(model=served.ref)


@router.get("/model", responses=UNAVAILABLE)
async def model(served: ServedDep) -> ModelDetails:
    """Describe the served model: version, run, validation metrics, features."""
    m = served.manifest
    return ModelDetails(
        name=m.name,
        version=m.version,
        alias=m.alias,
        candidate=m.candidate,
        run_id=m.run_id,
        quantized=m.quantized,
        threshold=m.threshold,
        sha256=m.sha256,
        metrics=m.metrics,
        trained_at=m.trained_at,
        feature_schema=m.feature_schema,
    )


@router.get("/metrics", response_class=Response)
async def metrics(request: Request) -> Response:
    """Prometheus metrics: requests, latency, predictions per class, model version."""
    registry = request.app.state.telemetry.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
