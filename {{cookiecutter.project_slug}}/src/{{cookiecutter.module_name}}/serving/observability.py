"""Prometheus metrics and the JSON access log, kept out of the routes."""

from __future__ import annotations

import collections
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bundle import Manifest

# Sub-millisecond buckets: a single-row prediction takes well under one.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Telemetry:
    """The server's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from request to the end of the response, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions",
            "Predicted classes, by model version.",
            ["model_version", "label"],
            registry=self.registry,
        )
        self.model = Gauge(
            "model_info",
            "The model being served (value 1).",
            ["name", "version", "candidate", "quantized"],
            registry=self.registry,
        )
        self.version: str | None = None

    def set_model(self, manifest: Manifest | None) -> None:
        """Point the model labels at what is served now."""
        self.model.clear()
        self.version = None
        if manifest is not None:
            m = manifest
            self.model.labels(m.name, m.version, m.candidate, str(m.quantized).lower()).set(1)
            self.version = m.version

    def count(self, labels: list[str]) -> None:
        """Count predicted labels for the model served now."""
        version = self.version or "none"
        for label, n in collections.Counter(labels).items():
            self.predictions.labels(version, label).inc(n)

    def tally(self, classes: Sequence[str], chosen: npt.NDArray[np.int64]) -> None:
        """Count predicted classes, given as class indices, for the model served now."""
        version = self.version or "none"
        found, counts = np.unique(chosen, return_counts=True)
        for index, n in zip(found.tolist(), counts.tolist(), strict=True):
            self.predictions.labels(version, classes[index]).inc(n)


class Observability:
    """ASGI middleware: count and time every request, log one JSON line without body values."""

    def __init__(self, app: ASGIApp, telemetry: Telemetry, access: logging.Logger) -> None:
        self.app, self.telemetry, self.access = app, telemetry, access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting its status and how long the answer took."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        status = 500  # what the client sees if the app fails before it answers

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - began
            # The route template, not the raw path, keeps the label set small.
            route: Any = scope.get("route")
            name = getattr(route, "path", "unmatched")
            self.telemetry.requests.labels(scope["method"], name, str(status)).inc()
            self.telemetry.latency.labels(name).observe(elapsed)
            self.access.info(
                json.dumps(
                    {
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "latency_ms": round(elapsed * 1000, 3),
                        "model_version": self.telemetry.version,
                    }
                )
            )
