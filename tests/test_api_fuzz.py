"""The API fuzzed with Schemathesis: every operation of openapi.json receives generated input, valid and invalid,
on the test database (SQLite, or PostgreSQL with TEST_DATABASE_URL), and must never answer a 5xx nor a response
that the document does not describe (status, content type, body).

The world of the participation tests is there (areas, two institutions, published activities with held and
coming occurrences). Generated path parameters, query values and body fields are often swapped for its real
codes, slugs, ids, occurrence starts and dates, so that requests get past the 404 into the views and the
operations; each request carries the admin's or the library editor's token, so the writes are reached too.
Schemathesis runs the operations as subtests of one test, so they share one world and see each other's writes.
The examples are derandomised and bounded: a failure reproduces on every run, and the module stays within CI's
budget.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from calendar_app.events.models import Activity, Occurrence
from calendar_app.events.recurrence import occurrence_key
from calendar_app.places.models import Institution
from tests.participation_fixtures import frozen_fixture, world_fixture  # noqa: F401

#: generated examples per operation (positive and negative together); the coverage phase adds its own cases.
#: FUZZ_EXAMPLES=1000 makes a deeper search on a developer's machine.
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ("admin", "editor")

#: real values by parameter or field name, from the world (its ids are only known once it is built)
KNOWN: dict[str, list] = {}


def known_values(db, world) -> dict[str, list]:
    """Read afresh after every request: an earlier operation may have renamed an institution or moved the
    world's activities (PATCH), and the requests that follow should still find them."""
    activities = [world[name].id for name in ("club", "talk", "museum_visit")]
    slugs = list(db.session.scalars(select(Institution.slug).where(
        Institution.id.in_([world["lib"].id, world["museum"].id])).order_by(Institution.id)))
    occurrences = db.session.execute(select(Occurrence.original_start, Activity.all_day).join(Activity).where(
        Activity.id.in_(activities)).order_by(Occurrence.id).limit(5))
    return {
        "code": ["25", "227", "230"],
        "area": ["25", "227"],
        "parent": ["25", "227"],
        "slug": slugs,
        "institution": slugs,
        "activity_id": activities,
        "id": activities,
        # the occurrences' keys in the path (held and coming ones); a new time in a body, held or coming
        "start": [occurrence_key(start, all_day) for start, all_day in occurrences],
        "starts_at": ["2025-10-06T09:00", "2025-11-03", "2025-11-03T09:00+07:00"],
        "ends_at": ["2025-10-06T11:00", "2025-11-04", "2025-11-03T11:00+07:00"],
        "from": ["2025-10-01"],
        "to": ["2025-10-31"],
        "on": ["2025-10-10"],
        "rrule": ["FREQ=WEEKLY;COUNT=3", "FREQ=DAILY;UNTIL=20251130"],
        "month": ["2025-09", "2025-10"],
        "year": [2025, "2025"],
        "kind": ["tallies", "attendance"],
        "version": [0, 1],
        "total": [12],
        "onsite": [10],
        "online": [2],
        "audiences": [{"pupils": 4, "youth": 3}],
        # text a person would write, so that some creations succeed and reach what follows them
        "title": ["Câu lạc bộ đọc sách"],
        "name": ["Thư viện xã Gia Cẩm"],
        "online_url": ["https://meet.example.org/doc-sach"],
        "website": ["https://thuvien.example.org"],
        "contact_email": ["thuvien@example.org"],
    }


def mostly_real(values):
    """A strategy giving each known key either its generated value or one of the world's."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries({
        name: st.sampled_from([value, *KNOWN[name]]) if name in KNOWN else st.just(value)
        for name, value in values.items()})


def as_someone(case):
    """Hypothesis draws the role with the case; it travels in a header that the test takes off again."""

    def sign(role):
        case.headers = {**(case.headers or {}), "X-Fuzz-Role": role}
        return case

    return st.sampled_from(ROLES).map(sign)


config = schemathesis.Config.from_dict({
    "generation": {"mode": "all", "with-security-parameters": False},
    "phases": {"examples": {"enabled": False}, "stateful": {"enabled": False}},
})


@pytest.fixture(scope="module")
def api_schema(app):
    with app.app_context():
        client = app.test_client()
        document = client.get("/api/v1/openapi.json").json
    schema = schemathesis.openapi.from_dict(document, config=config)
    for container in ("path_parameters", "query", "body"):
        schema.hook(f"flatmap_{container}")(lambda context, values: mostly_real(values))
    schema.hook("flatmap_case")(lambda context, case: as_someone(case))
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # Schemathesis 4.32 renames the test per operation through `_nodeid`, which pytest 9.2 no longer has
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture()
def real_values(db, world):
    KNOWN.clear()
    KNOWN.update(known_values(db, world))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
          # the world is built once per run on purpose; requests and the API's big schemas are slow to generate
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example])
def test_the_api_never_fails_nor_breaks_its_document(case, app, db, client, world, real_values):
    role = (case.headers or {}).pop("X-Fuzz-Role", "admin")  # the coverage phase's cases carry none
    token = world["tokens"][role]
    try:
        case.call_and_validate(session=client, app=app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    finally:
        KNOWN.update(known_values(db, world))
