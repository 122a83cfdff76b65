"""HTTP serving of the champion model."""

from .app import create_app

__all__ = ["create_app"]
