"""What the app holds while it runs: the served model, and what is built once per model."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..bundle import Manifest, OnnxModel
from . import demo
from .schemas import ModelRef


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
