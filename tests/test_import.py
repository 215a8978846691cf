"""Bulk import of tallies and attendance from CSV and XLSX: every row or none, each refusal named."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from calendar_app.events.operations import find_occurrence
from calendar_app.models import Attendance, MonthlyTally
from calendar_app.participation import imports
from calendar_app.participation import operations as ops
from tests import factories as f
from tests.participation_fixtures import (  # noqa: F401
    bearer,
    count,
    frozen_fixture,
    login,
    snapshot,
    world_fixture,
)
from tests.test_indicator_facts import assert_in_step as assert_facts_in_step


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_tallies_from_csv(db, world):
    content = ("\ufeffinstitution;year;month;library_visits;library_online_visits\n"
               "thu-vien;2025;1;1200;300\n"
               "thu-vien;2025;2;1 300;\n"
               ";;;;\n"
               "thu-vien;2025;3;;\n").encode()
    result = imports.import_tallies(world["users"]["editor"], imports.read_table("tallies.csv", content))
    db.session.commit()
    assert (result.rows, result.written, result.skipped) == (3, 2, 1)
    assert ops.tallies_of(world["lib"], 2025) == {(1, "library_visits"): 1200, (1, "library_online_visits"): 300,
                                                 (2, "library_visits"): 1300}


def test_tallies_from_xlsx_and_empty_cells_leave_figures_alone(db, world):
    editor = world["users"]["editor"]
    ops.set_tallies(editor, world["lib"], 2025, 2, {"library_online_visits": 77})
    db.session.commit()
    content = xlsx([["institution", "year", "month", "library_visits", "library_online_visits"],
                    ["thu-vien", 2025, 1, 1200, 300], ["thu-vien", 2025.0, 2.0, 1300.0, None],
                    ["thu-vien", 2025, 3, None, None]])
    result = imports.import_tallies(editor, imports.read_table("tallies.xlsx", content))
    db.session.commit()
    assert (result.rows, result.written, result.skipped) == (3, 2, 1)
    assert ops.tallies_of(world["lib"], 2025) == {(1, "library_visits"): 1200, (1, "library_online_visits"): 300,
                                                 (2, "library_visits"): 1300, (2, "library_online_visits"): 77}


def test_one_bad_row_refuses_the_whole_file_and_names_every_problem(db, world):
    content = (b"institution,year,month,library_visits,museum_visitors\n"
               b"thu-vien,2025,1,1200,\n"
               b"thu-vien,2025,13,5,\n"
               b"thu-vien,2025,2,-4,\n"
               b"thu-vien,2025,3,12.5,abc\n"
               b"bao-tang,2025,1,,900\n"
               b"khong-co,2025,1,1,\n"
               b"thu-vien,2025,1,7,\n")
    before = snapshot(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_tallies(world["users"]["editor"], imports.read_table("t.csv", content))
    db.session.rollback()
    problems = {(e.row, e.column) for e in refused.value.errors}
    assert problems == {(3, "month"), (4, "library_visits"), (5, "library_visits"), (5, "museum_visitors"),
                        (6, "institution"), (7, "institution"), (8, "month")}
    reasons = {(e.row, e.column): e.reason for e in refused.value.errors}
    assert "1 to 12" in reasons[(3, "month")] and "row 2" in reasons[(8, "month")]
    assert snapshot(db) == before  # row 2 was fine, and is not kept either


def test_unknown_and_missing_columns(db, world):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_tallies(world["users"]["editor"], imports.read_table(
            "t.csv", b"institution,year,library_visits,book_loans\nthu-vien,2025,1,2\n"))
    assert {(e.row, e.column) for e in refused.value.errors} == {(1, "book_loans"), (1, "month")}
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_attendance(world["users"]["editor"], imports.read_table(
            "a.csv", f"event,occurrence,total,martians\n{world['club'].id},2025-10-01T09:00,-3,1\n".encode()))
    # an unknown column does not hide the problems of the rows
    assert [(e.row, e.column) for e in refused.value.errors] == [(1, "martians"), (2, "total")]


@pytest.mark.parametrize("name, content, reason", [
    ("t.pdf", b"%PDF", "Upload a .csv or .xlsx file"),
    ("t.xlsx", b"not a zip", "not a readable .xlsx"),
    ("t.csv", "tháng".encode("utf-16"), "UTF-8"),
    ("t.csv", b"", "empty"),
])
def test_unreadable_files(db, world, name, content, reason):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table(name, content)
    assert reason in refused.value.errors[0].reason


def test_attendance_import_records_and_overwrites(db, world):
    editor, club = world["users"]["editor"], world["club"]
    ops.record_attendance(editor, find_occurrence(club, "2025-09-24T09:00"), {"total": 5})
    db.session.commit()
    content = xlsx([
        ["institution", "event", "occurrence", "title", "total", "onsite", "online", "pupils", "youth"],
        ["thu-vien", club.id, "2025-09-24T09:00", "Câu lạc bộ", 30, 30, 0, 20, 5],
        ["", club.id, "2025-10-01T09:00", "", 12, None, None, None, None],
        ["thu-vien", club.id, "2025-10-08T09:00", "no figures yet", None, None, None, None, None],
    ])
    result = imports.import_attendance(editor, imports.read_table("a.xlsx", content))
    db.session.commit()
    assert (result.written, result.skipped) == (2, 1)
    first = ops.attendance_of(find_occurrence(club, "2025-09-24T09:00"))
    assert (first.total, first.online, first.audiences, first.version) == (30, 0, {"pupils": 20, "youth": 5}, 2)
    assert ops.attendance_of(find_occurrence(club, "2025-10-01T09:00")).total == 12


def test_attendance_import_refusals(db, world):
    club, museum_visit = world["club"], world["museum_visit"]
    fine = f.activity(world["lib"], "Triển lãm", start="2025-10-05T09:00")
    db.session.commit()
    content = (
        "event,occurrence,total,onsite,online,pupils\n"
        f"{club.id},2025-09-24T09:00,10,6,3,\n"        # onsite + online != total
        f"{club.id},2025-10-15T09:00,10,,,\n"          # has not started
        f"{club.id},2025-10-02T09:00,10,,,\n"          # no such occurrence
        f"{museum_visit.id},2025-10-01T09:00,10,,,\n"  # another institution's
        "abc,2025-10-01T09:00,10,,,\n"                 # no such activity
        f"{club.id},2025-10-01T09:00,10,,,11\n"        # audience above total
        f"{club.id},2025-10-08T09:00,ten,,,\n"         # not a number
        f"{club.id},2025-10-08T09:00,4,,,\n"           # the same occurrence again
        f"{fine.id},2025-10-05T09:00,4,,,\n"           # fine, but the file is refused as a whole
    ).encode()
    before = snapshot(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_attendance(world["users"]["editor"], imports.read_table("a.csv", content))
    db.session.rollback()
    assert [(e.row, e.column) for e in refused.value.errors] == [
        (2, "online"), (3, "occurrence"), (4, "occurrence"), (5, "event"), (6, "event"), (7, "audiences"),
        (8, "total"), (9, "occurrence")]
    assert "row 8" in refused.value.errors[-1].reason
    assert snapshot(db) == before


def test_templates_round_trip(db, world, client):
    editor = world["users"]["editor"]
    ops.set_tallies(editor, world["lib"], 2025, 4, {"library_visits": 44})
    db.session.commit()
    login(client, "ed@example.org")
    response = client.get("/participation/import/template-tallies.xlsx?year=2025")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == imports.TALLY_COLUMNS and len(rows) == 13  # only the editor's institution
    assert rows[4][:4] == ("thu-vien", 2025, 4, 44)
    csv_template = client.get("/participation/import/template-attendance.csv")
    assert csv_template.data.startswith("\ufeff".encode())
    lines = csv_template.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("institution,event,occurrence,title,total")
    assert len(lines) == 4 and lines[3].startswith(f"thu-vien,{world['club'].id},2025-10-08T09:00,Câu lạc bộ")
    # filled in and sent back unchanged except for the totals
    filled = "\n".join([lines[0]] + [line.replace(",Câu lạc bộ đọc sách,", ",Câu lạc bộ đọc sách,7")
                                     for line in lines[1:]]).encode("utf-8-sig")
    upload = client.post("/participation/import", data={"kind": "attendance", "file": (io.BytesIO(filled), "a.csv")})
    assert upload.status_code == 302
    assert count(db, Attendance) == 3
    assert client.get("/participation/import/template-other.csv").status_code == 404


def test_the_import_page_lists_every_refused_row(db, world, client):
    login(client, "ed@example.org")
    content = b"institution,year,month,library_visits\nthu-vien,2025,1,10\nthu-vien,2025,14,5\n"
    response = client.post("/participation/import?lang=en",
                           data={"kind": "tallies", "file": (io.BytesIO(content), "t.csv")})
    assert response.status_code == 422
    assert "Nothing was imported" in response.text
    assert "<tr><td>3</td><td><code>month</code></td><td>Enter a month from 1 to 12.</td></tr>" in response.text
    assert count(db, MonthlyTally) == 0
    missing = client.post("/participation/import?lang=en", data={"kind": "tallies"})
    assert missing.status_code == 422 and "Choose the file to import." in missing.text


def test_the_import_api(db, world, client):
    good = b"institution,year,month,library_visits\nthu-vien,2025,1,10\n"
    bad = b"institution,year,month,library_visits\nthu-vien,2025,1,10\nthu-vien,2025,0,5\n"
    headers = bearer(world, "editor")
    response = client.post("/api/v1/imports/tallies", data={"file": (io.BytesIO(bad), "t.csv")}, headers=headers)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "import_refused"
    assert [(r["row"], r["column"]) for r in error["rows"]] == [(3, "month")]
    assert error["fields"] == {"row 3: month": error["rows"][0]["reason"]}
    assert count(db, MonthlyTally) == 0
    response = client.post("/api/v1/imports/tallies", data={"file": (io.BytesIO(good), "t.csv")}, headers=headers)
    assert response.status_code == 201 and response.json == {"kind": "tallies", "rows": 1, "written": 1,
                                                              "skipped": 0}
    assert client.post("/api/v1/imports/tallies", data={}, headers=headers).status_code == 400
    assert client.post("/api/v1/imports/budgets", data={"file": (io.BytesIO(good), "t.csv")},
                       headers=headers).status_code == 404
    outsider = client.post("/api/v1/imports/tallies", data={"file": (io.BytesIO(good), "t.csv")},
                           headers=bearer(world, "outsider"))
    assert outsider.status_code == 422 and outsider.json["error"]["rows"][0]["column"] == "institution"


def _statements(db, work) -> int:
    """How many statements (an executemany counts once) `work` and its commit send to the database, but for
    those sent per record by design: the versioned UPDATE of an attendance (the optimistic lock checks each
    row's count) and, on SQLite, each new row's INSERT (it cannot match RETURNING rows to a batch's)."""
    from sqlalchemy import event

    per_row = ("UPDATE ATTENDANCES ", "INSERT") if db.engine.dialect.name == "sqlite" else ("UPDATE ATTENDANCES ",)
    sent = []

    def count_one(_connection, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(per_row):
            sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count_one)
    try:
        work()
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count_one)
    return len(sent)


def test_an_attendance_import_sends_as_many_statements_for_many_rows_as_for_few(db, world):
    """What an import reads and writes is read and written in bulk, and the facts of each month touched are
    refreshed once: over the same months, twenty times the rows take no more statements."""
    editor = world["users"]["editor"]
    daily = f.activity(world["lib"], "Đọc sách mỗi ngày", start="2025-07-01T09:00", rrule="FREQ=DAILY;COUNT=90",
                       audiences=("youth",))
    db.session.commit()
    keys = [ops.occurrence_key(o.original_start, False) for o in daily.occurrences]
    few_rows, many_rows = [0, 40, 80], [n for n in range(90) if n not in (0, 40, 80)][:60]  # July to September

    def importing(picked: list[int], total: int):
        lines = ["event,occurrence,total,onsite,online,youth"]
        lines += [f"{daily.id},{keys[n]},{total},{total - 2},2,3" for n in picked]
        table = imports.read_table("attendance.csv", "\n".join(lines).encode())
        return lambda: imports.import_attendance(editor, table)

    few, many = _statements(db, importing(few_rows, 20)), _statements(db, importing(many_rows, 20))
    assert many <= few, (few, many)
    # replacing figures
    few_again, many_again = _statements(db, importing(few_rows, 30)), _statements(db, importing(many_rows, 30))
    assert many_again <= few_again, (few_again, many_again)
    assert count(db, Attendance) == 63
    db.session.expire_all()
    assert {(a.total, a.version) for a in db.session.query(Attendance)} == {(30, 2)}
    assert_facts_in_step()
