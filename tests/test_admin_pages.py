"""Admin pages: areas, institutions, accounts, API tokens, observances and indicator targets."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from calendar_app.accounts.operations import user_for_token
from calendar_app.clock import local_today
from calendar_app.events import operations as ops
from calendar_app.models import ApiToken, Area, AuditEntry, IndicatorTarget, Institution, Observance, User
from tests import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    f.area("7888", "Phường Tiên Cát", "commune", parent=district)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien-viet-tri", district, name="Thư viện Việt Trì")
    museum = f.institution("bao-tang", other, category="museum", name="Bảo tàng Đoan Hùng")
    admin = f.user("admin@example.org", "admin")
    editor = f.user("editor@example.org", "editor", institution=lib)
    db.session.commit()
    return {"lib": lib, "museum": museum, "admin": admin, "editor": editor, "district": district}


@pytest.fixture()
def admin_client(client, world):
    assert client.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    return client


def audit_actions(db, entity_type):
    return db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == entity_type)
                              .order_by(AuditEntry.id)).all()


def test_admin_home_links_every_section(admin_client):
    page = admin_client.get("/admin/?lang=en").text
    for href in ("/admin/areas", "/admin/institutions", "/admin/users", "/admin/tokens", "/admin/observances",
                 "/dashboard/plans", "/audit/"):
        assert f'href="{href}"' in page


# --- areas ---------------------------------------------------------------------------------------------


def test_area_tree_level_by_level_with_institution_counts(admin_client):
    roots = admin_client.get("/admin/areas?lang=en").text
    assert "Phú Thọ" in roots and "Việt Trì" not in roots  # one level at a time: thousands of units
    province = admin_client.get("/admin/areas?parent=25&lang=en").text
    assert province.index("Việt Trì") < province.index("Đoan Hùng") and "Phường Tiên Cát" not in province
    assert 'href="/admin/institutions?area=227">1</a>' in province  # placed in its subtree today
    district = admin_client.get("/admin/areas?parent=227&lang=en").text
    assert "Phường Tiên Cát" in district and 'href="/admin/areas?parent=25' in district  # the way back up
    found = admin_client.get("/admin/areas?q=tien+cat&lang=en").text
    assert "Phường Tiên Cát" in found and "Đoan Hùng" not in found


def test_add_an_area_below_another(admin_client, db):
    assert 'value="227"' in admin_client.get("/admin/areas/new?parent=227").text
    response = admin_client.post("/admin/areas/new", data={"code": "7900", "name": "Xã Mới", "level": "commune",
                                                           "parent": "227"})
    assert response.status_code == 302
    area = db.session.scalar(select(Area).where(Area.code == "7900"))
    assert area.parent.code == "227" and area.path.startswith(area.parent.path)
    assert audit_actions(db, "area") == ["create"]


@pytest.mark.parametrize("data, message", [
    ({"code": "227", "name": "Trùng", "level": "district", "parent": "25"}, "already has the code 227"),
    ({"code": "7901", "name": "Xã", "level": "commune", "parent": ""}, "A district or commune needs its parent area."),
    ({"code": "79 01", "name": "Xã", "level": "commune", "parent": "227"}, "Use the official code"),
    ({"code": "7901", "name": "", "level": "commune", "parent": "227"}, "This field cannot be empty."),
    ({"code": "7901", "name": "Xã", "level": "hamlet", "parent": "227"},
     "Level must be country, province, district or commune."),
    ({"code": "7901", "name": "Xã", "level": "commune", "parent": "404"}, "There is no area with code 404."),
    ({"code": "7901", "name": "Xã", "level": "commune", "parent": "227", "valid_from": "2025-07-01",
      "valid_to": "2025-06-30"}, "The end of validity must be after its start."),
])
def test_refused_area(admin_client, db, data, message):
    before = db.session.scalar(select(func.count(Area.id)))
    response = admin_client.post("/admin/areas/new?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data["code"]}"' in response.text
    assert db.session.scalar(select(func.count(Area.id))) == before


# --- institutions --------------------------------------------------------------------------------------


def test_institution_list_filters(admin_client):
    everything = admin_client.get("/admin/institutions?lang=en").text
    assert "Thư viện Việt Trì" in everything and "Bảo tàng Đoan Hùng" in everything
    in_district = admin_client.get("/admin/institutions?area=227").text
    assert "Thư viện Việt Trì" in in_district and "Bảo tàng Đoan Hùng" not in in_district
    province = admin_client.get("/admin/institutions?area=25").text  # a subtree: both
    assert "Thư viện Việt Trì" in province and "Bảo tàng Đoan Hùng" in province
    museums = admin_client.get("/admin/institutions?category=museum").text
    assert "Bảo tàng Đoan Hùng" in museums and "Thư viện Việt Trì" not in museums
    assert "Thư viện Việt Trì" in admin_client.get("/admin/institutions?q=thu+vien").text  # typed without accents
    assert "No institution matches" in admin_client.get("/admin/institutions?q=zzz&lang=en").text


def test_create_and_edit_an_institution(admin_client, db):
    data = {"slug": "bao-tang-hung-vuong", "name": "Bảo tàng Hùng Vương", "category": "museum", "area": "227",
            "address": "Việt Trì", "latitude": "21.3", "longitude": "105.4", "contact_email": "bt@example.org",
            "website": "https://example.org", "active": "y"}
    assert admin_client.post("/admin/institutions/new", data=data).status_code == 302
    museum = db.session.scalar(select(Institution).where(Institution.slug == "bao-tang-hung-vuong"))
    assert museum.area.code == "227" and museum.latitude == 21.3
    edit = admin_client.get("/admin/institutions/bao-tang-hung-vuong").text
    assert 'value="Bảo tàng Hùng Vương"' in edit and re.search(r'<input[^>]*name="area"[^>]*value="227"', edit)
    assert "Where it stood" in admin_client.get("/admin/institutions/bao-tang-hung-vuong?lang=en").text
    changed = admin_client.post("/admin/institutions/bao-tang-hung-vuong",
                                data={**data, "name": "Bảo tàng Hùng Vương tỉnh", "area": "230", "active": ""})
    assert changed.status_code == 302
    db.session.refresh(museum)
    assert museum.name == "Bảo tàng Hùng Vương tỉnh" and museum.area.code == "230" and not museum.active
    # the change of area is a move from today, audited on its own
    assert audit_actions(db, "institution") == ["create", "update", "move"]


@pytest.mark.parametrize("changes, message", [
    ({"slug": "bao-tang"}, "An institution with this slug already exists."),
    ({"slug": "Bảo tàng"}, "Use lower-case letters, digits and hyphens only"),
    ({"category": "zoo"}, "Unknown institution category."),
    ({"area": ""}, "Choose the area."),
    ({"latitude": "north"}, "Enter a number."),
    ({"latitude": "95"}, "Must be at most 90."),
    ({"contact_email": "not-an-address"}, "Enter a valid e-mail address."),
    ({"website": "ftp://example.org"}, "Enter a web address starting with http:// or https://."),
    ({"name": ""}, "This field cannot be empty."),
])
def test_refused_institution(admin_client, db, changes, message):
    data = {"slug": "moi", "name": "Mới", "category": "museum", "area": "227", "address": "Số 1 đường Hùng Vương",
            **changes}
    response = admin_client.post("/admin/institutions/new?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    assert 'value="Số 1 đường Hùng Vương"' in response.text
    assert db.session.scalar(select(func.count(Institution.id))) == 2


# --- accounts ------------------------------------------------------------------------------------------


def test_create_an_account_with_a_password_shown_once(admin_client, client, db):
    page = admin_client.post("/admin/users/new?lang=en", data={
        "email": "Thu.Thu@Example.org", "name": "Thủ thư", "role": "editor", "institution": "thu-vien-viet-tri",
        "area": "", "password": ""})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    password = re.search(r'<code class="secret">([^<]+)</code>', page.text).group(1)
    assert "It is shown only this once" in page.text
    user = db.session.scalar(select(User).where(User.email == "thu.thu@example.org"))
    assert user.role == "editor" and user.institution.slug == "thu-vien-viet-tri" and user.check_password(password)
    assert password not in admin_client.get(f"/admin/users/{user.id}").text
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "user"))
    assert entry.changes["role"] == [None, "editor"] and "password" not in entry.changes
    admin_client.post("/logout")
    assert admin_client.post("/login", data={"email": "thu.thu@example.org", "password": password}).status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"email": "editor@example.org", "role": "admin"}, "A user with this e-mail address already exists."),
    ({"email": "no-at-sign", "role": "admin"}, "Enter a valid e-mail address."),
    ({"email": "a@example.org", "role": "editor", "institution": ""}, "An editor needs an existing institution."),
    ({"email": "a@example.org", "role": "officer", "area": "404"}, "An officer needs an existing area."),
    ({"email": "a@example.org", "role": "root"}, "Role must be admin, officer or editor."),
    ({"email": "a@example.org", "role": "admin", "password": "short"}, "at least 10 characters"),
])
def test_refused_account(admin_client, db, data, message):
    before = db.session.scalar(select(func.count(User.id)))
    response = admin_client.post("/admin/users/new?lang=en", data={"name": "Người mới", **data})
    assert response.status_code == 422 and message in response.text and 'value="Người mới"' in response.text
    assert db.session.scalar(select(func.count(User.id))) == before


def test_disable_and_enable_an_account(app, admin_client, world, db):
    editor = app.test_client()
    assert editor.post("/login", data={"email": "editor@example.org", "password": PASSWORD}).status_code == 302
    assert editor.get("/manage/").status_code == 200
    user_id = world["editor"].id
    assert admin_client.post(f"/admin/users/{user_id}/active", data={"active": "0"}).status_code == 302
    # signed out at once, cannot sign in again, and the tokens stop working
    assert editor.get("/manage/").status_code == 302
    assert editor.post("/login?lang=en", data={"email": "editor@example.org", "password": PASSWORD}).status_code == 400
    secret = ApiToken.issue(db.session.get(User, user_id), "x")[1]
    db.session.commit()
    assert user_for_token(secret) is None
    assert admin_client.post(f"/admin/users/{user_id}/active", data={"active": "1"}).status_code == 302
    assert user_for_token(secret).id == user_id
    assert audit_actions(db, "user") == ["disable", "enable"]


def test_an_admin_cannot_disable_themselves(admin_client, world, db):
    page = admin_client.post(f"/admin/users/{world['admin'].id}/active?lang=en", data={"active": "0"},
                             follow_redirects=True)
    assert "You cannot disable your own account." in page.text
    db.session.refresh(world["admin"])
    assert world["admin"].active


def test_reset_a_password_signs_the_person_out(app, admin_client, world, db):
    editor = app.test_client()
    editor.post("/login", data={"email": "editor@example.org", "password": PASSWORD})
    page = admin_client.post(f"/admin/users/{world['editor'].id}/password")
    password = re.search(r'<code class="secret">([^<]+)</code>', page.text).group(1)
    assert page.headers["Cache-Control"] == "no-store"
    assert editor.get("/manage/").status_code == 302  # the old session is over
    assert editor.post("/login", data={"email": "editor@example.org", "password": PASSWORD}).status_code == 400
    assert editor.post("/login", data={"email": "editor@example.org", "password": password}).status_code == 302
    assert audit_actions(db, "user") == ["reset_password"]


# --- API tokens ----------------------------------------------------------------------------------------


def test_create_list_and_revoke_a_token(admin_client, world, db):
    page = admin_client.post("/admin/tokens/new", data={"user": str(world["editor"].id), "name": "Phần mềm thư viện"})
    secret = re.search(r'<code class="secret">([^<]+)</code>', page.text).group(1)
    assert page.headers["Cache-Control"] == "no-store" and secret.startswith("lcal_")
    assert user_for_token(secret).id == world["editor"].id  # it works, and its use is noted
    db.session.commit()
    listing = admin_client.get("/admin/tokens?lang=en").text
    assert secret not in listing and secret[:10] + "…" in listing and "Phần mềm thư viện" in listing
    assert "never" not in listing.split("Phần mềm thư viện")[1].split("</tr>")[0]  # last used is shown
    token = db.session.scalar(select(ApiToken))
    assert admin_client.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert user_for_token(secret) is None
    assert "revoked" in admin_client.get("/admin/tokens?lang=en").text
    assert audit_actions(db, "user") == ["create_token", "revoke_token"]


def test_a_token_for_an_unknown_account_is_refused(admin_client, db):
    response = admin_client.post("/admin/tokens/new?lang=en", data={"user": "9999", "name": "x"})
    assert response.status_code == 422 and "Choose an account." in response.text
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


# --- observances ---------------------------------------------------------------------------------------


def test_observance_list_shows_this_years_dates(admin_client):
    page = admin_client.get("/admin/observances?lang=en").text
    year = local_today().year
    assert "Lifelong Learning Week" in page and f"1/10/{year} – 7/10/{year}" in page


def test_set_this_years_lifelong_learning_week_and_retag(admin_client, world, db):
    before = ops.create_activity(world["editor"], {"title": "Trước tuần lễ", "starts_at": "2030-09-29T09:00",
                                                   "ends_at": "2030-09-29T11:00"}, institution=world["lib"])
    after = ops.create_activity(world["editor"], {"title": "Cuối tuần lễ", "starts_at": "2030-10-06T09:00",
                                                  "ends_at": "2030-10-06T11:00"}, institution=world["lib"])
    db.session.commit()
    assert [o.key for o in before.observances] == [] and [o.key for o in after.observances] == [
        "lifelong-learning-week"]
    form = admin_client.get("/admin/observances/lifelong-learning-week?year=2030").text
    assert 'value="2030-10-01"' in form and 'value="2030-10-07"' in form
    response = admin_client.post("/admin/observances/lifelong-learning-week",
                                 data={"year": "2030", "starts_on": "2030-09-28", "ends_on": "2030-10-04"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [o.key for o in before.observances] == ["lifelong-learning-week"]
    assert [o.key for o in after.observances] == []
    form = admin_client.get("/admin/observances/lifelong-learning-week?year=2030").text
    assert 'value="2030-09-28"' in form and 'value="2030-10-04"' in form
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity_type == "observance"))
    assert entry.changes["dates"] == [{}, {"2030": "2030-09-28/2030-10-04"}]
    # back to the usual rule
    assert admin_client.post("/admin/observances/lifelong-learning-week/dates/2030/clear").status_code == 302
    db.session.expire_all()
    assert [o.key for o in before.observances] == [] and [o.key for o in after.observances] == [
        "lifelong-learning-week"]


@pytest.mark.parametrize("data, message", [
    ({"year": "2030", "starts_on": "2030-10-04", "ends_on": "2030-09-28"}, "The last day must not be before"),
    ({"year": "2030", "starts_on": "2031-09-28", "ends_on": "2031-10-04"}, "The first day must fall in 2030."),
    ({"year": "2030", "starts_on": "2030-02-30", "ends_on": "2030-10-04"}, "Enter a date as YYYY-MM-DD."),
    ({"year": "2030", "starts_on": "2030-09-01", "ends_on": "2030-10-04"}, "An observance lasts at most 31 days."),
    ({"year": "twenty", "starts_on": "2030-09-28", "ends_on": "2030-10-04"}, "Enter a whole number."),
])
def test_refused_observance_dates(admin_client, db, data, message):
    response = admin_client.post("/admin/observances/lifelong-learning-week?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    assert f'value="{data["ends_on"]}"' in response.text
    week = db.session.scalar(select(Observance).where(Observance.key == "lifelong-learning-week"))
    assert week.dates == []


def test_add_a_provincial_observance_tags_activities_in_its_window(admin_client, world, db):
    fair = ops.create_activity(world["editor"], {"title": "Hội sách", "starts_at": "2030-06-02T09:00",
                                                 "ends_at": "2030-06-02T11:00"}, institution=world["lib"])
    db.session.commit()
    response = admin_client.post("/admin/observances/new", data={
        "key": "hoi-sach-phu-tho", "name_vi": "Hội sách Phú Thọ", "name_en": "Phú Thọ Book Fair", "rule": "fixed",
        "month": "6", "day": "1", "duration_days": "2", "window_before": "0", "window_after": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    observance = db.session.scalar(select(Observance).where(Observance.key == "hoi-sach-phu-tho"))
    assert observance.provincial and [o.key for o in fair.observances] == ["hoi-sach-phu-tho"]
    assert "Phú Thọ Book Fair" in admin_client.get("/admin/observances?lang=en").text


def test_add_an_observance_with_dates_set_year_by_year(admin_client, db):
    response = admin_client.post("/admin/observances/new", data={
        "key": "le-hoi-den-hung", "name_vi": "Lễ hội", "name_en": "Festival", "rule": "per_year",
        "duration_days": "1", "window_before": "1", "window_after": "1", "year": "2030",
        "starts_on": "2030-04-10", "ends_on": "2030-04-12"})
    assert response.status_code == 302
    observance = db.session.scalar(select(Observance).where(Observance.key == "le-hoi-den-hung"))
    assert [(d.year, d.starts_on, d.ends_on) for d in observance.dates] == [
        (2030, date(2030, 4, 10), date(2030, 4, 12))]
    assert observance.month is None


@pytest.mark.parametrize("changes, message", [
    ({"key": "book-reading-day"}, "An observance with this key already exists."),
    ({"key": "Hội sách"}, "Use lower-case letters, digits and hyphens only"),
    ({"month": "2", "day": "30"}, "There is no day 30 in month 2."),
    ({"month": "13"}, "Must be at most 12."),
    ({"day": ""}, "Give the day."),
    ({"rule": "per_year", "year": "", "starts_on": "", "ends_on": ""}, "Enter a whole number."),
    ({"name_en": ""}, "This field cannot be empty."),
    ({"window_before": "-1"}, "Must be at least 0."),
    ({"rule": "weekly"}, "Not one of the allowed values."),
])
def test_refused_observance(admin_client, db, changes, message):
    data = {"key": "hoi-sach", "name_vi": "Hội sách", "name_en": "Book fair", "rule": "fixed", "month": "6",
            "day": "1", "duration_days": "1", "window_before": "3", "window_after": "3", **changes}
    before = db.session.scalar(select(func.count(Observance.id)))
    response = admin_client.post("/admin/observances/new?lang=en", data=data)
    assert response.status_code == 422 and message in response.text, response.text
    assert 'value="Hội sách"' in response.text
    assert db.session.scalar(select(func.count(Observance.id))) == before


# --- indicator targets ---------------------------------------------------------------------------------


def test_targets_list_and_edit(admin_client, db):
    assert admin_client.get("/admin/targets").headers["Location"].endswith("/dashboard/plans")
    target = db.session.scalar(select(IndicatorTarget).where(IndicatorTarget.indicator == "library_users_growth",
                                                             IndicatorTarget.milestone == 2030))
    page = admin_client.get(f"/dashboard/plans/{target.plan_id}?lang=en").text
    assert "Growth in library users" in page and 'value="10–15"' in page and ">library_users_growth<" not in page
    form = admin_client.get(f"/admin/targets/{target.id}?lang=en").text
    assert 'value="10"' in form and 'value="15"' in form and "Growth in library users · all · 2030" in form
    assert admin_client.post(f"/admin/targets/{target.id}", data={"low": "12", "high": "18",
                                                                  "note": "QĐ 2025"}).status_code == 302
    db.session.refresh(target)
    assert (target.low, target.high, target.note) == (12, 18, "QĐ 2025")
    assert admin_client.post(f"/admin/targets/{target.id}", data={"low": "", "high": ""}).status_code == 302
    db.session.refresh(target)
    assert (target.low, target.high) == (None, None)
    assert audit_actions(db, "indicator_target") == ["update", "update"]


@pytest.mark.parametrize("data, message", [
    ({"low": "20", "high": "10"}, "The upper bound must not be below the lower bound."),
    ({"low": "", "high": "10"}, "Give the lower bound too"),
    ({"low": "-5"}, "Must be at least 0."),
    ({"low": "lots"}, "Enter a number."),
])
def test_refused_target(admin_client, db, data, message):
    target = db.session.scalar(select(IndicatorTarget).order_by(IndicatorTarget.id))
    before = (target.low, target.high)
    response = admin_client.post(f"/admin/targets/{target.id}?lang=en", data=data)
    assert response.status_code == 422 and message in response.text
    db.session.refresh(target)
    assert (target.low, target.high) == before
