"""Prometheus metrics and the JSON access log, kept out of the routes."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
import orjson
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..bundle import Manifest

Metric = TypeVar("Metric", Counter, Histogram)
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
        self._children: dict[tuple[object, tuple[str, ...]], object] = {}

    def set_model(self, manifest: Manifest | None) -> None:
        """Point the model labels at what is served now."""
        self.model.clear()
        self.version = None
        if manifest is not None:
            m = manifest
            self.model.labels(m.name, m.version, m.candidate, str(m.quantized).lower()).set(1)
            self.version = m.version

    def tally(self, classes: Sequence[str], chosen: npt.NDArray[np.int64]) -> None:
        """Count predicted classes, given as class indices, for the model served now."""
        found, counts = np.unique(chosen, return_counts=True)
        for index, n in zip(found.tolist(), counts.tolist(), strict=True):
            self.predicted(classes[index]).inc(n)

    def predicted(self, label: str) -> Counter:
        """Return the counter of one predicted label, for the model served now."""
        return self._child(self.predictions, (self.version or "none", label))

    def answered(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count and time one answered request."""
        self._child(self.requests, (method, route, str(status))).inc()
        self._child(self.latency, (route,)).observe(seconds)

    def _child(self, metric: Metric, labels: tuple[str, ...]) -> Metric:
        # prometheus_client's labels() takes a lock and builds a key on every call; a request
        # costs a dict lookup here. Few distinct label sets: routes, statuses, classes.
        key = (metric, labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return cast(Metric, child)


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
            self.telemetry.answered(scope["method"], name, status, elapsed)
            if self.access.isEnabledFor(logging.INFO):
                line = {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "latency_ms": round(elapsed * 1000, 3),
                    "model_version": self.telemetry.version,
                }
                self.access.info("%s", orjson.dumps(line).decode())
