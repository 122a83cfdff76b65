"""The API's fixed bodies; `answers` holds the task's answers, `bodies` the record bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from ..schema import FeatureSchema


class ModelRef(BaseModel):
    """Which registered model version answered."""

    name: str
    version: str


class Health(BaseModel):
    """Answer to `GET /health`: the process is alive."""

    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    """Answer to `GET /ready` when a model is loaded."""

    status: Literal["ready"] = "ready"
    model: ModelRef


class Reloaded(BaseModel):
    """Answer to `POST /admin/reload`."""

    previous: ModelRef | None
    model: ModelRef


class ModelDetails(ModelRef):
    """Answer to `GET /model`."""

    alias: str
    candidate: str
    run_id: str
    quantized: bool
    threshold: float | None  # binary targets: P(positive) from which it is answered
    sha256: str
    metrics: dict[str, float | None]
    trained_at: datetime
    feature_schema: FeatureSchema
