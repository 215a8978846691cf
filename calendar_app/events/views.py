"""Editors' pages for activities (under /manage)."""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/manage")
