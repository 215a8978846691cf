"""The officers' dashboard: scope, figures, charts, drill-down, downloads and the printable report."""
import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from calendar_app.indicators import rollup
from tests import factories as f
from tests.test_indicators import NOW, build

PASSWORD = "correct horse battery"


@pytest.fixture()
def province(db, monkeypatch):
    monkeypatch.setattr(rollup, "utcnow", lambda: NOW)
    return build()


def sign_in(client, email):
    """Create the account (hashing a password is slow: only the one a test uses) and sign in with it."""
    from calendar_app.extensions import db
    from calendar_app.models import Area, Institution

    def area(code):
        return db.session.scalar(db.select(Area).where(Area.code == code))

    scope = {"admin@example.org": ("admin", {}),
             "province@example.org": ("officer", {"area": area("01")}),
             "a@example.org": ("officer", {"area": area("001")}),
             "editor@example.org": ("editor", {"institution": db.session.scalar(
                 db.select(Institution).where(Institution.slug == "lib-a"))})}
    role, fields = scope[email]
    f.user(email, role, password=PASSWORD, **fields)
    db.session.commit()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_anonymous_is_sent_to_sign_in_and_editors_are_refused(client, province):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, "editor@example.org")
    refused = client.get("/dashboard/")
    assert refused.status_code == 403 and 'href="/dashboard/"' not in refused.text  # no menu link either
    assert client.get("/dashboard/export.csv?year=2025").status_code == 403


def test_officer_of_district_a_sees_a_and_below_only(client, province):
    sign_in(client, "a@example.org")
    page = client.get("/dashboard/?year=2025&lang=en")
    assert page.status_code == 200
    assert "Indicators 2025: Huyện A" in page.text
    assert 'value="002"' not in page.text and 'value="01"' not in page.text  # the picker offers A and A1 only
    assert 'value="00101"' in page.text
    assert client.get("/dashboard/?year=2025&area=00101").status_code == 200
    for url in ("/dashboard/?year=2025&area=002", "/dashboard/?year=2025&area=01",
                "/dashboard/missing?year=2025&area=002&indicator=library_digital",
                "/dashboard/export.json?year=2025&area=002", "/dashboard/report?year=2025&area=002"):
        assert client.get(url).status_code == 403, url


def test_dashboard_shows_values_targets_statuses_and_charts(client, province):
    sign_in(client, "province@example.org")
    page = client.get("/dashboard/?year=2025&lang=en")
    assert page.status_code == 200
    text = page.text
    assert "Indicators 2025: Tỉnh Thử" in text
    assert 'href="/dashboard/" aria-current="page"' in text  # the menu link
    assert "Libraries providing lifelong-learning services" in text
    assert "33.3%" in text and "≥ 70%" in text and "Behind" in text and "No target" in text
    assert "56.3%" in text  # museum study visitors growth
    # a chart by category, by child area and over time for every indicator, drawn as inline SVG
    assert text.count('<svg class="chart bar-chart"') == 14 and text.count('<svg class="chart line-chart"') == 7
    assert "Huyện B" in text and "2023" in text
    # the CSP forbids inline script and style attributes
    assert not re.search(r"<script(?![^>]*\ssrc=)", text) and not re.search(r"\sstyle=", text)
    assert "/dashboard/missing?" in text
    for fmt in ("csv", "xlsx", "json"):
        assert f"/dashboard/export.{fmt}?year=2025&amp;area=01" in text


def test_vietnamese_numbers(client, province):
    sign_in(client, "province@example.org")
    page = client.get("/dashboard/?year=2025&lang=vi")
    assert "33,3%" in page.text


def test_missing_institutions_with_their_contacts(client, province):
    sign_in(client, "province@example.org")
    page = client.get("/dashboard/missing?year=2025&area=01&indicator=library_lifelong_services"
                      "&category=library_district&lang=en")
    assert page.status_code == 200
    assert "Lib A" in page.text and "Lib B" in page.text and "Lib B2" not in page.text
    assert "Chị Lan" in page.text and 'href="tel:0912000111"' in page.text
    assert client.get("/dashboard/missing?year=2025&area=01&indicator=nonsense").status_code == 404
    assert client.get("/dashboard/missing?year=2025&area=01&indicator=library_digital&category=museum"
                      ).status_code == 404


def test_bad_year_and_unknown_area(client, province):
    sign_in(client, "admin@example.org")
    assert client.get("/dashboard/?year=next").status_code == 400
    assert client.get("/dashboard/?year=2025&area=999").status_code == 404
    assert client.get("/dashboard/export.pdf?year=2025").status_code == 404


def test_downloads(client, province):
    sign_in(client, "province@example.org")
    response = client.get("/dashboard/export.json?year=2025&area=001")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data) == rollup.compute(2025, province["a"], now=NOW).as_document()
    response = client.get("/dashboard/export.xlsx?year=2025&area=01")
    assert response.headers["Content-Disposition"].endswith('bao-cao-chi-tieu-01-2025.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 7 and book.worksheets[0]["A2"].value == "Địa bàn: Tỉnh Thử (mã 01)"


@pytest.mark.parametrize("lang, header, district, behind", [
    ("vi", "Chỉ tiêu,Đơn vị tính,Mã địa bàn,Địa bàn,Loại hình đơn vị,Đơn vị,Số được tính,Trên tổng số,"
           "Giá trị,Chỉ tiêu năm 2025,Trạng thái", "Thư viện công cộng cấp huyện", "Chưa đạt"),
    ("en", "Indicator,Unit of measure,Area code,Area,Kind of institution,Institution,Counted,Out of,Value,"
           "Target for 2025,Status", "District library", "Behind"),
])
def test_the_dashboard_csv_is_for_people_in_the_page_language(client, province, lang, header, district, behind):
    """Issue 13: UTF-8 with a byte-order mark (Excel on a Vietnamese PC reads the accents), words not keys."""
    sign_in(client, "province@example.org")
    client.get(f"/?lang={lang}")
    response = client.get("/dashboard/export.csv?year=2025&area=01")
    assert response.mimetype == "text/csv"
    assert response.data[:3] == b"\xef\xbb\xbf"
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == header
    rows = list(csv.reader(io.StringIO(text)))
    line = next(row for row in rows if row[2] == "01" and row[4] == district and row[8] == "33.3")
    assert (line[6], line[7], line[9], line[10]) == ("1", "3", "70", behind)
    for key in ("library_district", "on_track", "behind", "library_lifelong_services"):
        assert key not in text


def test_the_same_words_on_the_dashboard_the_report_and_the_xlsx(client, province):
    """One vocabulary: the category and status names of the Vietnamese dashboard are those of the printed
    report and of the XLSX (the plan's own: "Thư viện cơ sở giáo dục", "Đạt / Chưa đạt")."""
    sign_in(client, "province@example.org")
    client.get("/?lang=vi")
    dashboard = client.get("/dashboard/?year=2025&area=01").text
    report = client.get("/dashboard/report?year=2025&area=01").text
    book = load_workbook(io.BytesIO(client.get("/dashboard/export.xlsx?year=2025&area=01").data))
    cells = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
    for words in ("Thư viện công cộng cấp huyện", "Chưa đạt"):
        assert words in dashboard and words in report and words in cells
    for old in ("Thư viện trường học", "Chậm tiến độ", "Đạt tiến độ", "Không có mục tiêu"):
        assert old not in dashboard and old not in report and old not in cells


def test_printable_report_in_vietnamese(client, province):
    sign_in(client, "province@example.org")
    page = client.get("/dashboard/report?year=2025&area=01&lang=en")
    assert page.status_code == 200
    assert "<title>Báo cáo kết quả thực hiện Kế hoạch" in page.text and "năm 2025</title>" in page.text
    assert "BÁO CÁO" in page.text and "Chưa đạt" in page.text and "33,3%" in page.text
    assert "dashboard.css" in page.text and not re.search(r"\sstyle=", page.text)
