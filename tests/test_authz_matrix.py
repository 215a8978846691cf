"""Every role × every write the pages expose, inside and outside its scope; anonymous people go to sign in."""
import pytest
from sqlalchemy import func, select

from calendar_app.events import operations as ops
from calendar_app.models import Activity, ApiToken, Area, AuditEntry, IndicatorTarget, Institution, Observance, User
from tests import factories as f

PASSWORD = "correct horse battery"
ROLES = ("admin", "officer", "far_officer", "editor", "far_editor", "anonymous")
EMAILS = {"admin": "admin@example.org", "officer": "officer@example.org", "far_officer": "far.officer@example.org",
          "editor": "editor@example.org", "far_editor": "far.editor@example.org"}
#: who may write to the activities of "thu-vien" (in district 227)
IN_SCOPE = {"admin", "officer", "editor"}


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien", district)
    far = f.institution("xa", other)
    f.user(EMAILS["admin"], "admin")
    f.user(EMAILS["officer"], "officer", area=district)
    f.user(EMAILS["far_officer"], "officer", area=other)
    editor = f.user(EMAILS["editor"], "editor", institution=lib)
    f.user(EMAILS["far_editor"], "editor", institution=far)
    published = ops.create_activity(editor, {
        "title": "Câu lạc bộ", "starts_at": "2030-10-01T18:00", "ends_at": "2030-10-01T20:00",
        "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4", "status": "published"}, institution=lib)
    draft = ops.create_activity(editor, {"title": "Bản nháp", "starts_at": "2030-11-01T09:00",
                                         "ends_at": "2030-11-01T10:00"}, institution=lib)
    ops.change_occurrence(editor, published, ops.find_occurrence(published, "2030-10-22T18:00"),
                          {"status": "cancelled"})
    db.session.commit()
    return {"lib": lib, "far": far, "published": published, "draft": draft, "editor": editor}


def sign_in(client, role: str) -> None:
    if role != "anonymous":
        assert client.post("/login", data={"email": EMAILS[role], "password": PASSWORD}).status_code == 302


def audit_count(db) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)))


CLUB = {"title": "CLB mới", "starts_on": "2030-10-02", "start_time": "18:00", "end_time": "20:00",
        "repeat": "none", "institution": "thu-vien", "observances_shown": "", "publish": "1"}


def _form(activity, **changes):
    values = ops.activity_values(activity)
    data = {"title": values["title"], "starts_on": values["starts_at"][:10], "start_time": values["starts_at"][11:],
            "end_time": values["ends_at"][11:], "repeat": "custom" if activity.rrule else "none",
            "custom_rule": activity.rrule or "", "observances_shown": "", "save": "1"}
    data.update(changes)
    return data


#: name -> (request maker, check that the write happened)
def activity_writes(world):
    published, draft = world["published"], world["draft"]
    base = f"/manage/activities/{published.id}"
    return {
        "edit": (("post", base, _form(published, title="Đổi tên")), lambda: published.title == "Đổi tên"),
        "publish": (("post", f"/manage/activities/{draft.id}/status", {"status": "published"}),
                    lambda: draft.status == "published"),
        "cancel": (("post", f"{base}/status", {"status": "cancelled"}), lambda: published.status == "cancelled"),
        "back_to_draft": (("post", f"{base}/status", {"status": "draft"}), lambda: published.status == "draft"),
        "duplicate": (("post", f"{base}/duplicate", {}),
                      lambda: any(a.title.endswith("Câu lạc bộ") and a.id != published.id
                                  for a in Activity.query.all())),
        "cancel_meeting": (("post", f"{base}/occurrences/2030-10-08T18:00/cancel", {}),
                           lambda: published.occurrences[1].status == "cancelled"),
        "move_meeting": (("post", f"{base}/occurrences/2030-10-15T18:00/move",
                          {"starts_on": "2030-10-16", "start_time": "18:00", "end_time": "20:00"}),
                         lambda: published.occurrences[2].moved),
        "restore_meeting": (("post", f"{base}/occurrences/2030-10-22T18:00/restore", {}),
                            lambda: published.occurrences[3].status == "scheduled"),
    }


WRITES = ("edit", "publish", "cancel", "back_to_draft", "duplicate", "cancel_meeting", "move_meeting",
          "restore_meeting")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_activity_writes(client, db, world, role, write):
    (method, url, data), happened = activity_writes(world)[write]
    sign_in(client, role)
    before = audit_count(db)
    response = getattr(client, method)(url, data=data)
    db.session.expire_all()
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif role in IN_SCOPE:
        assert response.status_code == 302, response.text
        assert happened() and audit_count(db) > before
        return
    else:
        assert response.status_code == 404
    assert not happened() and audit_count(db) == before


@pytest.mark.parametrize("role", ROLES)
def test_create(client, db, world, role):
    sign_in(client, role)
    response = client.post("/manage/activities/new", data=CLUB)
    at_lib = db.session.scalar(select(func.count(Activity.id)).where(Activity.institution_id == world["lib"].id,
                                                                     Activity.title == "CLB mới"))
    if role in IN_SCOPE:
        assert response.status_code == 302 and at_lib == 1
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"] and at_lib == 0
    elif role == "far_officer":
        assert response.status_code == 403 and at_lib == 0
    else:
        # an editor's activities always go to their own institution, whatever a crafted form says
        assert response.status_code == 302 and at_lib == 0
        created = db.session.scalar(select(Activity).where(Activity.title == "CLB mới"))
        assert created.institution_id == world["far"].id


@pytest.mark.parametrize("role", ROLES)
def test_reading_pages(client, db, world, role):
    sign_in(client, role)
    activity = world["published"]
    urls = [f"/manage/activities/{activity.id}", f"/manage/activities/{activity.id}/occurrences",
            f"/manage/activities/{activity.id}/occurrences/2030-10-15T18:00/move"]
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
        else:
            assert response.status_code == (200 if role in IN_SCOPE else 404), url
    listing = client.get("/manage/")
    if role != "anonymous":
        assert ("Câu lạc bộ" in listing.text) is (role in IN_SCOPE)


# --- admin writes ---------------------------------------------------------------------------------------


def admin_writes(world, db):
    editor = world["editor"]
    token = ApiToken.issue(editor, "sync")[0]
    db.session.commit()
    target = db.session.scalar(select(IndicatorTarget).order_by(IndicatorTarget.id))
    week = db.session.scalar(select(Observance).where(Observance.key == "lifelong-learning-week"))
    return {
        "area": ("/admin/areas/new", {"code": "9999", "name": "Xã mới", "level": "commune", "parent": "227"},
                 lambda: db.session.scalar(select(Area).where(Area.code == "9999")) is not None),
        "institution": ("/admin/institutions/new", {"slug": "moi", "name": "Mới", "category": "museum",
                                                    "area": "227", "active": "y"},
                        lambda: db.session.scalar(select(Institution).where(Institution.slug == "moi")) is not None),
        "institution_edit": ("/admin/institutions/xa", {"slug": "xa", "name": "Tên mới", "category": "museum",
                                                         "area": "230", "active": "y"},
                             lambda: world["far"].name == "Tên mới"),
        "user": ("/admin/users/new", {"email": "new@example.org", "role": "admin", "password": "x" * 12},
                 lambda: db.session.scalar(select(User).where(User.email == "new@example.org")) is not None),
        "disable": (f"/admin/users/{editor.id}/active", {"active": "0"}, lambda: not editor.active),
        "password": (f"/admin/users/{editor.id}/password", {}, lambda: not editor.check_password(PASSWORD)),
        "token": ("/admin/tokens/new", {"user": str(editor.id), "name": "x"},
                  lambda: db.session.scalar(select(func.count(ApiToken.id))) == 2),
        "revoke": (f"/admin/tokens/{token.id}/revoke", {}, lambda: token.revoked),
        "observance": ("/admin/observances/new", {"key": "hoi-sach", "name_vi": "Hội sách", "name_en": "Book fair",
                                                   "rule": "fixed", "month": "6", "day": "1", "duration_days": "1",
                                                   "window_before": "0", "window_after": "0"},
                       lambda: db.session.scalar(select(Observance).where(Observance.key == "hoi-sach")) is not None),
        "dates": ("/admin/observances/lifelong-learning-week", {"year": "2030", "starts_on": "2030-09-28",
                                                                "ends_on": "2030-10-04"}, lambda: bool(week.dates)),
        "target": (f"/admin/targets/{target.id}", {"low": "55", "high": ""}, lambda: target.low == 55),
    }


ADMIN_WRITES = ("area", "institution", "institution_edit", "user", "disable", "password", "token", "revoke",
                "observance", "dates", "target")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", ADMIN_WRITES)
def test_admin_writes(client, db, world, role, write):
    url, data, happened = admin_writes(world, db)[write]
    sign_in(client, role)
    before = audit_count(db)
    response = client.post(url, data=data)
    db.session.expire_all()
    if role == "admin":
        assert response.status_code in (200, 302), response.text
        assert happened() and audit_count(db) > before
        return
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert not happened() and audit_count(db) == before


@pytest.mark.parametrize("role, status", [("admin", 200), ("officer", 200), ("far_officer", 200),
                                          ("editor", 403), ("far_editor", 403), ("anonymous", 302)])
def test_who_reads_the_audit_trail_and_the_admin_pages(client, world, role, status):
    sign_in(client, role)
    assert client.get("/audit/").status_code == status
    assert client.get("/admin/users").status_code == {"admin": 200, "anonymous": 302}.get(role, 403)
