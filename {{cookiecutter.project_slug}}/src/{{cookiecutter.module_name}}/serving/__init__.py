"""HTTP serving of the exported champion model."""

from .app import create_app
from .bundle import BundleError, NoBundleError

__all__ = ["BundleError", "NoBundleError", "create_app"]
