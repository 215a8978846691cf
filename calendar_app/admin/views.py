"""Admin pages: areas, institutions, users, tokens, observances, targets."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
