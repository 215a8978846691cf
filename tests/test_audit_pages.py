"""The audit trail pages: who changed what, old -> new, for the reader's scope only, with filters and pages."""
from datetime import datetime

import pytest

from calendar_app.audit.operations import record
from calendar_app.events import operations as ops
from tests import factories as f

PASSWORD = "correct horse battery"


@pytest.fixture()
def world(db):
    province = f.area("25", "Phú Thọ", "province")
    district = f.area("227", "Việt Trì", parent=province)
    commune = f.area("7888", "Tiên Cát", "commune", parent=district)
    other = f.area("230", "Đoan Hùng", parent=province)
    lib = f.institution("thu-vien", district)
    commune_centre = f.institution("nha-van-hoa", commune, category="culture_centre_commune")
    far = f.institution("xa", other)
    f.user("admin@example.org", "admin")
    f.user("officer@example.org", "officer", area=district)
    editor = f.user("editor@example.org", "editor", institution=lib)
    commune_editor = f.user("commune@example.org", "editor", institution=commune_centre)
    far_editor = f.user("far@example.org", "editor", institution=far)
    near = ops.create_activity(editor, {"title": "Tọa đàm gần", "starts_at": "2030-03-01T09:00",
                                        "ends_at": "2030-03-01T10:00"}, institution=lib)
    ops.update_activity(editor, near, {"title": "Tọa đàm sách", "status": "published"})
    ops.create_activity(commune_editor, {"title": "Sinh hoạt xã", "starts_at": "2030-03-02T09:00",
                                         "ends_at": "2030-03-02T10:00"}, institution=commune_centre)
    ops.create_activity(far_editor, {"title": "Hoạt động xa", "starts_at": "2030-03-03T09:00",
                                     "ends_at": "2030-03-03T10:00"}, institution=far)
    record(None, "update", "observance", "lifelong-learning-week", changes={"dates": [{}, {"2030": "x"}]})
    db.session.commit()
    return {"near": near}


def sign_in(client, email):
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def test_admin_reads_every_change_with_old_and_new_values(client, world):
    sign_in(client, "admin@example.org")
    page = client.get("/audit/?lang=en").text
    assert 'count">5 changes.' in page
    for title in ("Tọa đàm sách", "Sinh hoạt xã", "Hoạt động xa", "lifelong-learning-week"):
        assert title in page
    # the publication shows old -> new
    publish = page.split('action-publish')[1].split("</li>")[0]
    assert "editor@example.org" in page.split('action-publish')[0].rsplit("<li", 1)[1]
    assert '<th scope="row">Title</th>' in publish
    assert '>Tọa đàm gần</td>' in publish and '>Tọa đàm sách</td>' in publish
    assert '>Draft</td>' in publish and '>Published</td>' in publish


def cells(page: str) -> list[tuple[str, str, str]]:
    """(field, before, after) of every change row on the page, tags stripped."""
    import re
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>\s*<td class="old"[^>]*>(.*?)</td>\s*'
                      r'<td class="new"[^>]*>(.*?)</td>', page, re.S)
    strip = lambda text: re.sub(r"<[^>]+>", "", text).strip()  # noqa: E731
    return [(strip(a), strip(b), strip(c)) for a, b, c in rows]


@pytest.mark.parametrize("lang, words", [
    ("en", {"action": "cancelled", "kind": "Meeting", "field": "Status", "before": "As planned", "after": "Cancelled",
            "start": "Start", "local": "Times are local time, UTC+07:00 (Asia/Ho_Chi_Minh)."}),
    ("vi", {"action": "đã hủy", "kind": "Buổi", "field": "Trạng thái", "before": "Theo kế hoạch", "after": "Đã hủy",
            "start": "Bắt đầu", "local": "Giờ hiển thị là giờ địa phương, UTC+07:00 (Asia/Ho_Chi_Minh)."}),
])
def test_the_trail_speaks_words_not_keys_and_local_times(client, world, db, lang, words):
    """Issue 13: `cancel`, `occurrence`, `starts_at`, `scheduled` become words; a meeting moved to 17:30 local
    reads 17:30, not the stored 10:30 UTC."""
    editor = world["near"].institution
    from calendar_app.models import User
    user = db.session.scalar(db.select(User).where(User.email == "editor@example.org"))
    club = ops.create_activity(user, {"title": "CLB", "starts_at": "2030-03-05T17:00", "ends_at": "2030-03-05T18:00",
                                      "rrule": "FREQ=WEEKLY;COUNT=3", "status": "published"}, institution=editor)
    db.session.flush()
    first, second = club.occurrences[0], club.occurrences[1]
    ops.change_occurrence(user, club, first, {"status": "cancelled", "reason": "Mưa bão"})
    ops.change_occurrence(user, club, second, {"starts_at": "2030-03-12T17:30", "ends_at": "2030-03-12T18:30"})
    db.session.commit()
    sign_in(client, "admin@example.org")
    page = client.get(f"/audit/?entity=occurrence&lang={lang}").text
    assert words["local"] in page
    assert f'action-cancel">{words["action"]}<' in page and f'class="entity">{words["kind"]}<' in page
    rows = cells(page)
    assert (words["field"], words["before"], words["after"]) in rows
    moved = [row for row in rows if row[0] == words["start"]]
    assert moved and moved[0][1].endswith("17:00") and moved[0][2].endswith("17:30"), moved
    for key in (">cancel<", ">occurrence<", ">starts_at<", ">scheduled<", ">update<"):
        assert key not in page
    assert ("Mưa bão" in page) and (("Lý do: Mưa bão" if lang == "vi" else "Reason: Mưa bão") in page)


def test_officer_reads_only_their_subtree(client, world):
    sign_in(client, "officer@example.org")
    page = client.get("/audit/?lang=en").text
    assert "Tọa đàm sách" in page and "Sinh hoạt xã" in page  # the district and the commune below it
    assert "Hoạt động xa" not in page and "lifelong-learning-week" not in page
    assert 'count">3 changes.' in page
    # asking for an entry outside the scope by its identifier finds nothing
    assert "No change recorded" in client.get("/audit/?lang=en&entity=observance").text


def test_filters(client, world, db):
    sign_in(client, "admin@example.org")
    near = world["near"].id
    history = client.get(f"/audit/?lang=en&entity=activity&id={near}").text
    assert 'count">2 changes.' in history and "Sinh hoạt xã" not in history
    assert 'count">1 change.' in client.get("/audit/?lang=en&action=publish").text
    by_user = client.get("/audit/?lang=en&user=Commune@Example.org").text
    assert 'count">1 change.' in by_user and "Sinh hoạt xã" in by_user
    assert "No change recorded" in client.get("/audit/?lang=en&user=nobody@example.org").text
    # dates are local days, inclusive
    from calendar_app.models import AuditEntry
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    entries[0].at = datetime(2030, 1, 9, 17, 30)   # 10 January 00:30 in Hanoi
    entries[1].at = datetime(2030, 1, 10, 17, 30)  # 11 January 00:30 in Hanoi
    db.session.commit()
    one_day = client.get("/audit/?lang=en&from=2030-01-10&to=2030-01-10").text
    assert 'count">1 change.' in one_day and "Tọa đàm gần" in one_day
    assert 'count">2 changes.' in client.get("/audit/?lang=en&from=2030-01-10&to=2030-01-11").text
    assert "No change recorded" in client.get("/audit/?lang=en&from=2030-01-12&to=2030-01-01").text
    # nonsense filters are ignored, not errors
    assert client.get("/audit/?from=yesterday&to=2030-13-45&page=x").status_code == 200


def test_pages_of_entries(client, world, db, app):
    for n in range(app.config["PER_PAGE"]):
        record(None, "update", "observance", f"key-{n:02d}")
    db.session.commit()
    sign_in(client, "admin@example.org")
    first = client.get("/audit/?lang=en").text
    second = client.get("/audit/?lang=en&page=2").text
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "key-19" in first and "key-00" in first and "Tọa đàm sách" not in first  # newest first
    assert "Tọa đàm sách" in second and 'rel="prev"' in second


def test_history_link_from_the_activity_page(client, world):
    sign_in(client, "officer@example.org")
    page = client.get(f"/manage/activities/{world['near'].id}").text
    assert f'href="/audit/?entity=activity&amp;id={world["near"].id}"' in page
