"""API endpoints for indicators (see api/core.py for the plumbing)."""
from .core import bp  # noqa: F401
