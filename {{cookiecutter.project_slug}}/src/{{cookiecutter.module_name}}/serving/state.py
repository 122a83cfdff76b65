"""What the app holds while it runs: the served model, and what is built once per model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..bundle import BundleError, Manifest, OnnxModel, load_bundle, read_background
from ..config import Settings
from ..explain.shapley import Explainer
from . import demo
from .schemas import ModelRef


@dataclass(frozen=True)
class Served:
    """The exported model being served and its manifest."""

    manifest: Manifest
    model: OnnxModel
    explainer: Explainer | None = None  # `POST /explain`, when `explain.endpoint` is true

    @cached_property
    def page(self) -> str:
        """The demo page for this model, rendered once."""
        return demo.render(self.manifest, explain=self.explainer is not None)

    @property
    def ref(self) -> ModelRef:
        """Name and version, as each answer reports them."""
        return ModelRef(name=self.manifest.name, version=self.manifest.version)


def open_served(settings: Settings) -> Served:
    """Load the bundle and, with `explain.endpoint`, its explainer; raise BundleError if not."""
    directory = settings.paths.serving
    manifest, model = load_bundle(directory)
    background = read_background(directory, manifest) if settings.explain.endpoint else []
    if not background:
        return Served(manifest, model)
    try:
        explainer = Explainer(model, background, settings.explain)
    except ImportError as exc:  # the `explain` extra, which /predict does without
        raise BundleError(
            f"explain.endpoint is true but {exc.name} is not installed: install the "
            "`explain` extra, or set explain.endpoint: false in params.yaml"
        ) from None
    explainer.explain_answer(background[0])  # compiles shap's code now, not on a request
    return Served(manifest, model, explainer)
