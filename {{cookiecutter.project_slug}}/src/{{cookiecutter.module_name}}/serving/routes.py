"""The HTTP routes; the record body type comes from the feature schema."""

# No `from __future__ import annotations` here: FastAPI must see the body types built at
# run time in `build_router`, not their names.

import secrets
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from ..schema import FeatureSchema
from . import demo
from .bundle import BundleError, Manifest, OnnxModel, load_bundle
from .observability import Telemetry
from .schemas import (
    BatchPrediction,
    BatchValuePrediction,
    Health,
    ModelDetails,
    ModelRef,
    Prediction,
    Ready,
    Reloaded,
    Scored,
    Valued,
    ValuePrediction,
    batch_model,
    record_model,
)

ALIAS = "champion"
ADMIN_TOKEN_ENV = "SERVING_ADMIN_TOKEN"  # POST /admin/reload exists only when this is set
NO_MODEL = "No model is loaded: run `make train` first, then restart the server"


@dataclass(frozen=True)
class Served:
    """The exported model being served and its manifest."""

    manifest: Manifest
    model: OnnxModel

    @cached_property
    def page(self) -> str:
        """The demo page for this model, rendered once."""
        return demo.render(self.manifest)

    @property
    def ref(self) -> ModelRef:
        """Name and version, as each answer reports them."""
        return ModelRef(name=self.manifest.name, version=self.manifest.version)


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


def build_router(
    schema: FeatureSchema | None,
    max_batch: int,
    telemetry: Telemetry,
    admin_token: str | None = None,
) -> APIRouter:
    """Create the routes for records shaped by `schema`."""
    Record = record_model(schema)
    BatchRequest = batch_model(Record, max_batch)
    fields = list(Record.model_fields)
    router = APIRouter()
    json_only = [Depends(require_json)]
    unavailable: dict[int | str, dict[str, Any]] = {503: {"description": NO_MODEL}}
    with_body: dict[int | str, dict[str, Any]] = {
        400: {"description": "The body can't be decoded"},
        413: {"description": "The body is over `serving.max_body_bytes`"},
        415: {"description": "The body is not declared as application/json"},
        **unavailable,
    }

    # The answer's shape follows the task: a class with probabilities, or a number.
    regression = schema is not None and schema.regression
    One = ValuePrediction if regression else Prediction
    Many = BatchValuePrediction if regression else BatchPrediction

    def score(served: Served, records: list[BaseModel]) -> list[Scored] | list[Valued]:
        rows = [[getattr(record, name) for name in fields] for record in records]
        output = served.model.predict(rows)
        if regression:
            return [Valued(prediction=value) for value in output.tolist()]
        classes = served.model.classes
        labels = [classes[i] for i in output.argmax(axis=1).tolist()]
        telemetry.count(labels)
        return [
            Scored(prediction=label, probabilities=dict(zip(classes, row, strict=True)))
            for label, row in zip(labels, output.tolist(), strict=True)
        ]

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def demo_page(request: Request) -> HTMLResponse:
        """Serve the demo page: a form for one record, answered by `POST /predict`."""
        served: Served | None = request.app.state.served
        if served is None:
            return HTMLResponse(f"<!doctype html><title>No model</title><p>{NO_MODEL}</p>", 503)
        return HTMLResponse(served.page)

    @router.get("/health")
    async def health() -> Health:
        """Liveness: the process answers. Whether a model is loaded is `/ready`'s job."""
        return Health()

    @router.get("/ready", responses=unavailable)
    async def ready(served: ServedDep) -> Ready:
        """Readiness: a model is loaded, and which one."""
        return Ready(model=served.ref)

    # Async: a single row takes microseconds, less than a hop to the thread pool.
    @router.post("/predict", response_model=One, responses=with_body, dependencies=json_only)
    async def predict(record: Record, served: ServedDep) -> Any:  # type: ignore[valid-type]
        """Predict the class (or the value) of one record."""
        [scored] = score(served, [record])
        return One(**dict(scored), model=served.ref)

    # Sync: a big batch runs in the thread pool and doesn't hold up other requests.
    @router.post("/predict/batch", response_model=Many, responses=with_body, dependencies=json_only)
    def predict_batch(body: BatchRequest, served: ServedDep) -> Any:  # type: ignore[valid-type]
        """Predict the class (or the value) of each record, in order."""
        records = body.records  # type: ignore[attr-defined]
        return Many(predictions=score(served, records), model=served.ref)

    @router.get("/model", responses=unavailable)
    async def model(served: ServedDep) -> ModelDetails:
        """Describe the served model: version, run, validation metrics, features."""
        m = served.manifest
        return ModelDetails(
            name=m.name,
            version=m.version,
            alias=ALIAS,
            candidate=m.candidate,
            run_id=m.run_id,
            quantized=m.quantized,
            sha256=m.sha256,
            metrics=m.metrics,
            trained_at=m.trained_at,
            feature_schema=m.feature_schema,
        )

    @router.get("/metrics", response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics: requests, latency, predictions per class, model version."""
        return Response(generate_latest(telemetry.registry), media_type=CONTENT_TYPE_LATEST)

    if admin_token:

        @router.post("/admin/reload", responses={401: {"description": "Wrong or no token"}})
        async def reload(
            request: Request, authorization: Annotated[str | None, Header()] = None
        ) -> Reloaded:
            """Load the bundle again (after `make train`) and serve it from the next request."""
            if not secrets.compare_digest(authorization or "", f"Bearer {admin_token}"):
                raise HTTPException(status_code=401, detail="Authorization: Bearer <token> needed")
            app = request.app
            previous: Served | None = app.state.served
            try:
                manifest, model = await run_in_threadpool(
                    load_bundle, app.state.settings.paths.serving
                )
            except BundleError as exc:
                raise HTTPException(status_code=409, detail=str(exc)) from None
            if manifest.feature_schema != schema:
                raise HTTPException(
                    status_code=409,
                    detail="the new bundle expects other features: restart the server instead",
                )
            served = Served(manifest, model)
            app.state.served = served
            telemetry.set_model(served)
            return Reloaded(previous=None if previous is None else previous.ref, model=served.ref)

    return router
