"""What the app holds while it runs: the served model, and what is built once per model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from anyio import CapacityLimiter
from starlette.datastructures import State

from ..bundle import BundleError, Manifest, load_bundle
from ..config import Settings
from ..explain.shapley import Explainer, read_background
from ..onnx_model import OnnxModel
from ..similar.neighbours import Neighbours, read_neighbours
from . import demo
from .request_guards import page_policy
from .schemas import ModelRef


@dataclass(frozen=True)
class Served:
    """The exported model being served and its manifest."""

    manifest: Manifest
    model: OnnxModel
    explainer: Explainer | None = None  # `POST /explain`, when `explain.endpoint` is true
    neighbours: Neighbours | None = None  # `POST /similar`, when `similar.endpoint` is true

    @cached_property
    def page(self) -> str:
        """The demo page for this model, rendered once."""
        shown = {"explain": self.explainer is not None, "similar": self.neighbours is not None}
        return demo.render(self.manifest, **shown)

    @cached_property
    def policy(self) -> str:
        """The demo page's Content-Security-Policy: its own script and style only."""
        return page_policy(self.page)

    @property
    def ref(self) -> ModelRef:
        """Name and version, as each answer reports them."""
        return ModelRef(name=self.manifest.name, version=self.manifest.version)


def open_served(settings: Settings) -> Served:
    """Load the bundle and what its endpoints need; raise BundleError if it can't serve."""
    bundle = load_bundle(settings.paths.serving)
    explainer, neighbours = None, None
    background = read_background(bundle) if settings.explain.endpoint else []
    if background:
        with _extra("explain.endpoint"):
            graph = bundle.model.with_threads(settings.explain.threads)  # /predict keeps one
            explainer = Explainer(graph, background, settings.explain)
        explainer.explain_answer(background[0])  # compiles shap's code now, not on a request
    if settings.similar.endpoint:
        with _extra("similar.endpoint"):
            neighbours = read_neighbours(bundle)
    return Served(bundle.manifest, bundle.model, explainer, neighbours)


def one_at_a_time(state: State, name: str) -> CapacityLimiter:
    """Return the app's limiter `name`, which lets one call at a time run in a worker thread.

    Heavy calls (an explanation, a big batch) hold the GIL for most of their time: more at
    once only fight over it and the cores, and the event loop waits behind all of them.
    Made on first use, in the event loop.
    """
    if not hasattr(state, name):
        setattr(state, name, CapacityLimiter(1))
    limiter: CapacityLimiter = getattr(state, name)
    return limiter


@contextmanager
def _extra(key: str) -> Iterator[None]:
    """Name the key that asks for the `explain` extra when it isn't installed."""
    try:
        yield
    except ImportError as exc:  # the extra, which /predict does without
        raise BundleError(
            f"{key} is true but {exc.name} is not installed: install the `explain` extra, "
            f"or set {key}: false in params.yaml"
        ) from None
