"""The FastAPI application; the champion model is loaded once, at start-up."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from .. import __version__
from ..config import Settings, load_settings
from ..data import SCHEMA_FILE
from ..features import FeatureSchema
from ..tracking import NoChampionError, load_champion
from .routes import build_router

log = logging.getLogger(__name__)
access = logging.getLogger(f"{__name__}.access")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the champion; without one the server still starts and answers 503."""
    settings: Settings = app.state.settings
    app.state.champion = None
    try:
        champion = load_champion(settings.mlflow)
    except NoChampionError as exc:
        log.warning("%s", exc)
    else:
        if champion.schema != app.state.schema:
            log.warning(
                "the features in %s differ from those %s version %s was trained on: "
                "run `make train` again",
                settings.paths.processed / SCHEMA_FILE,
                champion.name,
                champion.version,
            )
        else:
            app.state.champion = champion
            log.info(
                "serving %s version %s (%s)", champion.name, champion.version, champion.run_name
            )
    yield
    app.state.champion = None


async def access_log(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Log one JSON line per request: route, status, latency, model version; no body values."""
    began = time.perf_counter()
    response = await call_next(request)
    champion = getattr(request.app.state, "champion", None)
    access.info(
        json.dumps(
            {
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "latency_ms": round((time.perf_counter() - began) * 1000, 3),
                "model_version": None if champion is None else champion.version,
            }
        )
    )
    return response


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """Answer 422 naming each bad field, without echoing the values (NaN is not JSON)."""
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
    return JSONResponse(status_code=422, content={"detail": errors})


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; request bodies follow the schema the data step wrote."""
    settings = settings or load_settings()
    schema_path = settings.paths.processed / SCHEMA_FILE
    schema = FeatureSchema.load(schema_path) if schema_path.is_file() else None
    app = FastAPI(
        title=settings.mlflow.registered_model,
        version=__version__,
        description="Predictions from the champion model in the MLflow registry.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.schema = schema
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.serving.max_body_bytes)
    app.middleware("http")(access_log)
    app.include_router(build_router(schema, settings.serving.max_batch))
    return app
