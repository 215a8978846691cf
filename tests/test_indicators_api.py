"""GET /api/v1/indicators: the SPEC.md document, public, with JSON errors."""
import pytest

from calendar_app.indicators import rollup
from calendar_app.indicators.schema import IndicatorsOut
from tests.test_indicators import NOW, build


@pytest.fixture()
def province(db, monkeypatch):
    monkeypatch.setattr(rollup, "utcnow", lambda: NOW)
    return build()


def test_document_shape_and_figures(client, province):
    response = client.get("/api/v1/indicators?year=2025&area=01")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = response.get_json()
    assert set(doc) == {"year", "area", "area_level", "plan", "indicators"}
    assert (doc["year"], doc["area"], doc["area_level"]) == (2025, "01", "province")
    # a province without a plan of its own, in a tree without a country: the default plan (Phú Thọ's)
    assert doc["plan"]["number"] == "2682/KH-UBND" and doc["plan"]["area"] == "25"
    IndicatorsOut.model_validate(doc)
    assert len(doc["indicators"]) == 7
    for indicator in doc["indicators"]:
        assert set(indicator) == {"key", "unit", "rows", "areas"}
        assert [part["area"] for part in indicator["areas"]] == ["001", "002"]
        for row in indicator["rows"] + [r for part in indicator["areas"] for r in part["rows"]]:
            label = "institution" if indicator["key"] == "museum_education_programmes" else "category"
            assert set(row) == {label, "numerator", "denominator", "value", "target", "status"}
    assert doc["indicators"][0]["rows"][1] == {"category": "library_district", "numerator": 1, "denominator": 3,
                                               "value": 33.3, "target": 70, "status": "behind"}
    assert doc["indicators"][3]["rows"][1] == {"institution": "museum-a", "numerator": 2, "denominator": 1,
                                               "value": 2.0, "target": 1, "status": "on_track"}
    # the same document as the roll-up itself
    assert doc == rollup.compute(2025, province["province"], now=NOW).as_document()


def test_defaults_to_the_single_province(client, province):
    assert client.get("/api/v1/indicators?year=2025").get_json()["area"] == "01"
    assert client.get("/api/v1/indicators?year=2025&area=001").get_json()["area"] == "001"


def test_bad_year_and_unknown_area(client, province):
    for query in ("year=abc", "year=1850", "year=20255"):
        response = client.get(f"/api/v1/indicators?{query}&area=01")
        assert response.status_code == 400, query
        error = response.get_json()["error"]
        assert error["code"] == "bad_query" and "year" in error["fields"]
    response = client.get("/api/v1/indicators?year=2025&area=999")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert "999" in response.get_json()["error"]["fields"]["area"]


def test_two_provinces_need_an_area(client, db, province):
    from tests import factories as f

    f.area("02", "Tỉnh khác", "province")
    db.session.commit()
    response = client.get("/api/v1/indicators?year=2025")
    assert response.status_code == 400 and "area" in response.get_json()["error"]["fields"]


def test_listed_in_openapi(client, db):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/indicators"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IndicatorsOut"}
    assert {p["name"] for p in operation["parameters"]} == {"year", "area"}
    assert "IndicatorRowOut" in spec["components"]["schemas"]


def test_the_public_report_is_rate_limited_per_client(limited_app, province):
    client = limited_app.test_client()
    with limited_app.app_context():
        answers = [client.get("/api/v1/indicators?year=2025&area=01").status_code for _ in range(21)]
    assert answers[:20] == [200] * 20
    assert answers[20] == 429
