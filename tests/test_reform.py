"""The 1 July 2025 reform: official units on both sides, codes that name two units, dated placements, the
reform operation, reports across it, and history that never changes (issue: the real province)."""
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden

from calendar_app.accounts.models import ApiToken
from calendar_app.clock import local_today
from calendar_app.indicators import rollup
from calendar_app.models import Area, AreaSuccession, AuditEntry, Institution, Placement
from calendar_app.participation.models import Attendance, MonthlyTally
from calendar_app.places import lookup, official
from calendar_app.places import operations as places
from calendar_app.places.importer import import_units, provinces_to_import
from calendar_app.places.reform import plan_reform
from calendar_app.validation import ValidationFailed
from tests import factories as f

NOW = datetime(2026, 11, 1)
REFORM = official.REFORM_DATE


def _import(*codes):
    legacy, current = provinces_to_import(codes)
    return import_units(legacy, current, echo=lambda _line: None)


@pytest.fixture()
def phu_tho(db):
    """The official units of new Phú Thọ (25) and of old Phú Thọ, Vĩnh Phúc and Hòa Bình."""
    result = _import("25")
    db.session.commit()
    return result


def old(code):
    return lookup.unit_on(code, date(2025, 6, 30))


def new(code):
    return lookup.unit_on(code, REFORM)


def document(year, area):
    return json.dumps(rollup.compute(year, area, now=NOW).as_document(), sort_keys=True)


# --- official units ---------------------------------------------------------------------------------


def test_import_loads_both_trees_under_the_country_and_a_second_run_changes_nothing(db, phu_tho):
    assert phu_tho.added == 1 + 3 + 32 + 479 + 1 + 148
    count = lambda **kw: db.session.scalar(select(func.count()).select_from(Area).filter_by(**kw))  # noqa: E731
    assert count(level="country") == 1 and count(level="district") == 32
    assert db.session.scalar(select(func.count()).select_from(Area).where(
        Area.level == "commune", Area.valid_from == REFORM)) == 148
    country = db.session.scalar(select(Area).where(Area.code == "VN"))
    assert sorted((a.code, str(a.valid_from), str(a.valid_to)) for a in country.children) == [
        ("17", "None", "2025-07-01"), ("25", "2025-07-01", "None"), ("25", "None", "2025-07-01"),
        ("26", "None", "2025-07-01")]
    assert old("230").name == "Huyện Đoan Hùng" and old("230").valid_to == REFORM
    assert new("25").parent is country and new("25").valid_from == REFORM and old("25").valid_to == REFORM
    # the official mapping: old province -> new province, old communes -> new communes
    assert [a.code for a in old("25").successors] == ["25"] and [a.code for a in old("26").successors] == ["25"]
    assert phu_tho.successions_added >= 479 + 3
    again = _import("25")
    assert again.changes == 0 and again.unchanged == phu_tho.added


def test_import_closes_a_province_created_by_hand_and_keeps_its_history(db):
    province = f.area("25", "Phú Thọ (cũ)", "province")
    province.valid_from = date(1997, 1, 1)
    district = f.area("227", "Việt Trì", parent=province)
    lib = f.institution("thu-vien", district)
    db.session.commit()
    result = _import("25")
    db.session.commit()
    assert result.changed >= 2  # the province and the district: official names, closed by the reform
    assert (province.valid_from, province.valid_to, province.name) == (date(1997, 1, 1), REFORM, "Tỉnh Phú Thọ")
    assert district.valid_to == REFORM and district.name == "Thành phố Việt Trì"
    assert province.parent.code == "VN" and district.path.startswith(province.path)
    assert lib.area is district and lookup.unit_on("25") is not province


def test_unknown_province_is_refused():
    with pytest.raises(official.UnknownUnit):
        provinces_to_import(["99"])


# --- one code, two units ----------------------------------------------------------------------------


def test_a_code_means_the_unit_valid_on_the_day(db, phu_tho):
    reused = "04792"  # Phường Tân Hòa: an old ward of Hòa Bình city and the new ward that took it in
    before, after = lookup.unit_on(reused, date(2024, 1, 1)), lookup.unit_on(reused)
    assert before is not None and after is not None and before is not after
    assert before.level == after.level == "commune" and before.parent.level == "district"
    assert after.parent is new("25")
    assert lookup.unit_for_year(reused, 2024) is before
    assert lookup.unit_for_year(reused, 2025) is after  # valid during 2025 both: the later one
    assert lookup.unit_for_year("230", 2026) is None and lookup.latest_unit("230") is old("230")


def test_overlapping_codes_are_refused_with_a_clear_error(db, phu_tho):
    admin = f.user("admin@example.org", "admin")
    with pytest.raises(ValidationFailed) as refused:
        places.create_area(admin, {"code": "04792", "name": "Trùng", "level": "commune", "parent": "25",
                                   "valid_from": "2026-01-01"})
    assert "04792" in refused.value.fields["code"]
    db.session.rollback()
    # the same code after both units closed is fine
    places.create_area(admin, {"code": "230", "name": "Huyện mới", "level": "district", "parent": "25",
                               "valid_from": "2030-01-01"})


def test_api_reads_areas_on_a_day(db, phu_tho, client):
    assert client.get("/api/v1/areas/230").status_code == 404
    district = client.get("/api/v1/areas/230?on=2024-06-01").json
    assert district["valid_to"] == "2025-07-01" and district["level"] == "district"
    assert client.get("/api/v1/areas/04792").json["parent"] == "25"
    assert client.get("/api/v1/areas/04792?on=2024-01-01").json["parent"] == "148"
    listed = client.get("/api/v1/areas?parent=25&limit=200").json
    assert len(listed["items"]) == 148
    old_districts = client.get("/api/v1/areas?parent=25&on=2024-01-01&limit=200").json["items"]
    assert len(old_districts) == 13 and {a["level"] for a in old_districts} == {"district"}
    assert client.get("/api/v1/areas?on=2024-13-01").status_code == 400
    assert client.get("/api/v1/areas?level=country").json["items"][0]["code"] == "VN"


# --- dated placement --------------------------------------------------------------------------------


def _token(user):
    token, secret = ApiToken.issue(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def test_a_move_never_rewrites_past_years(db, phu_tho, client):
    """The issue's scenario: 2024 attendance in old commune 07894; moved to a new commune; 2024 unchanged."""
    admin = f.user("admin@example.org", "admin")
    headers = _token(admin)
    db.session.commit()
    created = client.post("/api/v1/institutions", headers=headers, json={
        "slug": "thu-vien-nong-trang", "name": "Thư viện Nông Trang", "category": "library_commune",
        "area": "07894", "effective": "2023-01-01"})
    assert created.status_code == 201, created.json
    assert created.json["placements"] == [{"area": "07894", "area_name": old("07894").name, "from": "2023-01-01",
                                           "to": None}]
    institution = db.session.scalar(select(Institution).where(Institution.slug == "thu-vien-nong-trang"))
    assert institution.area is old("07894")  # the code read on the effective day: the old ward
    activity = f.activity(institution, start="2024-04-21T09:00")
    db.session.add(Attendance(occurrence=activity.occurrences[0], total=40))
    db.session.commit()
    district = old("227")
    before = document(2024, district)
    assert '"numerator": 1' in before

    moved = client.patch("/api/v1/institutions/thu-vien-nong-trang", headers=headers,
                         json={"area": "07894", "effective": "2025-07-01"})
    assert moved.status_code == 200, moved.json
    assert [(p["area"], p["from"], p["to"]) for p in moved.json["placements"]] == [
        ("07894", "2023-01-01", "2025-07-01"), ("07894", "2025-07-01", None)]
    assert institution.area is new("07894")
    assert document(2024, district) == before
    # and today's placement counts for the new province
    assert rollup.compute(2026, new("25"), now=NOW).result("library_lifelong_services").rows
    moves = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == "thu-vien-nong-trang")).all()
    assert moves == ["create", "move"]


def test_a_move_defaults_to_today_and_refuses_bad_days(db, phu_tho):
    admin = f.user("admin@example.org", "admin")
    institution = f.institution("lib", new("25"), "library_provincial")
    db.session.commit()
    places.update_institution(admin, institution, {"area": "04792"})
    db.session.commit()
    assert [(p.area.code, p.valid_to) for p in institution.placements][0][0] == "25"
    assert institution.placements[-1].valid_from == local_today()
    for change, field in [({"area": "25", "effective": "2099-01-01"}, "effective"),
                          ({"area": "230", "effective": "2026-01-01"}, "area"),
                          ({"effective": "2026-01-01"}, "effective"),
                          ({"area": "25", "effective": "2020-01-01"}, "effective")]:
        with pytest.raises(ValidationFailed) as refused:
            places.update_institution(admin, institution, change)
        assert field in refused.value.fields, change
        db.session.rollback()


def test_every_institution_has_an_open_placement(db):
    province = f.area("01", "Tỉnh", "province")
    district = f.area("001", "Huyện", parent=province)
    lib = f.institution("lib", province)
    db.session.commit()
    assert [(p.area, p.valid_from, p.valid_to) for p in lib.placements] == [(province, None, None)]
    lib.area = district  # a plain change of area is a move effective today
    db.session.commit()
    assert [(p.area, p.valid_to is None) for p in lib.placements] == [(province, False), (district, True)]


# --- the reform operation ---------------------------------------------------------------------------


def attended(year):
    return year % 7 + 5


def visits(year):
    return 100 + year % 10


@pytest.fixture()
def before_reform(db, phu_tho):
    """Institutions of old Phú Thọ, Vĩnh Phúc and Hòa Bình, placed before the reform, with 2023–2024 figures."""
    split = next(code for code in (u.code for u in official.legacy_units(["25", "26", "17"])
                                   if u.level == "commune") if len(official.successor_communes(code)) > 1)
    rows = {
        "prov-lib": ("25", "library_provincial", None),
        "lib-227": ("227", "library_district", (21.3227, 105.4019)),  # a district: nearest of its communes
        "lib-230": ("230", "library_district", None),  # a district without coordinates: by hand
        "cn-07894": ("07894", "culture_centre_commune", None),  # wholly absorbed: the official mapping
        "vp-lib": ("26", "library_provincial", (21.31, 105.6)),
        "split-located": (split, "library_commune", None),
        "split-blind": (split, "library_commune", None),
    }
    made = {}
    for slug, (code, category, point) in rows.items():
        institution = f.institution(slug, old(code), category)
        if point:
            institution.latitude, institution.longitude = point
        made[slug] = institution
    successor = official.successor_communes(split)[1]
    made["split-located"].latitude, made["split-located"].longitude = successor.latitude, successor.longitude
    for year in (2023, 2024):
        for institution in made.values():
            activity = f.activity(institution, start=f"{year}-04-21T09:00")
            db.session.add(Attendance(occurrence=activity.occurrences[0], total=attended(year)))
            db.session.add(MonthlyTally(institution=institution, year=year, month=5, metric="library_visits",
                                        value=visits(year)))
    db.session.commit()
    return {"institutions": made, "split": split, "successor": successor.code}


def test_reform_dry_run_changes_nothing_and_lists_what_it_cannot_place(db, before_reform):
    plan = plan_reform("25")
    assert [a.code for a in plan.old_provinces] == ["17", "25", "26"]
    moves = {move.institution.slug: (move.new.code, move.how) for move in plan.moves}
    assert moves["prov-lib"] == ("25", "province") and moves["vp-lib"] == ("25", "province")
    assert moves["cn-07894"] == (official.successor_communes("07894")[0].code, "mapping")
    assert moves["lib-227"][1] == "nearest" and moves["split-located"] == (before_reform["successor"], "nearest")
    assert {item.institution.slug for item in plan.unplaced} == {"lib-230", "split-blind"}
    assert all(item.candidates for item in plan.unplaced)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Placement).where(Placement.valid_to.is_not(None))) == 0


def test_reform_moves_from_the_reform_day_once_and_freezes_history(db, before_reform, runner):
    province_2024, district_2024 = old("25"), old("227")
    frozen = {(year, area.id): document(year, area) for year in (2023, 2024)
              for area in (province_2024, district_2024, old("26"))}
    result = runner.invoke(args=["areas", "reform", "--province", "25", "--dry-run"])
    assert result.exit_code == 0 and "dry run: nothing changed" in result.output and "PLACE BY HAND" in result.output
    result = runner.invoke(args=["areas", "reform", "--province", "25"])
    assert result.exit_code == 0, result.output
    assert "moved 5 institutions" in result.output
    lib = db.session.scalar(select(Institution).where(Institution.slug == "cn-07894"))
    assert [(p.area.valid_to, p.valid_from, p.valid_to) for p in lib.placements] == [
        (REFORM, None, REFORM), (None, REFORM, None)]
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "move")) == 5
    again = runner.invoke(args=["areas", "reform", "--province", "25"])
    assert "0 institutions to move" in again.output and "nothing to move" in again.output
    # (b) after the reform, (c) after importing the official units again, (a) after a move today
    _import("25")
    db.session.commit()
    admin = f.user("admin@example.org", "admin")
    places.update_institution(admin, lib, {"area": new("25").code})
    db.session.commit()
    for (year, area_id), text in frozen.items():
        assert document(year, db.session.get(Area, area_id)) == text, (year, area_id)


def test_reports_across_the_reform(db, before_reform, runner):
    runner.invoke(args=["areas", "reform", "--province", "25"])
    merged = new("25")
    report = rollup.compute(2025, merged, now=NOW)
    # children valid on 31 December 2025: the 148 communes, no districts
    assert len(report.result("library_lifelong_services").areas) == 148
    # like for like: 2025 growth of the merged province compares its institutions' 2024 figures, wherever
    # they stood (the moved libraries' 2024 tallies were recorded in old units)
    growth = report.result("library_users_growth").rows[0]
    moved_libraries = ["prov-lib", "lib-227", "vp-lib", "split-located"]
    assert growth.denominator == len(moved_libraries) * (visits(2024) + attended(2024))
    # the old province's own 2025 report: its reference day is 30 June 2025, everyone still there
    assert rollup.reference_day(2025, old("25")) == date(2025, 6, 30)
    old_report = rollup.compute(2025, old("25"), now=NOW)
    assert len(old_report.result("library_lifelong_services").areas) == 13
    # every library category of the plan has its row in the province, even without such libraries
    categories = [row.category for row in report.result("library_lifelong_services").rows]
    assert "library_armed_forces" in categories and "library_university" in categories
    # institutions left in a closed unit are counted by no report of the new tree
    blind = db.session.scalar(select(Institution).where(Institution.slug == "split-blind"))
    in_scope = rollup.Facts(2026, merged, now=NOW).in_scope
    assert blind.id not in set(db.session.scalars(in_scope))


def test_the_report_for_a_code_and_year_is_the_unit_of_that_year(db, phu_tho, client):
    assert client.get("/api/v1/indicators?year=2024&area=25").json["area"] == "25"
    doc_2024 = client.get("/api/v1/indicators?year=2024&area=25").json
    doc_2026 = client.get("/api/v1/indicators?year=2026&area=25").json
    assert len(doc_2024["indicators"][0]["areas"]) == 13
    assert len(doc_2026["indicators"][0]["areas"]) == 148
    assert client.get("/api/v1/indicators?year=2026&area=230").status_code == 404


def test_successions_are_recorded_for_split_communes(db, before_reform):
    split = old(before_reform["split"])
    rows = db.session.execute(select(AreaSuccession).where(AreaSuccession.predecessor_id == split.id)).scalars().all()
    assert len(rows) == len(official.successor_communes(before_reform["split"]))
    assert sum(row.default for row in rows) == 1


def test_officer_of_the_merged_province_reads_the_old_provinces(db, phu_tho):
    from calendar_app.accounts.scope import can_read_area, require_area

    officer = f.user("o@example.org", "officer", area=new("25"))
    assert can_read_area(officer, old("26")) and can_read_area(officer, old("230"))
    other = f.user("o2@example.org", "officer", area=old("230"))
    assert can_read_area(other, old("230")) and not can_read_area(other, old("26"))
    with pytest.raises(Forbidden):
        require_area(other, new("25"), read_only=True)


# --- pages --------------------------------------------------------------------------------------------


def test_an_old_unit_page_says_what_it_became(db, before_reform, client):
    page = client.get("/areas/230?lang=en")
    assert page.status_code == 200
    assert "This unit existed until" in page.text and "Tỉnh Phú Thọ" in page.text
    assert 'href="/areas/25"' in page.text  # the new province, addressed by its code alone
    reused = client.get("/areas/04792?lang=en")  # today's ward, formed from the old one of the same code
    assert "Formed on" in reused.text and "/areas/04792?on=2025-06-30" in reused.text
    assert client.get("/areas/04792?on=2024-01-01&lang=en").text.count("This unit existed until") == 1
    assert client.get("/areas/04792?on=not-a-day").status_code == 404


def test_institution_page_shows_where_it_stood(db, before_reform, client, runner):
    runner.invoke(args=["areas", "reform", "--province", "25"])
    page = client.get("/institutions/cn-07894?lang=en")
    assert "Area over time" in page.text and "/areas/07894?on=2025-06-30" in page.text


def _sign_in(client, user, password="correct horse battery"):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302


def test_dashboard_warns_about_institutions_left_in_closed_units(db, before_reform, client, runner):
    runner.invoke(args=["areas", "reform", "--province", "25"])
    officer = f.user("o@example.org", "officer", area=new("25"))
    db.session.commit()
    _sign_in(client, officer)
    page = client.get("/dashboard/?year=2026&lang=en")
    assert page.status_code == 200
    assert "no longer existed on" in page.text and "split-blind" not in page.text  # names, not slugs
    blind = db.session.scalar(select(Institution).where(Institution.slug == "split-blind"))
    assert blind.name in page.text
    # 148 communes: a sortable table lists them all; the chart only the lowest and highest
    assert "All 148 areas directly below" in page.text and "data-sortable" in page.text
    assert "5 lowest and 5 highest of 148 areas" in page.text
    # the officer of the merged province reads the old provinces' past years
    old_year = client.get("/dashboard/?year=2024&area=26&lang=en")
    assert old_year.status_code == 200 and "Tỉnh Vĩnh Phúc" in old_year.text


def test_dashboard_area_search_suggests_and_finds(db, phu_tho, client):
    officer = f.user("o@example.org", "officer", area=new("25"))
    db.session.commit()
    _sign_in(client, officer)
    found = client.get("/dashboard/areas.json?year=2026&q=tan hoa&lang=en").json
    assert {"code": "04792", "name": new("04792").name, "level": "Commune"} in found
    assert all(item["code"] != "230" for item in client.get("/dashboard/areas.json?year=2026&q=doan hung").json)
    page = client.get("/dashboard/?year=2026&find=tan hoa&lang=en")
    assert page.status_code == 200 and f"Indicators 2026: {new('04792').name}" in page.text


# --- plans -------------------------------------------------------------------------------------------


def test_a_report_measures_against_the_nearest_plan(db, phu_tho):
    from calendar_app.indicators.plans import plan_for

    assert plan_for(new("04792")).number == "2682/KH-UBND"  # a commune of Phú Thọ: the province's plan
    assert plan_for(old("230")).number == "2682/KH-UBND"  # old Phú Thọ too: the plan names code 25
    assert plan_for(old("26")).number == "1520/QĐ-TTg"  # Vĩnh Phúc had no plan here: the country's
    country = db.session.scalar(select(Area).where(Area.level == "country"))
    report = rollup.compute(2025, old("26"), now=NOW)
    rows = {row.category: row.target for row in report.result("library_lifelong_services").rows}
    assert rows["library_university"] == 90 and rows["library_specialized"] == 90  # the Decision's figures
    # a category or indicator the plan does not cover: no target, never one invented
    assert all(row.target is None for row in report.result("library_digital").rows)
    assert all(row.status in ("no_target", "no_data") for row in report.result("culture_commune_clubs").rows)
    assert rollup.compute(2026, country, now=NOW).as_document()["plan"]["number"] == "1520/QĐ-TTg"


# --- a national deployment: documents imported from provinces ----------------------------------------


def test_a_province_document_round_trips_and_adds_up_at_country_level(db, before_reform, runner, tmp_path, client):
    runner.invoke(args=["areas", "reform", "--province", "25"])
    exported = tmp_path / "25-2024.json"
    result = runner.invoke(args=["report", "--year", "2024", "--area", "25", "--format", "json", "-o", str(exported)])
    assert result.exit_code == 0, result.output
    original = exported.read_bytes()
    assert json.loads(original)["plan"]["number"] == "2682/KH-UBND"
    # the national deployment does not hold the province's institutions: only its document
    for institution in db.session.scalars(select(Institution)):
        institution.active = False
    db.session.commit()
    result = runner.invoke(args=["report", "import", str(exported)])
    assert result.exit_code == 0 and "imported" in result.output, result.output
    again = tmp_path / "again.json"
    runner.invoke(args=["report", "--year", "2024", "--area", "25", "--format", "json", "-o", str(again)])
    assert again.read_bytes() == original  # byte-identical after the round trip
    country = db.session.scalar(select(Area).where(Area.level == "country"))
    national = rollup.compute(2024, country, now=NOW)
    from calendar_app.indicators.reports import report

    merged = report(2024, country, now=NOW)
    assert merged.as_document()["plan"]["number"] == "1520/QĐ-TTg"
    lifelong = {row.category: row for row in merged.result("library_lifelong_services").rows}
    imported_rows = {row["category"]: row for row in json.loads(original)["indicators"][0]["rows"]}
    assert lifelong["library_provincial"].denominator == imported_rows["library_provincial"]["denominator"] == 1
    assert national.result("library_lifelong_services").rows[0].denominator == 0
    # Phú Thọ's row among the 63 provinces of 2024 carries the figures, measured against the Decision
    part = next(p for p in merged.result("library_lifelong_services").areas if p.area.code == "25")
    assert {row.category: row.target for row in part.rows}["library_university"] == 90
    # the dashboard of the imported area and year names the province's plan (it has no page here)
    admin = f.user("national@example.org", "admin")
    db.session.commit()
    _sign_in(client, admin)
    page = client.get("/dashboard/?year=2024&area=25&lang=en")
    assert page.status_code == 200 and "Targets of 2682/KH-UBND" in page.text


def test_imports_are_refused_when_they_would_mix_sources(db, before_reform, runner, tmp_path):
    exported = tmp_path / "25.json"
    runner.invoke(args=["report", "--year", "2024", "--area", "25", "--format", "json", "-o", str(exported)])
    refused = runner.invoke(args=["report", "import", str(exported)])
    assert refused.exit_code == 1 and "institutions of" in refused.output  # they are recorded here too
    for institution in db.session.scalars(select(Institution)):
        institution.active = False
    db.session.commit()
    assert runner.invoke(args=["report", "import", str(exported)]).exit_code == 0
    twice = runner.invoke(args=["report", "import", str(exported)])
    assert twice.exit_code == 1 and "--replace" in twice.output
    assert runner.invoke(args=["report", "import", str(exported), "--replace"]).exit_code == 0
    district = tmp_path / "230.json"
    doc = json.loads(exported.read_text())
    doc["area"], doc["area_level"] = "230", "district"
    district.write_text(json.dumps(doc))
    below = runner.invoke(args=["report", "import", str(district)])
    assert below.exit_code == 1 and "one area and year has one source" in below.output
    broken = tmp_path / "broken.json"
    broken.write_text('{"year": 2024}')
    assert runner.invoke(args=["report", "import", str(broken)]).exit_code == 1


# --- admin pages --------------------------------------------------------------------------------------


def test_admin_pages_show_the_reform_and_what_is_left_to_do(db, before_reform, client, runner):
    runner.invoke(args=["areas", "reform", "--province", "25"])
    admin = f.user("admin@example.org", "admin")
    f.user("o@example.org", "officer", area=old("227"))  # an officer whose district closed
    db.session.commit()
    _sign_in(client, admin)
    index = client.get("/admin/?lang=en").text
    assert "2 institutions are still placed in units that no longer exist" in index
    assert "1 officer's area no longer exists" in index
    stranded = client.get("/admin/institutions?placed=closed&lang=en").text
    assert "Lib 230" in stranded and "Split Blind" in stranded and "Cn 07894" not in stranded
    assert "o@example.org" in client.get("/admin/users?scope=closed").text
    # the tree on a day: today the province holds communes, before the reform districts
    today = client.get("/admin/areas?parent=25&lang=en").text
    assert new("04792").name in today and "Huyện Đoan Hùng" not in today
    before = client.get("/admin/areas?parent=25&on=2025-06-30&lang=en").text
    assert "Huyện Đoan Hùng" in before and "Became: Tỉnh Phú Thọ" in before  # closed since: what it became
    found = client.get("/admin/areas?q=doan+hung&on=2025-06-30&lang=en").text
    assert "Huyện Đoan Hùng" in found and "Tỉnh Hòa Bình" not in found
    suggested = client.get("/admin/areas.json?q=tan+hoa").json
    assert [a["code"] for a in suggested][:1] == ["04792"]
    # placing one by hand, from the reform's day, through the form
    blind = db.session.scalar(select(Institution).where(Institution.slug == "split-blind"))
    target = official.successor_communes(before_reform["split"])[0].code
    form = {"slug": blind.slug, "name": blind.name, "category": blind.category, "area": target,
            "effective": "2025-07-01", "active": "y"}
    assert client.post("/admin/institutions/split-blind", data=form).status_code == 302
    assert [(p.area.code, str(p.valid_from)) for p in blind.placements][-1] == (target, "2025-07-01")
    assert "Where it stood" in client.get("/admin/institutions/split-blind?lang=en").text


# --- a national deployment: the Ministry --------------------------------------------------------------


def test_a_ministry_officer_sees_every_province(db, client):
    from calendar_app.places.importer import all_provinces

    import_units(*all_provinces(), echo=lambda _line: None)
    country = db.session.scalar(select(Area).where(Area.level == "country"))
    museum = f.institution("bao-tang-hung-vuong", new("08515") or new("25"), "museum", name="Bảo tàng Hùng Vương")
    ministry = f.user("bo@example.org", "officer", area=country)
    db.session.commit()
    _sign_in(client, ministry)
    national = client.get("/dashboard/?year=2026&lang=en")
    assert national.status_code == 200 and "Indicators 2026: Việt Nam" in national.text
    assert "All 34 areas directly below Việt Nam" in national.text and "1520/QĐ-TTg" in national.text
    before = client.get("/dashboard/?year=2024&lang=en").text
    assert "All 63 areas directly below Việt Nam" in before
    assert "All 148 areas directly below" in client.get("/dashboard/?year=2026&area=25&lang=en").text
    assert client.get("/dashboard/report?year=2026").status_code == 200
    exported = client.get("/dashboard/export.csv?year=2026")
    assert exported.status_code == 200 and exported.data
    missing = client.get("/dashboard/missing?year=2026&indicator=museum_education_programmes&lang=en")
    assert missing.status_code == 200 and museum.name in missing.text
    assert client.get("/approval/completeness?year=2026").status_code == 200
