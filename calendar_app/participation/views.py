"""Attendance, registrations, tallies and self-assessments: staff pages and the public registration form."""
from flask import Blueprint

bp = Blueprint("participation", __name__)
