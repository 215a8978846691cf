"""The JSON API for areas and institutions."""
# ruff: noqa: F811  (pytest fixtures imported from tests.api_helpers are redefined as arguments)
import pytest
from sqlalchemy import select

from calendar_app.models import Area, AuditEntry, Institution
from tests.api_helpers import api, snapshot, world  # noqa: F401  (fixtures)

COMMUNE = {"code": "07903", "name": "Phường Tiên Cát", "level": "commune", "parent": "227"}
MUSEUM = {"slug": "bao-tang-hung-vuong", "name": "Bảo tàng Hùng Vương", "category": "museum", "area": "227",
          "address": "Đường Trần Phú, Việt Trì", "contact_email": "bthv@example.org", "latitude": 21.32,
          "longitude": 105.4}

EVERYONE_ELSE = [("officer", 403), ("editor", 403), (None, 401), ("revoked", 401)]


# --- areas ---------------------------------------------------------------------------------------------


def test_areas_are_listed_and_read_by_code(db, api):
    listed = api.get("/areas")
    assert listed.status_code == 200 and listed.json["next"] is None
    assert [a["code"] for a in listed.json["items"]] == ["07900", "227", "230", "25"]
    assert api.get("/areas/227").json == {"id": db.session.scalar(select(Area.id).where(Area.code == "227")),
                                          "code": "227", "name": "Việt Trì", "level": "district",
                                          "parent": "25", "valid_from": None, "valid_to": None,
                                          "latitude": None, "longitude": None, "successors": []}
    assert [a["code"] for a in api.get("/areas?parent=25").json["items"]] == ["227", "230"]
    assert [a["code"] for a in api.get("/areas?level=commune").json["items"]] == ["07900"]
    missing = api.get("/areas/999")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("query, field", [("?parent=999", "parent"), ("?level=county", "level")])
def test_bad_area_filters_are_400(db, api, query, field):
    response = api.get(f"/areas{query}")
    assert response.status_code == 400 and field in response.json["error"]["fields"]


def test_admin_adds_an_area(db, api):
    response = api.post("/areas", COMMUNE, as_="admin")
    assert response.status_code == 201
    assert response.json["code"] == "07903" and response.json["parent"] == "227"
    assert response.headers["Location"].endswith("/api/v1/areas/07903")
    assert api.get("/areas/07903").json == response.json
    # the new commune is inside its district's subtree at once
    assert "07903" in [a["code"] for a in api.get("/areas?parent=227").json["items"]]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.entity_type == "area")) == "create"


@pytest.mark.parametrize("who, status", EVERYONE_ELSE)
def test_only_admins_add_areas(db, api, who, status):
    before = snapshot(db)
    response = api.post("/areas", COMMUNE, as_=who)
    assert response.status_code == status and response.json["error"]["code"]
    assert snapshot(db) == before


@pytest.mark.parametrize("change, field", [
    ({"code": "227"}, "code"), ({"code": "07 903"}, "code"), ({"code": ""}, "code"),
    ({"parent": "999"}, "parent"), ({"parent": None}, "parent"), ({"level": "county"}, "level"),
    ({"name": ""}, "name"), ({"name": "x" * 201}, "name"), ({"valid_from": "2025-02-30"}, "valid_from"),
    ({"valid_from": "2025-07-01", "valid_to": "2025-01-01"}, "valid_to"), ({"population": 1}, "population"),
])
def test_bad_areas_are_422(db, api, change, field):
    before = snapshot(db)
    response = api.post("/areas", {**COMMUNE, **change}, as_="admin")
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert snapshot(db) == before


# --- institutions --------------------------------------------------------------------------------------


def test_institutions_are_listed_with_filters(db, api):
    def slugs(query=""):
        response = api.get(f"/institutions{query}")
        assert response.status_code == 200
        return [i["slug"] for i in response.json["items"]]

    assert slugs() == ["bao-tang-doan-hung", "nvh-gia-cam", "thu-vien-viet-tri"]
    assert slugs("?area=227") == ["nvh-gia-cam", "thu-vien-viet-tri"]  # the commune is in the district
    assert slugs("?area=07900") == ["nvh-gia-cam"]
    assert slugs("?category=museum") == ["bao-tang-doan-hung"]
    assert slugs("?area=25&category=library_district") == ["thu-vien-viet-tri"]
    page = api.get("/institutions?limit=2").json
    assert len(page["items"]) == 2 and "offset=2" in page["next"]
    assert [i["slug"] for i in api.get(page["next"]).json["items"]] == ["thu-vien-viet-tri"]
    one = api.get("/institutions/nvh-gia-cam").json
    assert (one["name"], one["category"], one["area"], one["active"]) == (
        "Nhà văn hóa Gia Cẩm", "culture_centre_commune", "07900", True)
    assert api.get("/institutions/nope").status_code == 404


@pytest.mark.parametrize("query, field", [("?area=999", "area"), ("?category=zoo", "category"),
                                          ("?offset=-x", None)])
def test_bad_institution_filters_are_400(db, api, query, field):
    response = api.get(f"/institutions{query}")
    assert response.status_code == 400
    assert field is None or field in response.json["error"]["fields"]


def test_admin_adds_an_institution(db, api):
    response = api.post("/institutions", MUSEUM, as_="admin")
    assert response.status_code == 201, response.json
    assert response.headers["Location"].endswith("/api/v1/institutions/bao-tang-hung-vuong")
    assert api.get("/institutions/bao-tang-hung-vuong").json == response.json
    assert (response.json["latitude"], response.json["contact_email"]) == (21.32, "bthv@example.org")


@pytest.mark.parametrize("who, status", EVERYONE_ELSE)
def test_only_admins_add_institutions(db, api, who, status):
    before = snapshot(db)
    assert api.post("/institutions", MUSEUM, as_=who).status_code == status
    assert snapshot(db) == before


@pytest.mark.parametrize("change, field", [
    ({"slug": "thu-vien-viet-tri"}, "slug"), ({"slug": "Bảo Tàng"}, "slug"), ({"category": "zoo"}, "category"),
    ({"area": "999"}, "area"), ({"name": ""}, "name"), ({"contact_email": "not-an-address"}, "contact_email"),
    ({"website": "ftp://x"}, "website"), ({"latitude": 91}, "latitude"), ({"description": "x" * 5001}, "description"),
    ({"opening_hours": "8-17"}, "opening_hours"),
])
def test_bad_institutions_are_422(db, api, change, field):
    before = snapshot(db)
    response = api.post("/institutions", {**MUSEUM, **change}, as_="admin")
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert snapshot(db) == before


@pytest.mark.parametrize("who, status", [
    ("admin", 200), ("editor", 200), ("officer", 403), ("officer_out", 404), ("editor_out", 404),
    (None, 401), ("revoked", 401),
])
def test_patch_institution_obeys_scope(db, api, who, status):
    before = snapshot(db)
    response = api.patch("/institutions/thu-vien-viet-tri", {"contact_phone": "0210 3846 123"}, as_=who)
    assert response.status_code == status
    if status == 200:
        assert response.json["contact_phone"] == "0210 3846 123"
        assert db.session.scalar(select(AuditEntry.changes).where(AuditEntry.entity_type == "institution")) == {
            "contact_phone": [None, "0210 3846 123"]}
    else:
        assert snapshot(db) == before


def test_editor_changes_details_but_not_identity(db, api):
    before = snapshot(db)
    response = api.patch("/institutions/thu-vien-viet-tri", {"category": "museum"}, as_="editor")
    assert response.status_code == 422 and "category" in response.json["error"]["fields"]
    assert snapshot(db) == before


def test_admin_renames_and_moves_an_institution(db, api):
    response = api.patch("/institutions/thu-vien-viet-tri", {"slug": "thu-vien-tinh", "area": "25",
                                                             "category": "library_provincial"}, as_="admin")
    assert response.status_code == 200
    assert (response.json["slug"], response.json["area"]) == ("thu-vien-tinh", "25")
    assert api.get("/institutions/thu-vien-viet-tri").status_code == 404
    assert db.session.scalar(select(Institution.category).where(Institution.slug == "thu-vien-tinh")) == \
        "library_provincial"


@pytest.mark.parametrize("change, field", [
    ({"slug": "bao-tang-doan-hung"}, "slug"), ({"area": "999"}, "area"), ({"category": "zoo"}, "category"),
    ({"active": None}, "active"), ({"name": None}, None), ({"website": "javascript:x"}, "website"),
])
def test_bad_institution_patch_changes_nothing(db, api, change, field):
    before = snapshot(db)
    response = api.patch("/institutions/thu-vien-viet-tri", change, as_="admin")
    if field is None:  # null for a required field leaves it as it was
        assert response.status_code == 200 and response.json["name"] == "Thư viện Việt Trì"
        return
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    assert snapshot(db) == before


def test_malformed_json_on_place_writes(db, api):
    before = snapshot(db)
    for method, path in (("POST", "/areas"), ("POST", "/institutions"), ("PATCH", "/institutions/nvh-gia-cam")):
        response = api.request(method, path, as_="admin", raw="{nope")
        assert response.status_code == 400 and response.json["error"]["code"] == "malformed_json"
    assert snapshot(db) == before


def test_unknown_api_urls_and_methods_answer_json(db, api):
    missing = api.get("/nothing-here")
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = api.request("DELETE", "/areas/227", as_="admin")
    assert wrong.status_code == 405 and wrong.json["error"]["code"] == "method_not_allowed"
