"""The FastAPI application; the exported champion is loaded once, at start-up."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .. import __version__
from ..bundle import NoBundleError, verify_bundle
from ..config import Settings, load_settings
from .admin_route import ADMIN_TOKEN_ENV, Guesses, admin, admin_token
from .answers import ANSWERS
from .batch_route import batch
from .bodies import MAX_ERRORS, Bodies
from .docs_route import add_docs
from .explain_route import explain
from .observability import Observability, Telemetry
from .openapi import document
from .request_guards import BodyGuard, HeadAsGet, SecurityHeaders
from .routes import PREDICT, PREDICT_DOC, router
from .similar_route import similar
from .state import Served, open_served

log = logging.getLogger(__name__)

ACCESS_LOG = f"{__name__}.access"  # one JSON line per request; the `serve` command shows it


def load_served(settings: Settings) -> Served | None:
    """Load the bundle; None if nothing was exported yet (BundleError if it was altered)."""
    try:
        return open_served(settings)
    except NoBundleError as exc:
        log.warning("%s", exc)
        return None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model; without one the server still starts and /ready answers 503."""
    served = load_served(app.state.settings)
    app.state.served = served
    app.state.telemetry.set_model(None if served is None else served.manifest)
    if served is not None:
        m = served.manifest
        log.info("serving %s version %s (%s)", m.name, m.version, m.candidate)
    yield
    app.state.served = None


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer 422 naming each bad field (at most `MAX_ERRORS`), without echoing the values."""
    assert isinstance(exc, RequestValidationError)
    shown = exc.errors()[: MAX_ERRORS + 1]  # and `validated`'s count of the others
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in shown]
    return JSONResponse(status_code=422, content={"detail": errors})


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; request bodies follow the schema of the exported bundle."""
    settings = settings or load_settings()
    try:  # an altered bundle fails here, before the port opens; a missing one doesn't
        schema = verify_bundle(settings.paths.serving).feature_schema
    except NoBundleError:
        schema = None
    app = FastAPI(
        title=settings.mlflow.registered_model,
        version=__version__,
        description="Predictions from the champion model, exported to ONNX.",
        lifespan=lifespan,
        docs_url=None,  # docs_route serves it without a CDN
        redoc_url=None,
    )
    telemetry = Telemetry()
    bodies = Bodies.of(schema, settings.serving)
    answers = ANSWERS["class" if schema is None else schema.spec.answer]
    app.state.settings = settings
    app.state.schema = schema
    app.state.bodies = bodies
    app.state.answers = answers
    app.state.telemetry = telemetry
    app.state.served = None
    app.state.admin_token = admin_token(os.environ.get(ADMIN_TOKEN_ENV))
    app.state.guesses = Guesses()
    app.add_exception_handler(RequestValidationError, validation_error)
    # First: routes are matched in the order they are added, and this is the busiest. On the
    # app's own router: FastAPI doesn't name a plain route of an included one in the scope.
    app.router.routes.append(PREDICT)
    app.include_router(router)
    app.include_router(batch)
    if settings.explain.endpoint:
        app.include_router(explain)
    if settings.similar.endpoint:
        app.include_router(similar)
    if app.state.admin_token:
        app.include_router(admin)

    def openapi() -> dict[str, Any]:
        return document(app, bodies, answers, {"/predict": PREDICT_DOC})

    app.openapi = openapi  # type: ignore[method-assign]
    add_docs(app)
    # Each added one wraps the ones before: Observability, outermost, counts and logs the
    # guards' refusals too.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyGuard, max_bytes=bodies.max_bytes)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(Observability, telemetry=telemetry, access=logging.getLogger(ACCESS_LOG))
    return app
