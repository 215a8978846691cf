"""The approval workflow: submit -> approve (locks) or return; scope; completeness; the pages."""
import re

import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import Forbidden, NotFound

from calendar_app.approval import operations as ops
from calendar_app.models import AuditEntry, MonthlyTally, YearReport
from calendar_app.participation import operations as participation
from calendar_app.participation.locks import YearLocked, ensure_year_open, unlock_year
from calendar_app.validation import ValidationFailed
from tests import factories as f

YEAR = 2025
PASSWORD = "correct horse battery"


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    viet_tri = f.area("227", "Việt Trì", parent=province)
    doan_hung = f.area("230", "Đoan Hùng", parent=province)
    empty = f.area("231", "Hạ Hòa", parent=province)
    lib = f.institution("tv-viet-tri", viet_tri, name="Thư viện Việt Trì")
    centre = f.institution("ttvh-viet-tri", viet_tri, category="culture_centre_district")
    far = f.institution("tv-doan-hung", doan_hung, name="Thư viện Đoan Hùng")
    provincial = f.institution("tv-tinh", province, category="library_provincial", name="Thư viện tỉnh")
    users = {
        "editor": f.user("ed@example.org", "editor", institution=lib),
        "far_editor": f.user("far@example.org", "editor", institution=far),
        "officer": f.user("of@example.org", "officer", area=viet_tri),
        "other_officer": f.user("o2@example.org", "officer", area=doan_hung),
        "province_officer": f.user("p@example.org", "officer", area=province),
        "admin": f.user("admin@example.org", "admin"),
    }
    db.session.commit()
    return {"province": province, "viet_tri": viet_tri, "doan_hung": doan_hung, "empty": empty, "lib": lib,
            "centre": centre, "far": far, "provincial": provincial, **users}


def _status(db, institution, year=YEAR):
    db.session.expire_all()
    return ops.status_of(institution, year)


def _audit(db, action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_submit_approve_lock_unlock_end_to_end(db, world):
    lib, editor, officer = world["lib"], world["editor"], world["officer"]
    participation.set_tallies(editor, lib, YEAR, 3, {"library_visits": 120})
    db.session.commit()

    ops.submit_year(editor, lib, YEAR)
    db.session.commit()
    assert _status(db, lib) == "submitted"
    ops.approve_year(officer, lib, YEAR)
    db.session.commit()
    assert _status(db, lib) == "approved"
    assert [e.changes["status"] for e in _audit(db, "submit")] == [["open", "submitted"]]
    assert [e.changes["status"] for e in _audit(db, "approve")] == [["submitted", "approved"]]
    assert _audit(db, "approve")[0].user_id == officer.id and _audit(db, "approve")[0].institution_id == lib.id

    # the year's figures are locked: the participation write is refused and changes nothing
    with pytest.raises(YearLocked):
        ensure_year_open(lib, YEAR)
    with pytest.raises(YearLocked):
        participation.set_tallies(editor, lib, YEAR, 3, {"library_visits": 999})
    db.session.rollback()
    assert db.session.scalar(select(MonthlyTally.value)) == 120
    ensure_year_open(lib, YEAR - 1)  # other years stay open

    # an editor cannot unlock; an officer must give a reason
    with pytest.raises(Forbidden):
        unlock_year(editor, lib, YEAR, "please")
    with pytest.raises(ValidationFailed):
        unlock_year(officer, lib, YEAR, "  ")
    db.session.rollback()
    unlock_year(officer, lib, YEAR, "March visits were typed twice")
    db.session.commit()
    assert _status(db, lib) != "approved"
    participation.set_tallies(editor, lib, YEAR, 3, {"library_visits": 60})
    db.session.commit()
    assert db.session.scalar(select(MonthlyTally.value)) == 60
    assert _audit(db, "unlock")[0].reason == "March visits were typed twice"

    # and the year can go round again
    ops.submit_year(editor, lib, YEAR)
    ops.approve_year(world["province_officer"], lib, YEAR)
    db.session.commit()
    assert _status(db, lib) == "approved"


def test_return_needs_a_comment_and_the_institution_resubmits(db, world):
    lib, editor, officer = world["lib"], world["editor"], world["officer"]
    ops.submit_year(editor, lib, YEAR)
    db.session.commit()
    for empty in ("", "   ", None):
        with pytest.raises(ValidationFailed) as refused:
            ops.return_year(officer, lib, YEAR, empty)
        assert "comment" in refused.value.fields
        db.session.rollback()
    with pytest.raises(ValidationFailed):
        ops.return_year(officer, lib, YEAR, "x" * (ops.COMMENT_MAX + 1))
    db.session.rollback()
    assert _status(db, lib) == "submitted" and not _audit(db, "return")

    ops.return_year(officer, lib, YEAR, "  Tháng 3 thiếu số liệu  ")
    db.session.commit()
    report = ops.find_report(lib, YEAR)
    assert report.status == "returned" and report.comment == "Tháng 3 thiếu số liệu"
    assert report.decided_by_id == officer.id
    assert _audit(db, "return")[0].reason == "Tháng 3 thiếu số liệu"
    ops.submit_year(editor, lib, YEAR)
    db.session.commit()
    assert _status(db, lib) == "submitted"


def test_only_officers_of_the_institutions_area_or_admins_decide(db, world):
    lib, editor = world["lib"], world["editor"]
    ops.submit_year(editor, lib, YEAR)
    db.session.commit()
    with pytest.raises(NotFound):  # another district's officer does not even see it
        ops.approve_year(world["other_officer"], lib, YEAR)
    with pytest.raises(NotFound):
        ops.return_year(world["other_officer"], lib, YEAR, "no")
    with pytest.raises(Forbidden):  # the institution's own editor cannot approve their year
        ops.approve_year(editor, lib, YEAR)
    with pytest.raises(Forbidden):  # nor submit another institution's
        ops.submit_year(world["far_editor"], lib, YEAR)
    db.session.rollback()
    assert _status(db, lib) == "submitted" and not _audit(db, "approve")
    assert ops.pending_reports(world["other_officer"], YEAR) == []
    assert ops.pending_reports(editor, YEAR) == []
    assert [r.institution.slug for r in ops.pending_reports(world["province_officer"], YEAR)] == ["tv-viet-tri"]
    ops.approve_year(world["admin"], lib, YEAR)
    db.session.commit()
    assert _status(db, lib) == "approved"


@pytest.mark.parametrize("steps, action, reason_fragment", [
    ([], "approve", "Only a submitted year"),
    ([], "return", "Only a submitted year"),
    (["submit"], "submit", "already been submitted"),
    (["submit", "approve"], "submit", "locked"),
    (["submit", "approve"], "approve", "already been approved"),
    (["submit", "approve"], "return", "unlock it first"),
    (["submit", "return"], "approve", "Only a submitted year"),
])
def test_bad_transitions_are_refused_and_change_nothing(db, world, steps, action, reason_fragment):
    lib, editor, officer = world["lib"], world["editor"], world["officer"]
    do = {
        "submit": lambda: ops.submit_year(editor, lib, YEAR),
        "approve": lambda: ops.approve_year(officer, lib, YEAR),
        "return": lambda: ops.return_year(officer, lib, YEAR, "fix it"),
    }
    for step in steps:
        do[step]()
    db.session.commit()
    before = _status(db, lib)
    entries = db.session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(ops.ApprovalRefused) as refused:
        do[action]()
    db.session.rollback()
    assert reason_fragment in refused.value.fields["status"]
    assert _status(db, lib) == before
    assert db.session.scalar(select(func.count(AuditEntry.id))) == entries


@pytest.mark.parametrize("year", [2022, 2999, "abc", None])
def test_years_outside_the_plan_are_refused(db, world, year):
    with pytest.raises(ValidationFailed) as refused:
        ops.submit_year(world["editor"], world["lib"], year)
    assert "year" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(select(func.count(YearReport.id))) == 0


def test_completeness_per_child_area_counts_whole_subtrees(db, world):
    commune = f.area("7888", "Phường Tân Dân", "commune", parent=world["viet_tri"])
    in_commune = f.institution("tv-tan-dan", commune, category="library_commune")
    for inst in (world["lib"], world["centre"], in_commune):
        ops.submit_year(world["editor"] if inst is world["lib"] else world["admin"], inst, YEAR)
        ops.approve_year(world["officer"], inst, YEAR)
    ops.submit_year(world["far_editor"], world["far"], YEAR)
    db.session.commit()

    overall, children = ops.area_progress(world["province"], YEAR)
    assert (overall.institutions, overall.approved, overall.submitted) == (5, 3, 1)
    assert not overall.complete
    by_code = {row.area.code: row for row in children}
    assert list(by_code) == ["227", "230", "231"]
    assert (by_code["227"].institutions, by_code["227"].approved, by_code["227"].complete) == (3, 3, True)
    assert (by_code["230"].submitted, by_code["230"].complete, by_code["230"].percent) == (1, False, 0)
    assert (by_code["231"].institutions, by_code["231"].complete) == (0, True)
    # another year is untouched
    _, earlier = ops.area_progress(world["province"], YEAR - 1)
    assert [row.approved for row in earlier] == [0, 0, 0]
    direct = ops.institutions_with_status(world["province"], YEAR)
    assert [(inst.slug, status) for inst, status in direct] == [("tv-tinh", "open")]


# --- the pages ---------------------------------------------------------------------------------------------




def _client(app, email=None):
    client = app.test_client()
    if email:
        _login(client, email)
    return client


def _login(client, email):
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


def test_pages_walk_through_submit_return_resubmit_approve(app, db, world):
    lib = world["lib"]
    editor = _client(app, "ed@example.org")
    page = editor.get(f"/approval/year?year={YEAR}&lang=en")
    assert page.status_code == 200
    assert "Thư viện Việt Trì" in page.text and "Not submitted" in page.text
    assert f'action="/approval/tv-viet-tri/{YEAR}/submit"' in page.text
    assert editor.post(f"/approval/tv-viet-tri/{YEAR}/submit").status_code == 302
    assert _status(db, lib) == "submitted"
    again = editor.post(f"/approval/tv-viet-tri/{YEAR}/submit", follow_redirects=True)
    assert "already been submitted" in again.text

    officer = _client(app, "of@example.org")
    queue = officer.get(f"/approval/queue?year={YEAR}&lang=en")
    assert queue.status_code == 200 and "Thư viện Việt Trì" in queue.text
    empty = officer.post(f"/approval/tv-viet-tri/{YEAR}/return", data={"comment": "  "})
    assert empty.status_code == 400
    assert "Say what the institution should correct" in empty.text
    assert "<details open>" in empty.text and 'name="comment"' in empty.text and 'aria-invalid="true"' in empty.text
    assert _status(db, lib) == "submitted"
    sent_back = officer.post(f"/approval/tv-viet-tri/{YEAR}/return", data={"comment": "Thiếu tháng 3"})
    assert sent_back.status_code == 302 and _status(db, lib) == "returned"

    returned = editor.get(f"/approval/year?year={YEAR}")
    assert "Thiếu tháng 3" in returned.text
    editor.post(f"/approval/tv-viet-tri/{YEAR}/submit")
    assert officer.post(f"/approval/tv-viet-tri/{YEAR}/approve").status_code == 302
    assert _status(db, lib) == "approved"
    locked = editor.get(f"/approval/year?year={YEAR}&lang=en")
    assert "locked" in locked.text and "/submit" not in locked.text

    # the unlock form of the queue needs a reason
    refused = officer.post(f"/approval/tv-viet-tri/{YEAR}/unlock", data={"reason": ""})
    assert refused.status_code == 400 and _status(db, lib) == "approved"
    assert "<details open>" in refused.text and 'aria-describedby="reason-' in refused.text
    assert officer.post(f"/approval/tv-viet-tri/{YEAR}/unlock", data={"reason": "typo in March"}).status_code == 302
    assert _status(db, lib) == "open"
    reopened = editor.get(f"/approval/year?year={YEAR}&lang=en")
    assert "Unlocked by the area officer" in reopened.text and "typo in March" in reopened.text
    assert f'action="/approval/tv-viet-tri/{YEAR}/submit"' in reopened.text


def test_pages_refuse_outsiders(app, db, world):
    ops.submit_year(world["editor"], world["lib"], YEAR)
    db.session.commit()
    other = _client(app, "o2@example.org")
    assert other.post(f"/approval/tv-viet-tri/{YEAR}/approve").status_code == 404
    assert "Thư viện Việt Trì" not in other.get(f"/approval/queue?year={YEAR}").text
    editor = _client(app, "ed@example.org")
    assert editor.post(f"/approval/tv-viet-tri/{YEAR}/approve").status_code == 403
    assert editor.get("/approval/queue").status_code == 403
    assert editor.get("/approval/completeness").status_code == 403
    assert editor.get("/approval/year?institution=tv-doan-hung").status_code == 404
    assert _status(db, world["lib"]) == "submitted"
    anonymous = _client(app)
    assert anonymous.get("/approval/queue").status_code == 302


def test_completeness_page_for_the_provincial_officer(app, db, world):
    ops.submit_year(world["editor"], world["lib"], YEAR)
    ops.approve_year(world["officer"], world["lib"], YEAR)
    ops.submit_year(world["admin"], world["centre"], YEAR)
    ops.approve_year(world["officer"], world["centre"], YEAR)
    db.session.commit()
    client = _client(app, "p@example.org")
    page = client.get(f"/approval/completeness?year={YEAR}&lang=en")
    assert page.status_code == 200
    rows = re.findall(r'<tr class="(is-complete|is-pending)">\s*<th scope="row"><a [^>]*>([^<]+)</a>', page.text)
    assert rows == [("is-complete", "Việt Trì"), ("is-pending", "Đoan Hùng"), ("is-complete", "Hạ Hòa")]
    assert "Thư viện tỉnh" in page.text  # the institution directly in the province
    district = client.get(f"/approval/completeness?year={YEAR}&area=227&lang=en")
    assert "2 of 2 institutions approved (100%)" in district.text
    outsider = _client(app, "o2@example.org")
    assert outsider.get(f"/approval/completeness?year={YEAR}&area=227").status_code == 403
