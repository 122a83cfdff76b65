"""HTTP serving of the exported champion model: reads the bundle, nothing of training."""

from ..bundle import BundleError, NoBundleError
from .app import create_app

__all__ = ["BundleError", "NoBundleError", "create_app"]
