"""The JSON API (/api/v1): importing the feature modules registers their endpoints on the blueprint."""
from . import core, events, indicators, participation, places  # noqa: F401
from .core import bp

__all__ = ["bp"]
