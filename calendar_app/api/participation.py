"""API endpoints for participation: attendance per occurrence, monthly tallies, self-assessments, imports.

Participation figures belong to an institution: reading them takes a token too, within the user's scope.
"""
import re

from flask import jsonify, request
from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.scope import require_institution
from ..events.models import Activity
from ..events.operations import find_occurrence
from ..extensions import db
from ..participation import imports
from ..participation import operations as ops
from ..participation.locks import YearLocked, is_year_locked
from ..participation.schema import (
    AssessmentIn,
    AssessmentOut,
    AttendanceIn,
    AttendanceOut,
    ImportOut,
    TallyIn,
    TallyOut,
)
from ..places.models import Institution
from ..unit_of_work import attempt
from ..validation import ValidationFailed
from .core import ApiError, api_user, bp, documented, error_response, json_body, token_required

MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@bp.errorhandler(YearLocked)
def _year_locked(error: YearLocked):
    return error_response(409, "year_locked", error.message, error.fields)


@bp.errorhandler(imports.ImportRefused)
def _import_refused(error: imports.ImportRefused):
    response, status = error_response(error.status, "import_refused", error.message, error.fields)
    body = response.get_json()
    body["error"]["rows"] = [e.as_dict() for e in error.errors]
    return jsonify(body), status


def _institution(slug: str) -> Institution:
    return require_institution(api_user(), db.session.scalar(select(Institution).where(Institution.slug == slug)))


def _occurrence(event_id: int, start: str):
    activity = db.session.get(Activity, event_id)
    if activity is None:
        raise ApiError(404, "not_found", _("There is no activity %(id)s.", id=event_id))
    require_institution(api_user(), activity.institution)
    occurrence = find_occurrence(activity, start)
    if occurrence is None:
        raise ApiError(404, "not_found", _("Activity %(id)s has no occurrence starting at %(start)s.",
                                           id=event_id, start=start))
    return occurrence


def _month(text: str) -> tuple[int, int]:
    match = MONTH_RE.match(text)
    if not match:
        raise ValidationFailed({"month": _("Write the month as YYYY-MM, e.g. 2025-03.")})
    return ops.check_period(match.group(1), match.group(2))


# --- attendance ----------------------------------------------------------------------------------------


@documented("/events/{id}/occurrences/{start}/attendance", "GET", "Attendance of one occurrence",
            tag="participation", response_model=AttendanceOut, auth=True)
@bp.get("/events/<int:id>/occurrences/<start>/attendance")
@token_required
def get_attendance(id: int, start: str):
    occurrence = _occurrence(id, start)
    return jsonify(ops.attendance_document(occurrence, ops.attendance_of(occurrence)))


@documented("/events/{id}/occurrences/{start}/attendance", "PUT",
            "Record the attendance of a started occurrence; quote the version last read (409 when stale)",
            tag="participation", request_model=AttendanceIn, response_model=AttendanceOut, auth=True,
            statuses=(409,))
@bp.put("/events/<int:id>/occurrences/<start>/attendance")
@token_required
def put_attendance(id: int, start: str):
    occurrence = _occurrence(id, start)
    data = json_body()
    try:
        with attempt():
            attendance = ops.record_attendance(api_user(), occurrence, data)
    except ops.AttendanceConflict:
        current = ops.attendance_document(occurrence, ops.attendance_of(occurrence))
        message = (_("Someone else saved this attendance since you read it. Read it again and send the version "
                     "it carries.") if "version" in data or current["version"] == 0
                   else _("This attendance already exists: send the version you last read."))
        response, status = error_response(409, "conflict", message, {"version": message})
        body = response.get_json()
        body["error"]["current"] = current
        return jsonify(body), status
    return jsonify(ops.attendance_document(occurrence, attendance))


# --- monthly tallies -----------------------------------------------------------------------------------


@documented("/institutions/{slug}/tallies/{month}", "GET", "Monthly tallies of an institution (month YYYY-MM)",
            tag="participation", response_model=TallyOut, auth=True, statuses=(422,))
@bp.get("/institutions/<slug>/tallies/<month>")
@token_required
def get_tallies(slug: str, month: str):
    institution = _institution(slug)
    year, number = _month(month)
    return jsonify(ops.tally_document(institution, year, number, is_year_locked(institution, year)))


@documented("/institutions/{slug}/tallies/{month}", "PUT",
            "Set monthly tallies: metrics given are set, null removes one, metrics left out stay as they are",
            tag="participation", request_model=TallyIn, response_model=TallyOut, auth=True, statuses=(409,))
@bp.put("/institutions/<slug>/tallies/<month>")
@token_required
def put_tallies(slug: str, month: str):
    institution = _institution(slug)
    year, number = _month(month)
    ops.set_tallies(api_user(), institution, year, number, json_body())
    return jsonify(ops.tally_document(institution, year, number, False))


# --- self-assessments ----------------------------------------------------------------------------------


@documented("/institutions/{slug}/assessments/{year}", "GET", "The digital-transformation self-assessment",
            tag="participation", response_model=AssessmentOut, auth=True, statuses=(422,))
@bp.get("/institutions/<slug>/assessments/<year>")
@token_required
def get_assessment(slug: str, year: str):
    institution = _institution(slug)
    year, _month = ops.check_period(year)
    return jsonify(ops.assessment_document(institution, year, is_year_locked(institution, year)))


@documented("/institutions/{slug}/assessments/{year}", "PUT",
            "Replace the self-assessment of a year (a checklist item left out is false)",
            tag="participation", request_model=AssessmentIn, response_model=AssessmentOut, auth=True,
            statuses=(409,))
@bp.put("/institutions/<slug>/assessments/<year>")
@token_required
def put_assessment(slug: str, year: str):
    institution = _institution(slug)
    year, _month = ops.check_period(year)
    ops.save_assessment(api_user(), institution, year, json_body())
    return jsonify(ops.assessment_document(institution, year, False))


# --- bulk import ---------------------------------------------------------------------------------------


@documented("/imports/{kind}", "POST",
            "Import tallies or attendance from a CSV or XLSX file (multipart field `file`): every row or none; "
            "refused rows are listed in error.rows as {row, column, reason}",
            tag="participation", response_model=ImportOut, upload="file", auth=True, statuses=(413, 422))
@bp.post("/imports/<kind>")
@token_required
def post_import(kind: str):
    if kind not in imports.KINDS:
        raise ApiError(404, "not_found", _("Import tallies or attendance."))
    request.max_content_length = imports.MAX_BYTES + 64 * 1024
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "no_file", _("Send the file as multipart/form-data in the field `file`."))
    table = imports.read_table(upload.filename or "", upload.read())
    importer = imports.import_tallies if kind == "tallies" else imports.import_attendance
    result = importer(api_user(), table)
    return jsonify({"kind": kind, "rows": result.rows, "written": result.written, "skipped": result.skipped}), 201
