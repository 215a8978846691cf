"""Public iCalendar feeds."""
from flask import Blueprint

bp = Blueprint("feeds", __name__)
