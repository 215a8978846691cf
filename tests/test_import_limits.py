"""Imports are bounded before they are read: the zip's directory, streamed rows, a time budget (issue 11)."""
import io
import zipfile

import pytest
from openpyxl import Workbook

from calendar_app.models import MonthlyTally
from calendar_app.participation import imports
from tests.participation_fixtures import (  # noqa: F401
    bearer,
    count,
    frozen_fixture,
    login,
    world_fixture,
)

SHEET = "xl/worksheets/sheet1.xml"
SHEET_START = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
               b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
SHEET_END = b"</sheetData></worksheet>"
HEADER = ("institution", "year", "month", "library_visits")


def workbook_with_sheet(write_sheet) -> bytes:
    """A real workbook from openpyxl whose first sheet's XML is replaced by what `write_sheet(out)` writes."""
    book = Workbook()
    book.active.append(HEADER)
    original = io.BytesIO()
    book.save(original)
    source = zipfile.ZipFile(io.BytesIO(original.getvalue()))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename == SHEET:
                with archive.open(SHEET, "w") as out:
                    write_sheet(out)
            else:
                archive.writestr(info, source.read(info.filename))
    return packed.getvalue()


def header_row() -> bytes:
    cells = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % name.encode() for name in HEADER)
    return b'<row r="1">' + cells + b"</row>"


def figures_row(number: int) -> bytes:
    """Row `number`: thu-vien's library visits of one month of 2025."""
    return (b'<row r="%d"><c t="inlineStr"><is><t>thu-vien</t></is></c><c><v>2025</v></c><c><v>%d</v></c>'
            b"<c><v>%d</v></c></row>" % (number, number % 12 + 1, number))


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """3,000,000 empty-ish rows: about 190 KB packed, 78 MB of sheet XML unpacked (the issue's file)."""

    def write(out):
        out.write(SHEET_START + header_row())
        chunk = b"<row><c><v>1</v></c></row>" * 100_000
        for _ in range(30):
            out.write(chunk)
        out.write(SHEET_END)

    return workbook_with_sheet(write)


@pytest.fixture()
def no_openpyxl(monkeypatch):
    """Fail the test if the file reaches openpyxl: the refusal must come before any parsing."""

    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(imports, "load_workbook", refuse)


def test_the_bomb_is_small_packed_and_huge_unpacked(bomb):
    sheet = zipfile.ZipFile(io.BytesIO(bomb)).getinfo(SHEET)
    assert len(bomb) < 250_000 and sheet.file_size > 3_000_000 * 25


def test_an_xlsx_bomb_is_refused_from_the_zip_directory(db, world, bomb, no_openpyxl):
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("bomb.xlsx", bomb)
    assert refused.value.status == 413
    assert "unpacks to far more than a sheet of figures" in refused.value.errors[0].reason


def test_the_api_answers_413_to_the_bomb_before_parsing_it(db, world, client, bomb, no_openpyxl):
    response = client.post("/api/v1/imports/tallies?lang=en", data={"file": (io.BytesIO(bomb), "bomb.xlsx")},
                           headers=bearer(world, "editor"))
    assert response.status_code == 413
    error = response.json["error"]
    assert error["code"] == "import_refused" and "unpacks to far more" in error["rows"][0]["reason"]
    assert count(db, MonthlyTally) == 0


def test_the_import_page_answers_413_with_the_reason(db, world, client, bomb, no_openpyxl):
    login(client, "ed@example.org")
    response = client.post("/participation/import?lang=en",
                           data={"kind": "tallies", "file": (io.BytesIO(bomb), "bomb.xlsx")})
    assert response.status_code == 413
    assert "unpacks to far more than a sheet of figures" in response.text


def test_a_part_that_packs_too_tightly_is_refused(db, world, no_openpyxl):
    # 2 MB of sheet XML (under the per-part cap) that packs several hundredfold
    content = workbook_with_sheet(lambda out: out.write(
        SHEET_START + header_row() + b"<row><c><v>1</v></c></row>" * 80_000 + SHEET_END))
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.xlsx", content)
    assert refused.value.status == 413 and "unpacks" in refused.value.errors[0].reason


def replace_part(content: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, data if info.filename == name else source.read(info.filename))
        if name not in source.namelist():
            archive.writestr(name, data)
    return packed.getvalue()


@pytest.mark.parametrize("name, markup", [
    # styles are parsed into objects when the workbook opens: 20,000 fonts take about half a second
    ("xl/styles.xml", b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts>'
                      + b"".join(b'<font><sz val="%d"/></font>' % (n * 7919 % 100_003) for n in range(20_000))
                      + b"</fonts></styleSheet>"),
    # shared strings cost about 13 µs each
    ("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             + b"".join(b"<si><t>%d</t></si>" % (n * 7919 % 100_003) for n in range(40_000))
                             + b"</sst>"),
])
def test_markup_openpyxl_would_parse_on_opening_is_bounded(db, world, no_openpyxl, name, markup):
    content = replace_part(workbook_with_sheet(lambda out: out.write(SHEET_START + header_row() + SHEET_END)),
                           name, markup)
    assert len(content) < 400_000  # small and not packed tightly: only the markup count catches it
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.xlsx", content)
    assert refused.value.status == 413 and "unpacks to far more" in refused.value.errors[0].reason


def test_reading_stops_at_the_row_cap_while_streaming(db, world, monkeypatch):
    """Rows past the cap are never parsed: the sheet breaks off in malformed XML after row 3,000, and the
    file is refused for its number of rows, not as unreadable (nor with a parse error)."""
    monkeypatch.setattr(imports, "MAX_ROWS", 10)

    def write(out):
        # the size every spreadsheet program writes first (without it openpyxl reads the whole sheet to find it)
        out.write(SHEET_START.replace(b"<sheetData>", b'<dimension ref="A1:D3000"/><sheetData>'))
        out.write(header_row() + b"".join(figures_row(n) for n in range(2, 3001)))
        out.write(b"<row><c><v>1</v></c>&&& not xml <<<")

    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.xlsx", workbook_with_sheet(write))
    assert refused.value.status == 413
    assert refused.value.errors[0].reason == "At most 10 rows per file."


def test_empty_rows_count_towards_the_sheet_cap(db, world):
    content = workbook_with_sheet(lambda out: out.write(
        SHEET_START + header_row() + figures_row(2) + b"<row/>" * (imports.MAX_SHEET_ROWS + 10) + SHEET_END))
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.xlsx", content)
    assert refused.value.status == 413
    assert f"more than {imports.MAX_SHEET_ROWS} rows, empty ones included" in refused.value.errors[0].reason


def test_a_csv_stops_at_the_row_cap_too(db, world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 10)
    lines = ["institution,year,month,library_visits"] + [f"thu-vien,2025,1,{n}" for n in range(20)]
    # a field longer than the csv module accepts, after the cap: never reached
    content = ("\n".join(lines) + '\n"' + "x" * 200_000 + '"\n').encode()
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.csv", content)
    assert refused.value.status == 413 and refused.value.errors[0].reason == "At most 10 rows per file."


def test_a_csv_field_beyond_the_csv_limit_is_unreadable_not_a_crash(db, world):
    content = ('institution,year,month,library_visits\n"' + "x" * 200_000 + '",2025,1,1\n').encode()
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.csv", content)
    assert "not a readable CSV" in refused.value.errors[0].reason


def test_a_malformed_sheet_is_unreadable_not_a_crash(db, world):
    content = workbook_with_sheet(lambda out: out.write(SHEET_START + header_row() + b"<row><c><v>1</v>"))
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.xlsx", content)
    assert refused.value.status == 422 and "not a readable .xlsx" in refused.value.errors[0].reason


def test_cells_the_database_cannot_store_are_refused(db, world):
    content = b"institution,year,month,library_visits\nthu-\x00vien,2025,1,5\nthu-vien,2025,2,\x00\n"
    with pytest.raises(imports.ImportRefused) as refused:
        imports.read_table("t.csv", content)
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "institution"), (3, "library_visits")]
    assert "cannot be stored" in refused.value.errors[0].reason


@pytest.mark.parametrize("event", ["2147483648", "99999999999999999999", "-1", "1e400"])
def test_an_activity_number_beyond_the_id_column_is_a_row_error(db, world, event):
    content = f"event,occurrence,total\n{event},2025-10-01T09:00,5\n".encode()
    with pytest.raises(imports.ImportRefused) as refused:
        imports.import_attendance(world["users"]["editor"], imports.read_table("a.csv", content))
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "event")]


def test_a_file_that_takes_too_long_is_refused(db, world, client, monkeypatch):
    monkeypatch.setattr(imports, "MAX_SECONDS", -1)  # already spent when the first row is read
    content = b"institution,year,month,library_visits\nthu-vien,2025,1,10\n"
    response = client.post("/api/v1/imports/tallies?lang=en", data={"file": (io.BytesIO(content), "t.csv")},
                           headers=bearer(world, "editor"))
    assert response.status_code == 413
    assert "took more than -1 seconds" in response.json["error"]["rows"][0]["reason"]
    assert count(db, MonthlyTally) == 0


def test_an_ordinary_workbook_still_imports(db, world, client):
    content = workbook_with_sheet(lambda out: out.write(
        SHEET_START + header_row() + b"".join(figures_row(n) for n in range(2, 5)) + SHEET_END))
    response = client.post("/api/v1/imports/tallies", data={"file": (io.BytesIO(content), "t.xlsx")},
                           headers=bearer(world, "editor"))
    assert response.status_code == 201, response.json
    assert response.json["rows"] == 3
