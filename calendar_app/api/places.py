"""API endpoints for places (see api/core.py for the plumbing)."""
from .core import bp  # noqa: F401
