"""`flask report` in its three formats, on the hand-worked province of tests/test_indicators.py."""
import csv
import io
import json

import pytest
from openpyxl import load_workbook

from calendar_app.indicators import rollup
from tests.test_indicators import NOW, build


@pytest.fixture()
def province(db, monkeypatch):
    monkeypatch.setattr(rollup, "utcnow", lambda: NOW)
    return build()


def test_json_is_the_api_document(runner, client, province, tmp_path):
    out = tmp_path / "report.json"
    result = runner.invoke(args=["report", "--year", "2025", "--area", "01", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document == client.get("/api/v1/indicators?year=2025&area=01").get_json()
    assert document["indicators"][0]["rows"][1]["value"] == 33.3


def test_json_to_stdout_and_default_area(runner, province):
    result = runner.invoke(args=["report", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["area"] == "01"


def test_csv_has_a_line_per_row(runner, province, tmp_path):
    out = tmp_path / "report.csv"
    result = runner.invoke(args=["report", "--year", "2025", "--area", "01", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    district = next(line for line in lines if line["indicator"] == "library_lifelong_services"
                    and line["area"] == "01" and line["category"] == "library_district")
    assert (district["numerator"], district["denominator"], district["value"], district["target"],
            district["status"]) == ("1", "3", "33.3", "70", "behind")
    museum_b = next(line for line in lines if line["institution"] == "memorial-b" and line["area"] == "002")
    assert museum_b["institution_name"] == "Memorial B" and museum_b["status"] == "no_target"
    growth = next(line for line in lines if line["indicator"] == "library_users_growth" and line["area"] == "002")
    assert (growth["area_name"], growth["value"]) == ("Huyện B", "-45.0")
    document_rows = sum(len(i["rows"]) + sum(len(a["rows"]) for a in i["areas"])
                        for i in rollup.compute(2025, province["province"], now=NOW).as_document()["indicators"])
    assert len(lines) == document_rows


def test_csv_with_labels_is_for_people(runner, province, tmp_path):
    out = tmp_path / "report.csv"
    result = runner.invoke(args=["report", "--year", "2025", "--area", "01", "--format", "csv", "--labels",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "Chỉ tiêu,Đơn vị tính,Mã địa bàn".encode())
    assert "Thư viện công cộng cấp huyện" in data.decode("utf-8-sig") and b"library_district" not in data
    # the machine form stays the default and keyed
    assert runner.invoke(args=["report", "--year", "2025", "--format", "csv"]).stdout.startswith("indicator,unit")
    refused = runner.invoke(args=["report", "--year", "2025", "--format", "json", "--labels"])
    assert refused.exit_code == 2 and "--labels goes with --format csv" in refused.output


def test_xlsx_for_officers(runner, province, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(args=["report", "--year", "2025", "--area", "01", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert len(book.sheetnames) == 7
    sheet = book["TV học tập suốt đời"]
    assert sheet["A1"].value.startswith("Báo cáo kết quả thực hiện Kế hoạch") and sheet["A1"].value.endswith("năm 2025")
    assert sheet["A2"].value == "Địa bàn: Tỉnh Thử (mã 01)"
    assert sheet["A3"].value.startswith("Ngày lập: ")
    assert [c.value for c in sheet[6]] == ["Địa bàn", "Loại thiết chế", "Tử số", "Mẫu số", "Kết quả (%)",
                                           "Chỉ tiêu (%)", "Đánh giá"]
    assert [c.value for c in sheet[8]] == ["Tỉnh Thử", "Thư viện công cộng cấp huyện", 1, 3, 33.3, 70, "Chưa đạt"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=7)]
    assert ["Huyện B", "Thư viện cộng đồng", 1, 1, 100, None, "Không có chỉ tiêu"] in rows
    museums = [[c.value for c in row] for row in book["Chương trình bảo tàng"].iter_rows(min_row=7)]
    assert museums[0] == ["Tỉnh Thử", "Memorial B", "Nhà lưu niệm, nhà truyền thống", 1, None, "Không có chỉ tiêu"]
    assert ["Huyện A", "Museum A", "Bảo tàng", 2, 1, "Đạt"] in museums
    growth = book["Tăng người dùng TV"]
    assert [c.value for c in growth[6]][2:4] == ["Năm báo cáo 2025", "Năm trước 2024"]
    assert [c.value for c in growth[7]] == ["Tỉnh Thử", "Tất cả thư viện", 427, 340, 25.6, 10, "Đạt"]


def test_range_targets_read_as_ranges(runner, province, tmp_path):
    out = tmp_path / "report.xlsx"
    runner.invoke(args=["report", "--year", "2027", "--format", "xlsx", "-o", str(out)])
    growth = load_workbook(out)["Tăng người dùng TV"]
    assert growth["F7"].value == "10–15"


def test_refuses_bad_year_and_unknown_area(runner, province):
    result = runner.invoke(args=["report", "--year", "soon", "--format", "csv"])
    assert result.exit_code == 2 and "--year" in result.output
    result = runner.invoke(args=["report", "--year", "2025", "--area", "999", "--format", "csv"])
    assert result.exit_code == 2 and "999" in result.output
