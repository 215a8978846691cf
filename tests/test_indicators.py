"""Indicator roll-up: hand-worked figures on a small province (built here, reused by the other indicator tests).

Province 01 (one provincial library directly in it), district A (001, with commune A1 00101) and
district B (002). NOW is 1 November 2025 (UTC): occurrences after it have not started yet.
"""
from datetime import datetime

import pytest

from calendar_app.extensions import db
from calendar_app.indicators import rollup
from calendar_app.participation.models import Attendance, MonthlyTally, SelfAssessment
from tests import factories as f

NOW = datetime(2025, 11, 1)


def attend(activity, total, online=None, index=0):
    db.session.add(Attendance(occurrence=activity.occurrences[index], total=total, online=online,
                              onsite=None if online is None else total - online))


def tally(institution, year, month, metric, value):
    db.session.add(MonthlyTally(institution=institution, year=year, month=month, metric=metric, value=value))


def build() -> dict:
    province = f.area("01", "Tỉnh Thử", "province")
    a = f.area("001", "Huyện A", "district", province)
    b = f.area("002", "Huyện B", "district", province)
    a1 = f.area("00101", "Xã A1", "commune", a)
    i = {slug: f.institution(slug, place, category) for slug, place, category in [
        ("prov-lib", province, "library_provincial"),
        ("lib-a", a, "library_district"),
        ("lib-b", b, "library_district"),
        ("lib-b2", b, "library_district"),
        ("lib-a1", a1, "library_commune"),
        ("school-a", a, "library_school"),
        ("comm-b", b, "library_community"),
        ("closed-lib", b, "library_district"),
        ("museum-a", a, "museum"),
        ("memorial-b", b, "museum_memorial"),
        ("cc-a", a, "culture_centre_district"),
        ("cc-b", b, "culture_centre_district"),
        ("cn-a1", a1, "culture_centre_commune"),
        ("cn-b", b, "culture_centre_commune"),
        ("cn-b2", b, "culture_centre_commune"),
    ]}
    i["closed-lib"].active = False
    i["lib-a"].contact_name, i["lib-a"].contact_phone = "Chị Lan", "0912 000 111"

    # libraries: attendance
    attend(f.activity(i["prov-lib"], start="2025-04-21T09:00"), 50, online=10)
    attend(f.activity(i["lib-a"], start="2025-05-01T09:00"), 0)
    attend(f.activity(i["lib-a"], "Chưa diễn ra", start="2025-11-20T09:00"), 30)  # not started by NOW
    cancelled_one = f.activity(i["lib-b"], "Hủy một buổi", start="2025-03-01T09:00")
    cancelled_one.occurrences[0].status = "cancelled"
    attend(cancelled_one, 20)
    attend(f.activity(i["lib-b"], "Bản nháp", start="2025-03-02T09:00", status="draft"), 15)
    attend(f.activity(i["lib-b"], "Năm trước", start="2024-05-05T09:00"), 40)
    attend(f.activity(i["lib-b2"], start="2025-07-01T09:00"), 10, online=0)
    attend(f.activity(i["lib-a1"], start="2025-06-01T09:00"), 25)
    attend(f.activity(i["school-a"], start="2025-09-10T09:00"), 30, online=0)
    attend(f.activity(i["comm-b"], start="2025-02-01T09:00"), 12)
    attend(f.activity(i["closed-lib"], start="2025-02-01T09:00"), 99, online=5)
    # library tallies
    tally(i["prov-lib"], 2025, 1, "library_visits", 100)
    tally(i["prov-lib"], 2025, 2, "library_visits", 200)
    tally(i["prov-lib"], 2025, 2, "library_online_visits", 999)  # another metric: not counted
    tally(i["prov-lib"], 2024, 1, "library_visits", 250)
    tally(i["lib-a"], 2024, 12, "library_visits", 50)
    tally(i["closed-lib"], 2025, 1, "library_visits", 1000)
    # self-assessments
    db.session.add_all([
        SelfAssessment(institution=i["school-a"], year=2025, digital_catalogue=True),
        SelfAssessment(institution=i["lib-a"], year=2025),  # nothing ticked
        SelfAssessment(institution=i["lib-b"], year=2024, online_services=True),  # another year
        SelfAssessment(institution=i["school-a"], year=2026, digital_resources=True),
        SelfAssessment(institution=i["lib-a1"], year=2026, online_activities=True),
    ])

    # museums: programmes and study visitors
    museum = i["museum-a"]
    f.activity(museum, "P1 2023", start="2023-03-01T09:00", programme="p1")
    attend(f.activity(museum, "P2", start="2025-05-05T09:00", programme="p2"), 100)
    f.activity(museum, "P1 2025", start="2025-06-06T09:00", programme="p1")
    f.activity(museum, "P3", start="2025-12-01T09:00", programme="p3")  # not started by NOW
    f.activity(museum, "P4", start="2022-12-01T09:00", programme="p4")  # before the plan
    f.activity(museum, "P5", start="2025-04-04T09:00", programme="p5", status="cancelled")
    attend(f.activity(i["memorial-b"], "M1", start="2024-08-08T09:00", programme="m1"), 20)
    tally(museum, 2025, 5, "museum_study_visitors", 400)
    tally(museum, 2024, 5, "museum_study_visitors", 300)
    tally(museum, 2025, 5, "museum_visitors", 5000)  # all visitors: not counted

    # culture centres
    f.activity(i["cc-a"], "Đọc", start="2025-03-03T09:00", categories=("reading",), audiences=("children",))
    f.activity(i["cc-a"], "Nói chuyện", start="2025-04-03T09:00", categories=("talk",), audiences=("children",))
    f.activity(i["cc-b"], "Lễ hội", start="2025-03-03T09:00", categories=("festival",), audiences=("everyone",))
    f.activity(i["cc-b"], "Nháp", start="2025-04-03T09:00", categories=("talk",), audiences=("adults",),
               status="draft")
    f.activity(i["cn-a1"], "CLB", start="2025-03-09T19:00", categories=("club",))
    tally(i["cn-b"], 2025, 3, "club_members", 15)
    f.activity(i["cn-b2"], "CLB sắp mở", start="2025-12-09T19:00", categories=("club",))  # not started by NOW
    tally(i["cn-b2"], 2024, 3, "club_members", 15)
    db.session.commit()
    return {"province": province, "a": a, "b": b, "a1": a1, **i}


# --- the hand-worked figures ------------------------------------------------------------------------------


def figures(rows):
    """(category or institution, numerator, denominator, value, target, status) per row."""
    return [(r["category"] if "category" in r else r["institution"], r["numerator"], r["denominator"],
             r["value"], r["target"], r["status"]) for r in rows]


def document(year, area, now=NOW):
    return rollup.compute(year, area, now=now).as_document()


def indicator(doc, key):
    return next(i for i in doc["indicators"] if i["key"] == key)


def areas(doc, key):
    return {part["area"]: figures(part["rows"]) for part in indicator(doc, key)["areas"]}


@pytest.fixture()
def province(db):
    return build()


def test_province_2025_every_indicator(province):
    doc = document(2025, province["province"])
    assert doc["year"] == 2025 and doc["area"] == "01"
    assert [i["key"] for i in doc["indicators"]] == [
        "library_lifelong_services", "library_digital", "library_users_growth", "museum_education_programmes",
        "museum_study_visitors_growth", "culture_district_activities", "culture_commune_clubs"]

    lifelong = indicator(doc, "library_lifelong_services")
    assert lifelong["unit"] == "percent"
    # district: lib-a had 0 people (its 30 are after NOW), lib-b only a cancelled occurrence, a draft and
    # 2024; the closed library is not counted at all
    # every library category of the plan has its row, even without such libraries (no university or
    # armed-forces library here)
    assert figures(lifelong["rows"]) == [
        ("library_provincial", 1, 1, 100.0, 100, "on_track"),
        ("library_district", 1, 3, 33.3, 70, "behind"),
        ("library_commune", 1, 1, 100.0, 40, "on_track"),
        ("library_university", 0, 0, None, 100, "no_data"),
        ("library_armed_forces", 0, 0, None, 80, "no_data"),
        ("library_school", 1, 1, 100.0, 70, "on_track"),
        ("library_community", 1, 1, 100.0, None, "no_target"),
    ]
    assert areas(doc, "library_lifelong_services") == {
        "001": [("library_provincial", 0, 0, None, 100, "no_data"),
                ("library_district", 0, 1, 0.0, 70, "behind"),
                ("library_commune", 1, 1, 100.0, 40, "on_track"),
                ("library_university", 0, 0, None, 100, "no_data"),
                ("library_armed_forces", 0, 0, None, 80, "no_data"),
                ("library_school", 1, 1, 100.0, 70, "on_track"),
                ("library_community", 0, 0, None, None, "no_data")],
        "002": [("library_provincial", 0, 0, None, 100, "no_data"),
                ("library_district", 1, 2, 50.0, 70, "behind"),
                ("library_commune", 0, 0, None, 40, "no_data"),
                ("library_university", 0, 0, None, 100, "no_data"),
                ("library_armed_forces", 0, 0, None, 80, "no_data"),
                ("library_school", 0, 0, None, 70, "no_data"),
                ("library_community", 1, 1, 100.0, None, "no_target")],
    }

    # online attendance (provincial) or a ticked checklist item of 2025 (school)
    assert figures(indicator(doc, "library_digital")["rows"]) == [
        ("library_provincial", 1, 1, 100.0, 100, "on_track"),
        ("library_district", 0, 3, 0.0, 60, "behind"),
        ("library_commune", 0, 1, 0.0, 20, "behind"),
        ("library_university", 0, 0, None, 100, "no_data"),
        ("library_armed_forces", 0, 0, None, 80, "no_data"),
        ("library_school", 1, 1, 100.0, 70, "on_track"),
        ("library_community", 0, 1, 0.0, None, "no_target"),
    ]

    # 2025: visits 300 + attendance 50+0+10+25+30+12; 2024: visits 250+50 + attendance 40
    assert figures(indicator(doc, "library_users_growth")["rows"]) == [(None, 427, 340, 25.6, 10, "on_track")]
    assert areas(doc, "library_users_growth") == {"001": [(None, 55, 50, 10.0, 10, "on_track")],
                                                  "002": [(None, 22, 40, -45.0, 10, "behind")]}

    # p1 and p2; p3 not started, p4 before 2023, p5 cancelled; the memorial house has no target
    programmes = indicator(doc, "museum_education_programmes")
    assert programmes["unit"] == "programmes"
    assert figures(programmes["rows"]) == [("memorial-b", 1, 1, 1.0, None, "no_target"),
                                           ("museum-a", 2, 1, 2.0, 1, "on_track")]
    assert areas(doc, "museum_education_programmes") == {"001": [("museum-a", 2, 1, 2.0, 1, "on_track")],
                                                         "002": [("memorial-b", 1, 1, 1.0, None, "no_target")]}

    # (400 + 100) over (300 + 20): 56.25 rounds half up
    assert figures(indicator(doc, "museum_study_visitors_growth")["rows"]) == [
        (None, 500, 320, 56.3, 10, "on_track")]
    assert areas(doc, "museum_study_visitors_growth") == {"001": [(None, 500, 300, 66.7, 10, "on_track")],
                                                          "002": [(None, 0, 20, -100.0, 10, "behind")]}

    assert figures(indicator(doc, "culture_district_activities")["rows"]) == [
        ("culture_centre_district", 1, 2, 50.0, 80, "behind")]
    assert areas(doc, "culture_district_activities") == {
        "001": [("culture_centre_district", 1, 1, 100.0, 80, "on_track")],
        "002": [("culture_centre_district", 0, 1, 0.0, 80, "behind")]}

    # cn-a1 by its club, cn-b by its club_members tally; cn-b2's club has not started, its tally is of 2024
    assert figures(indicator(doc, "culture_commune_clubs")["rows"]) == [
        ("culture_centre_commune", 2, 3, 66.7, 70, "behind")]
    assert areas(doc, "culture_commune_clubs") == {
        "001": [("culture_centre_commune", 1, 1, 100.0, 70, "on_track")],
        "002": [("culture_centre_commune", 1, 2, 50.0, 70, "behind")]}


def test_district_2025(province):
    doc = document(2025, province["a"])
    assert doc["area"] == "001"
    assert figures(indicator(doc, "library_lifelong_services")["rows"]) == [
        ("library_district", 0, 1, 0.0, 70, "behind"),
        ("library_commune", 1, 1, 100.0, 40, "on_track"),
        ("library_school", 1, 1, 100.0, 70, "on_track"),
    ]
    assert areas(doc, "library_lifelong_services") == {"00101": [
        ("library_district", 0, 0, None, 70, "no_data"),
        ("library_commune", 1, 1, 100.0, 40, "on_track"),
        ("library_school", 0, 0, None, 70, "no_data")]}
    assert figures(indicator(doc, "library_digital")["rows"]) == [
        ("library_district", 0, 1, 0.0, 60, "behind"),
        ("library_commune", 0, 1, 0.0, 20, "behind"),
        ("library_school", 1, 1, 100.0, 70, "on_track"),
    ]
    assert figures(indicator(doc, "library_users_growth")["rows"]) == [(None, 55, 50, 10.0, 10, "on_track")]
    assert figures(indicator(doc, "museum_education_programmes")["rows"]) == [("museum-a", 2, 1, 2.0, 1, "on_track")]
    assert areas(doc, "museum_education_programmes") == {"00101": []}
    assert figures(indicator(doc, "museum_study_visitors_growth")["rows"]) == [
        (None, 500, 300, 66.7, 10, "on_track")]
    assert figures(indicator(doc, "culture_district_activities")["rows"]) == [
        ("culture_centre_district", 1, 1, 100.0, 80, "on_track")]
    assert figures(indicator(doc, "culture_commune_clubs")["rows"]) == [
        ("culture_centre_commune", 1, 1, 100.0, 70, "on_track")]
    assert areas(doc, "culture_commune_clubs") == {"00101": [("culture_centre_commune", 1, 1, 100.0, 70, "on_track")]}


def test_district_b_has_no_university_rows_and_commune_alone(province):
    doc = document(2025, province["a1"])
    assert doc["area"] == "00101" and indicator(doc, "library_digital")["areas"] == []
    assert figures(indicator(doc, "library_digital")["rows"]) == [("library_commune", 0, 1, 0.0, 20, "behind")]
    assert indicator(doc, "museum_education_programmes")["rows"] == []
    assert figures(indicator(doc, "culture_district_activities")["rows"]) == [
        ("culture_centre_district", 0, 0, None, 80, "no_data")]


def test_2026_uses_the_2030_milestone(province):
    doc = document(2026, province["province"], now=datetime(2026, 12, 31))
    assert figures(indicator(doc, "library_digital")["rows"]) == [
        ("library_provincial", 0, 1, 0.0, 100, "behind"),
        ("library_district", 0, 3, 0.0, 70, "behind"),
        ("library_commune", 1, 1, 100.0, 25, "on_track"),  # the 25–30 range is met at 25
        ("library_university", 0, 0, None, 100, "no_data"),
        ("library_armed_forces", 0, 0, None, 80, "no_data"),
        ("library_school", 1, 1, 100.0, None, "no_target"),  # the plan gives no 2030 figure
        ("library_community", 0, 1, 0.0, None, "no_target"),
    ]
    lifelong = figures(indicator(doc, "library_lifelong_services")["rows"])
    assert lifelong[1] == ("library_district", 0, 3, 0.0, 90, "behind")
    # p3 (1 December 2025) has been held by now: three programmes meet the 3–5 range
    assert figures(indicator(doc, "museum_education_programmes")["rows"])[1] == ("museum-a", 3, 1, 3.0, 3, "on_track")
    # nothing in 2026; 2025 now also counts lib-a's 30 of 20 November
    assert figures(indicator(doc, "library_users_growth")["rows"]) == [(None, 0, 457, -100.0, 10, "behind")]
    assert figures(indicator(doc, "culture_district_activities")["rows"]) == [
        ("culture_centre_district", 0, 2, 0.0, 100, "behind")]


def test_a_year_without_data(province):
    doc = document(2022, province["province"])
    assert figures(indicator(doc, "library_lifelong_services")["rows"])[:2] == [
        ("library_provincial", 0, 1, 0.0, 100, "behind"), ("library_district", 0, 3, 0.0, 70, "behind")]
    assert figures(indicator(doc, "library_users_growth")["rows"]) == [(None, 0, 0, None, 10, "no_data")]
    assert figures(indicator(doc, "museum_study_visitors_growth")["rows"]) == [(None, 0, 0, None, 10, "no_data")]
    # p4 (December 2022) is before the plan's first year
    assert figures(indicator(doc, "museum_education_programmes")["rows"]) == [
        ("memorial-b", 0, 1, 0.0, None, "no_target"), ("museum-a", 0, 1, 0.0, 1, "behind")]


def test_after_2030_there_is_no_target(province):
    doc = document(2031, province["province"])
    for result in doc["indicators"]:
        for row in result["rows"]:
            assert row["target"] is None and row["status"] in {"no_target", "no_data"}, (result["key"], row)


def test_missing_institutions_name_whom_to_call(province):
    missing = rollup.missing_institutions(2025, province["province"], "library_lifelong_services",
                                          "library_district", now=NOW)
    assert [i.slug for i in missing] == ["lib-a", "lib-b"]
    assert missing[0].contact_name == "Chị Lan"
    everyone = rollup.missing_institutions(2025, province["province"], "library_digital", now=NOW)
    assert {i.slug for i in everyone} == {"lib-a", "lib-b", "lib-b2", "lib-a1", "comm-b"}
    assert [i.slug for i in rollup.missing_institutions(2025, province["b"], "culture_commune_clubs", now=NOW)] \
        == ["cn-b2"]
    assert [i.slug for i in rollup.missing_institutions(2025, province["province"], "culture_district_activities",
                                                        now=NOW)] == ["cc-b"]
    assert [i.slug for i in rollup.missing_institutions(2022, province["province"], "museum_education_programmes",
                                                        now=NOW)] == ["museum-a", "memorial-b"]
    # libraries with no figure at all in 2025: lib-a had 0 people, lib-b nothing held
    assert [i.slug for i in rollup.missing_institutions(2025, province["province"], "library_users_growth",
                                                        now=NOW)] == ["lib-a", "lib-b"]


def test_rounding_and_status():
    assert rollup.round_value(1, 16) == 6.3 and rollup.round_value(2, 3) == 66.7
    assert rollup.round_value(5, 0) is None
    assert rollup.round_value(9, 16, growth=True) == -43.8
    assert rollup.status_of(None, 70) == "no_data"
    assert rollup.status_of(50.0, None) == "no_target"
    assert rollup.status_of(70.0, 70) == "on_track" and rollup.status_of(69.9, 70) == "behind"
