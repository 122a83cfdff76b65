"""The HTTP routes; the record body type comes from the feature schema."""

# No `from __future__ import annotations` here: FastAPI must see the body types built at
# run time in `build_router`, not their names.

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from ..features import FeatureSchema
from ..tracking import CHAMPION, Champion
from .schemas import (
    BatchPrediction,
    Health,
    ModelDetails,
    ModelRef,
    Prediction,
    Scored,
    batch_model,
    record_model,
)

NO_MODEL = "No model is loaded: run `make train` first, then restart the server"


def get_champion(request: Request) -> Champion:
    """Return the loaded model or answer 503."""
    champion: Champion | None = request.app.state.champion
    if champion is None:
        raise HTTPException(status_code=503, detail=NO_MODEL)
    return champion


ChampionDep = Annotated[Champion, Depends(get_champion)]


def _score(champion: Champion, records: list[BaseModel]) -> list[Scored]:
    rows = [record.model_dump(by_alias=True) for record in records]
    classes = champion.classes
    return [
        Scored(
            prediction=classes[int(row.argmax())],
            probabilities={label: float(p) for label, p in zip(classes, row, strict=True)},
        )
        for row in champion.predict_proba(rows)
    ]


def require_json(request: Request) -> None:
    """Answer 415 unless the body is declared as JSON."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(status_code=415, detail="Content-Type must be application/json")


def build_router(schema: FeatureSchema | None, max_batch: int) -> APIRouter:
    """Create the routes for records shaped by `schema`."""
    Record = record_model(schema)
    BatchRequest = batch_model(Record, max_batch)
    router = APIRouter()
    json_only = [Depends(require_json)]
    unavailable: dict[int | str, dict[str, Any]] = {503: {"description": NO_MODEL}}

    @router.get("/health", responses=unavailable)
    def health(champion: ChampionDep) -> Health:
        """Report that a model is loaded and which one."""
        return Health(model=ModelRef(name=champion.name, version=champion.version))

    @router.post("/predict", responses=unavailable, dependencies=json_only)
    def predict(record: Record, champion: ChampionDep) -> Prediction:  # type: ignore[valid-type]
        """Predict the class of one record."""
        [scored] = _score(champion, [record])
        model = ModelRef(name=champion.name, version=champion.version)
        return Prediction(**scored.model_dump(), model=model)

    @router.post("/predict/batch", responses=unavailable, dependencies=json_only)
    def predict_batch(body: BatchRequest, champion: ChampionDep) -> BatchPrediction:  # type: ignore[valid-type]
        """Predict the class of each record, in order."""
        return BatchPrediction(
            predictions=_score(champion, body.records),  # type: ignore[attr-defined]
            model=ModelRef(name=champion.name, version=champion.version),
        )

    @router.get("/model", responses=unavailable)
    def model(champion: ChampionDep) -> ModelDetails:
        """Describe the served model: version, metrics, features."""
        return ModelDetails(
            name=champion.name,
            version=champion.version,
            alias=CHAMPION,
            run_id=champion.run_id,
            run_name=champion.run_name,
            metrics=champion.metrics,
            trained_at=champion.trained_at,
            feature_schema=champion.schema,
        )

    return router
