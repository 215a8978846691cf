"""/api/v1/openapi.json: complete, valid, and built from the very models that validate and shape the API."""
# ruff: noqa: F811  (pytest fixtures imported from tests.api_helpers are redefined as arguments)
import importlib.util

import pytest

from calendar_app.api.core import OPERATIONS, route_paths
from calendar_app.events.schema import ActivityIn, ActivityPatch
from tests import factories as f
from tests.api_helpers import api, world  # noqa: F401  (fixtures)
from tests.conftest import require_service

CLUB = {"institution": "thu-vien-viet-tri", "title": "Câu lạc bộ đọc sách", "starts_at": "2025-10-01T18:00",
        "ends_at": "2025-10-01T20:00", "rrule": "FREQ=WEEKLY;COUNT=3", "status": "published"}


@pytest.fixture()
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.json


def test_every_route_is_documented_and_every_documented_path_exists(app, document):
    with app.app_context():
        routes = set(route_paths()) - {("/openapi.json", "get")}
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    assert routes - documented == set(), "routes missing from openapi.json"
    assert documented - routes == set(), "openapi.json documents routes that do not exist"
    for path in ("/areas", "/areas/{code}", "/institutions", "/institutions/{slug}", "/events",
                 "/events/{activity_id}", "/events/{activity_id}/occurrences/{start}"):
        assert path in document["paths"]


def test_request_schemas_are_the_validating_models(document):
    schemas = document["components"]["schemas"]
    for operation in OPERATIONS:
        if operation.request is None:
            continue
        body = document["paths"][operation.path][operation.method]["requestBody"]
        assert body["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{operation.request.__name__}"}
        expected = operation.request.model_json_schema(ref_template="#/components/schemas/{model}")
        expected.pop("$defs", None)
        assert schemas[operation.request.__name__] == expected
    events = document["paths"]["/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert events["$ref"].endswith("/ActivityIn")
    required = {name for name, field in ActivityIn.model_fields.items() if field.is_required()}
    assert set(schemas["ActivityIn"]["required"]) == required == {"title", "starts_at", "ends_at"}
    assert schemas["ActivityIn"]["additionalProperties"] is False
    assert schemas["ActivityIn"]["properties"]["categories"]["items"]["enum"][0] == "reading"
    # PATCH takes any subset of the same fields with the same limits
    patch = schemas["ActivityPatch"]
    assert "required" not in patch and set(patch["properties"]) == set(ActivityIn.model_fields)
    assert patch["properties"]["title"]["maxLength"] == schemas["ActivityIn"]["properties"]["title"]["maxLength"]
    assert ActivityPatch.__name__ == "ActivityPatch"


@pytest.mark.parametrize("missing", ["title", "starts_at", "ends_at"])
def test_the_documented_required_fields_are_enforced(db, api, missing):
    body = {k: v for k, v in CLUB.items() if k != missing}
    response = api.post("/events", body, as_="editor")
    assert response.status_code == 422 and missing in response.json["error"]["fields"]


def test_the_documented_minimum_is_enough(db, api, document):
    required = document["components"]["schemas"]["ActivityIn"]["required"]
    body = {name: CLUB[name] for name in required}
    assert api.post("/events", body, as_="editor").status_code == 201


def test_paths_parameters_and_security(document):
    item = document["paths"]["/events/{activity_id}"]
    assert item["get"]["parameters"][0] == {"name": "activity_id", "in": "path", "required": True,
                                            "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}}
    assert "security" not in item["get"] and item["patch"]["security"] == [{"bearer": []}]
    assert {p["name"] for p in document["paths"]["/events"]["get"]["parameters"]} >= {
        "area", "institution", "category", "audience", "observance", "q", "from", "to", "offset", "limit"}
    assert "201" in document["paths"]["/events"]["post"]["responses"]
    assert "422" in document["paths"]["/events/{activity_id}/occurrences/{start}"]["put"]["responses"]
    # a path value the endpoint validates (the month, the year) is refused with 422, as the fuzz test found
    assert "422" in document["paths"]["/institutions/{slug}/tallies/{month}"]["get"]["responses"]
    assert "422" in document["paths"]["/institutions/{slug}/assessments/{year}"]["get"]["responses"]
    upload = document["paths"]["/imports/{kind}"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}


def test_document_is_valid_openapi(document):
    available = importlib.util.find_spec("openapi_spec_validator") is not None
    require_service(available, "openapi-spec-validator (pip install -e .[dev])")
    from openapi_spec_validator import validate

    validate(document)


def test_responses_match_their_documented_schemas(db, api, world, document):
    require_service(importlib.util.find_spec("jsonschema") is not None, "jsonschema (pip install -e .[dev])")
    import jsonschema

    def check(response, path, method, status="200"):
        schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        validator = jsonschema.Draft202012Validator({**schema, "components": document["components"]},
                                                    format_checker=jsonschema.FormatChecker())
        errors = [error.message for error in validator.iter_errors(response.json)]
        assert response.status_code == int(status) and errors == [], (path, method, errors)

    f.activity(world["lib"], "Đọc sách", "2025-10-02T09:00", description="Sách mới")
    db.session.commit()
    created = api.post("/events", CLUB, as_="editor")
    check(created, "/events", "post", "201")
    event = created.json["id"]
    check(api.put(f"/events/{event}/occurrences/2025-10-08T18:00", {"status": "cancelled"}, as_="editor"),
          "/events/{activity_id}/occurrences/{start}", "put")
    check(api.get("/events?from=2025-10-01&to=2025-10-31"), "/events", "get")
    check(api.get(f"/events/{event}"), "/events/{activity_id}", "get")
    check(api.patch(f"/events/{event}", {"capacity": 20}, as_="editor"), "/events/{activity_id}", "patch")
    check(api.get("/areas"), "/areas", "get")
    check(api.get("/areas/227"), "/areas/{code}", "get")
    check(api.post("/areas", {"code": "1", "name": "Tỉnh mới", "level": "province"}, as_="admin"),
          "/areas", "post", "201")
    check(api.get("/institutions"), "/institutions", "get")
    check(api.get("/institutions/thu-vien-viet-tri"), "/institutions/{slug}", "get")
    check(api.patch("/institutions/thu-vien-viet-tri", {"website": "https://thuvien.example.org"}, as_="editor"),
          "/institutions/{slug}", "patch")
    check(api.post("/events", {**CLUB, "capacity": -1}, as_="editor"), "/events", "post", "422")
    check(api.post("/events", CLUB), "/events", "post", "401")
    check(api.get("/events/424242"), "/events/{activity_id}", "get", "404")
